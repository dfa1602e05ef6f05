"""The classroom add-ons on real nodes: DNS, Ingress (Traefik), LoadBalancer (MetalLB),
NetworkPolicy (kube-router) and PersistentVolumeClaims (local-path-provisioner), each proven
with real pods and real traffic from the machine (loopback or the cluster's own addresses)."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
import uuid

import pytest

from diapo.cluster import addons, binaries, host, local

# Marked `cluster` so that `-m "not cluster"` (the fast runs) leaves them out.
pytestmark = pytest.mark.cluster

WHOAMI = "containous/whoami:v1.5.0"
CURL = "curlimages/curl:8.11.1"
BUSYBOX = "busybox:1.36"


def _skip_reason(state_dir) -> str | None:
    if os.environ.get("DIAPO_NODES") == "simulated":
        return "DIAPO_NODES=simulated : pas de nœud réel"
    if reason := host.why_not_real():
        return reason
    if holder := local.real_node_elsewhere(state_dir):
        return f"le nœud réel du cluster de {holder} tourne déjà sur cette machine"
    return None


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """A cluster of this module's own, with a real node and every add-on (stopped after)."""
    state_dir = tmp_path_factory.mktemp("addons") / "cluster"
    reason = _skip_reason(state_dir)
    if reason:
        pytest.skip(reason)
    try:
        yield local.up(nodes="real", state_dir=state_dir, quiet=True)
    finally:
        local.down(state_dir=state_dir, quiet=True)


@pytest.fixture(scope="module")
def kubectl(real):
    """`kubectl(*args, input=None, check=True, timeout=60)` on the module's real cluster."""
    program = str(binaries.find("kubectl", real.version) or "kubectl")

    def run(*args: str, input: str | None = None, check: bool = True,
            timeout: float = 60) -> subprocess.CompletedProcess:
        cmd = [program, f"--kubeconfig={real.kubeconfig}", *args]
        proc = subprocess.run(cmd, input=input, capture_output=True, text=True,
                              timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} -> {proc.returncode}\n{proc.stderr}")
        return proc

    return run


def _whoami(kubectl, namespace: str, name: str = "whoami", service_type: str = "ClusterIP",
            port: int = 80) -> None:
    kubectl("-n", namespace, "create", "deployment", name, f"--image={WHOAMI}")
    kubectl("-n", namespace, "expose", "deployment", name, f"--port={port}", "--target-port=80",
            f"--type={service_type}")
    kubectl("-n", namespace, "rollout", "status", f"deployment/{name}", "--timeout=120s",
            timeout=130)


def _run(kubectl, namespace: str, *command: str, image: str = CURL, labels: str = "",
         timeout: int = 120):
    name = f"c-{uuid.uuid4().hex[:6]}"
    extra = [f"--labels={labels}"] if labels else []
    return kubectl("-n", namespace, "run", name, "--rm", "-i", "--restart=Never",
                   f"--image={image}", *extra, f"--pod-running-timeout={timeout}s", "--",
                   *command, check=False, timeout=timeout + 30)


def _until(kubectl, namespace: str, wanted, *command: str, image: str = CURL,
           labels: str = "", within: float = 60) -> subprocess.CompletedProcess:
    """`_run` the command until `wanted(result)` or `within` seconds have passed: the last
    result. `kubectl run -i` may miss the output of a quick pod, and a new pod or service
    takes seconds to be reachable (kube-proxy, kube-router)."""
    deadline = time.monotonic() + within
    while True:
        result = _run(kubectl, namespace, *command, image=image, labels=labels)
        if wanted(result) or time.monotonic() > deadline:
            return result


def _answered(result: subprocess.CompletedProcess) -> bool:
    return "Hostname:" in result.stdout


def _http(url: str, host: str | None = None, timeout: float = 60) -> str:
    """GET `url` (loopback or a cluster address) until it answers 200, within `timeout`."""
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(request, timeout=3) as response:
                return response.read().decode()
        except OSError as exc:
            if time.monotonic() > deadline:
                raise AssertionError(f"{url} (Host {host}) sans réponse en {timeout} s: {exc}") from exc
            time.sleep(0.3)


def test_addons_are_ready_where_k3s_has_them(real, kubectl):
    out = kubectl("-n", "kube-system", "get", "deployment", "coredns", "traefik",
                  "local-path-provisioner", "-o",
                  "jsonpath={range .items[*]}{.metadata.name}={.status.readyReplicas}{'\\n'}{end}")
    assert out.stdout.split() == ["coredns=1", "traefik=1", "local-path-provisioner=1"]
    svc = kubectl("-n", "kube-system", "get", "service", "kube-dns").stdout
    assert "53/UDP,53/TCP" in svc
    assert "local-path (default)" in kubectl("get", "storageclass").stdout


def test_dns_answers_cluster_names_only(real, kubectl, namespace):
    _whoami(kubectl, namespace)
    found = _until(kubectl, namespace,
                   lambda r: r.returncode == 0 and "Address" in r.stdout.split("Name:")[-1],
                   "nslookup", f"whoami.{namespace}.svc.cluster.local", image=BUSYBOX)
    assert found.returncode == 0 and "Address" in found.stdout.split("Name:")[-1], found.stdout
    outside = _run(kubectl, namespace, "nslookup", "example.com", image=BUSYBOX)
    assert outside.returncode != 0 or "Address" not in outside.stdout.split("Name:")[-1]
    # By short name from a pod of the namespace (search path), as the slides do.
    page = _until(kubectl, namespace, _answered, "curl", "-s", "-m", "10", "http://whoami")
    assert "Hostname: whoami-" in page.stdout, page.stdout + page.stderr


def test_ingress_on_localhost_through_traefik(real, kubectl, namespace):
    _whoami(kubectl, namespace)
    host = f"{namespace}.dev.localhost"
    kubectl("-n", namespace, "create", "ingress", "whoami", f"--rule={host}/*=whoami:80")
    page = _http("http://127.0.0.1/", host=host)
    assert "Hostname: whoami-" in page and f"Host: {host}" in page
    shown = kubectl("-n", namespace, "get", "ingress", "whoami", "-o",
                    "jsonpath={.spec.ingressClassName}").stdout
    assert shown == "traefik"  # the default class was given to an Ingress without one


def test_loadbalancer_address_reachable_from_the_machine(real, kubectl, namespace):
    _whoami(kubectl, namespace, service_type="LoadBalancer", port=8080)
    kubectl("-n", namespace, "wait", "--for=jsonpath={.status.loadBalancer.ingress}",
            "service/whoami", "--timeout=60s", timeout=70)
    ip = kubectl("-n", namespace, "get", "service", "whoami", "-o",
                 "jsonpath={.status.loadBalancer.ingress[0].ip}").stdout
    assert ip.startswith("198.19."), ip  # the cluster's own pool, never a routed range
    assert "Hostname: whoami-" in _http(f"http://{ip}:8080/")


def test_network_policy_denies_then_allows(real, kubectl, namespace):
    _whoami(kubectl, namespace)
    policy = f"""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: whoami, namespace: {namespace}}}
spec:
  podSelector: {{matchLabels: {{app: whoami}}}}
  ingress:
    - from: [{{podSelector: {{matchLabels: {{acces: oui}}}}}}]
"""
    before = _until(kubectl, namespace, _answered, "curl", "-s", "-m", "5", "http://whoami")
    assert "Hostname:" in before.stdout  # open by default
    kubectl("apply", "-f", "-", input=policy)
    # kube-router syncs the policy within seconds
    denied = _until(kubectl, namespace, lambda r: not _answered(r),
                    "curl", "-s", "-m", "3", "http://whoami")
    assert "Hostname:" not in denied.stdout and denied.returncode != 0
    # kube-router admits a new pod once it synced its address (seconds on a loaded machine):
    # curl retries meanwhile.
    allowed = _until(kubectl, namespace, _answered, "curl", "-s", "-m", "3", "--retry", "15",
                     "--retry-delay", "1", "--retry-all-errors", "http://whoami",
                     labels="acces=oui")
    assert "Hostname: whoami-" in allowed.stdout, allowed.stdout + allowed.stderr


def test_pvc_is_bound_and_written(real, kubectl, namespace):
    manifest = f"""
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: data, namespace: {namespace}}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {{requests: {{storage: 10Mi}}}}
---
apiVersion: v1
kind: Pod
metadata: {{name: writer, namespace: {namespace}}}
spec:
  restartPolicy: Never
  containers:
    - name: w
      image: {BUSYBOX}
      command: [sh, -c, "echo écrit > /data/f && cat /data/f"]
      volumeMounts: [{{name: d, mountPath: /data}}]
  volumes: [{{name: d, persistentVolumeClaim: {{claimName: data}}}}]
"""
    kubectl("apply", "-f", "-", input=manifest)
    kubectl("-n", namespace, "wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/writer",
            "--timeout=120s", timeout=130)
    assert kubectl("-n", namespace, "get", "pvc", "data", "-o",
                   "jsonpath={.status.phase}").stdout == "Bound"
    assert kubectl("-n", namespace, "logs", "writer").stdout.strip() == "écrit"
    sc = kubectl("-n", namespace, "get", "pvc", "data", "-o",
                 "jsonpath={.spec.storageClassName}").stdout
    assert sc == "local-path"


def test_addon_versions_are_the_pinned_ones(real, kubectl):
    images = kubectl("get", "pods", "-A", "-o",
                     "jsonpath={range .items[*]}{.spec.containers[*].image}{'\\n'}{end}").stdout
    for name in addons.image_names():
        if name != addons.HELPER_IMAGE:
            assert name in images
