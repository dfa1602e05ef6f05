"""The local control plane behaves like a real cluster for what the decks demonstrate:
real kube-apiserver, real kubectl, real Python client, kwok nodes."""

from __future__ import annotations

import ipaddress
import json
import time

import pytest

from diapo.cluster import network

pytestmark = pytest.mark.cluster

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
"""


def _apply(kubectl, namespace: str, manifest: str, *extra: str):
    return kubectl("apply", "-n", namespace, "-f", "-", *extra, input=manifest)


def test_two_ready_nodes(kubectl):
    nodes = json.loads(kubectl("get", "nodes", "-o", "json").stdout)["items"]
    ready = {node["metadata"]["name"]: next(c["status"] for c in node["status"]["conditions"]
                                            if c["type"] == "Ready") for node in nodes}
    assert ready == {"node-1": "True", "node-2": "True"}
    table = kubectl("get", "nodes").stdout.splitlines()
    assert table[0].split()[:2] == ["NAME", "STATUS"]
    assert [line.split()[:2] for line in table[1:]] == [["node-1", "Ready"], ["node-2", "Ready"]]


def test_server_reports_the_pinned_version(kubectl, cluster):
    version = json.loads(kubectl("version", "-o", "json").stdout)["serverVersion"]
    assert version["gitVersion"] == f"v{cluster.version}"
    assert (version["major"], version["minor"]) == tuple(cluster.version.split(".")[:2])


def test_deployment_gets_three_running_pods_within_30s(kubectl, namespace, core_api):
    from kubernetes import watch

    core, _apps = core_api
    _apply(kubectl, namespace, DEPLOYMENT)
    running: set[str] = set()
    deadline = time.monotonic() + 30
    stream = watch.Watch()
    for event in stream.stream(core.list_namespaced_pod, namespace, label_selector="app=web",
                               timeout_seconds=30):
        pod = event["object"]
        if event["type"] != "DELETED" and pod.status.phase == "Running":
            running.add(pod.metadata.name)
        else:
            running.discard(pod.metadata.name)
        if len(running) == 3 or time.monotonic() > deadline:
            stream.stop()
    assert len(running) == 3, f"Running pods after 30 s: {sorted(running)}"
    nodes = {core.read_namespaced_pod(name, namespace).spec.node_name for name in running}
    assert nodes <= {"node-1", "node-2"}


def test_scale_rollout_status_and_undo(kubectl, namespace):
    _apply(kubectl, namespace, DEPLOYMENT)
    kubectl("rollout", "status", "deployment/web", "-n", namespace, "--timeout=30s")
    kubectl("scale", "deployment/web", "--replicas=5", "-n", namespace)
    kubectl("rollout", "status", "deployment/web", "-n", namespace, "--timeout=30s")
    ready = kubectl("get", "deployment/web", "-n", namespace,
                    "-o", "jsonpath={.status.readyReplicas}").stdout
    assert ready == "5"

    kubectl("set", "image", "deployment/web", "web=nginx:1.28", "-n", namespace)
    out = kubectl("rollout", "status", "deployment/web", "-n", namespace, "--timeout=30s")
    assert "successfully rolled out" in out.stdout
    history = kubectl("rollout", "history", "deployment/web", "-n", namespace).stdout
    assert [line.split()[0] for line in history.splitlines()[2:] if line.strip()] == ["1", "2"]

    kubectl("rollout", "undo", "deployment/web", "-n", namespace)
    kubectl("rollout", "status", "deployment/web", "-n", namespace, "--timeout=30s")
    image = kubectl("get", "deployment/web", "-n", namespace,
                    "-o", "jsonpath={.spec.template.spec.containers[0].image}").stdout
    assert image == "nginx:1.27"


def test_job_reaches_complete(kubectl, namespace):
    job = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: pi
        image: perl:5.34
        command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(200)"]
"""
    _apply(kubectl, namespace, job)
    kubectl("wait", "--for=condition=Complete", "job/pi", "-n", namespace, "--timeout=30s")
    succeeded = kubectl("get", "job/pi", "-n", namespace,
                        "-o", "jsonpath={.status.succeeded}").stdout
    assert succeeded == "1"


def test_service_gets_cluster_ip_and_endpoints(kubectl, namespace):
    _apply(kubectl, namespace, DEPLOYMENT)
    kubectl("expose", "deployment/web", "--port=80", "-n", namespace)
    cluster_ip = kubectl("get", "service/web", "-n", namespace,
                         "-o", "jsonpath={.spec.clusterIP}").stdout
    assert ipaddress.ip_address(cluster_ip) in ipaddress.ip_network(network.SERVICE_CIDR)
    kubectl("wait", "--for=jsonpath={.endpoints[2].conditions.ready}=true",
            "endpointslice", "-l", "kubernetes.io/service-name=web", "-n", namespace,
            "--timeout=30s")
    slices = json.loads(kubectl("get", "endpointslice", "-l", "kubernetes.io/service-name=web",
                                "-n", namespace, "-o", "json").stdout)["items"]
    addresses = {a for s in slices for e in s["endpoints"] for a in e["addresses"]}
    pod_ips = set(kubectl("get", "pods", "-l", "app=web", "-n", namespace, "-o",
                          "jsonpath={.items[*].status.podIP}").stdout.split())
    assert len(addresses) == 3 and addresses == pod_ips
    endpoints = kubectl("get", "endpoints/web", "-n", namespace).stdout
    assert ":80" in endpoints.splitlines()[1]


def test_ingress_and_cronjob_are_accepted(kubectl, namespace):
    manifests = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
  - host: web.example.test
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port: {number: 80}
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: tick
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: tick
            image: busybox:1.36
            command: ["date"]
"""
    out = _apply(kubectl, namespace, manifests).stdout
    assert "ingress.networking.k8s.io/web created" in out
    assert "cronjob.batch/tick created" in out
    host = kubectl("get", "ingress/web", "-n", namespace,
                   "-o", "jsonpath={.spec.rules[0].host}").stdout
    assert host == "web.example.test"
    schedule = kubectl("get", "cronjob/tick", "-n", namespace,
                       "-o", "jsonpath={.spec.schedule}").stdout
    assert schedule == "*/5 * * * *"


def test_invalid_manifest_is_rejected_with_the_servers_message(kubectl, namespace):
    bad = DEPLOYMENT.replace("replicas: 3", "replicas: -1")
    proc = kubectl("apply", "-n", namespace, "-f", "-", input=bad, check=False)
    assert proc.returncode != 0
    assert 'The Deployment "web" is invalid' in proc.stderr
    assert "spec.replicas: Invalid value: -1: must be greater than or equal to 0" in proc.stderr

    typo = DEPLOYMENT.replace("replicas: 3", "replcas: 3")
    proc = kubectl("apply", "-n", namespace, "-f", "-", input=typo, check=False)
    assert proc.returncode != 0
    assert 'unknown field "spec.replcas"' in proc.stderr  # server-side field validation
    assert kubectl("get", "deployment/web", "-n", namespace, check=False).returncode != 0


def test_dry_run_server_validates_without_creating(kubectl, namespace):
    out = kubectl("apply", "-n", namespace, "-f", "-", "--dry-run=server", input=DEPLOYMENT)
    assert "deployment.apps/web created (server dry run)" in out.stdout
    missing = kubectl("get", "deployment/web", "-n", namespace, check=False)
    assert missing.returncode != 0 and "NotFound" in missing.stderr
    bad = kubectl("apply", "-n", namespace, "-f", "-", "--dry-run=server", check=False,
                  input=DEPLOYMENT.replace("replicas: 3", "replicas: -1"))
    assert bad.returncode != 0 and "must be greater than or equal to 0" in bad.stderr


def test_namespace_with_workloads_is_deleted(kubectl):
    name = f"t-del-{int(time.time() * 1000) % 10**8}"
    kubectl("create", "namespace", name)
    kubectl("wait", "--for=create", "serviceaccount/default", "-n", name, "--timeout=30s")
    kubectl("apply", "-n", name, "-f", "-", input=DEPLOYMENT)
    kubectl("rollout", "status", "deployment/web", "-n", name, "--timeout=30s")
    kubectl("delete", "namespace", name, "--timeout=60s", timeout=90)
    gone = kubectl("get", "namespace", name, check=False)
    assert gone.returncode != 0 and "NotFound" in gone.stderr
