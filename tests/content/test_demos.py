"""The Kubernetes lecture shows every example it talks about as a tagged demo."""

from __future__ import annotations

import re

import yaml

from diapo.deck.model import Deck, DemoKind

from .conftest import manifests

# Example of the lecture -> ids of the demo steps that prove it on a (simulated) cluster.
EXAMPLES = {
    "kubectl cluster-info / get nodes": ["nodes", "nodes-ready"],
    "Pod whoami": ["pod", "pod-list", "pod-delete", "pod-gone"],
    "Deployment whoami": ["deployment", "deployment-get"],
    "Deployment scale": ["deployment-scale", "deployment-pods"],
    "Deployment rollout and undo": ["rollout", "rollout-undo"],
    "Service ClusterIP": ["service", "service-endpoints"],
    "Service LoadBalancer": ["service-lb"],
    "Namespaces default and kube-system": ["namespaces"],
    "Namespace dedicated to whoami": ["namespace-whoami", "namespace-whoami-get"],
    "Ingress whoami.dev.localhost": ["ingress"],
    "Job pi (1000 digits)": ["job", "job-get"],
    "ConfigMap volume and emptyDir": ["volumes", "volumes-spec"],
    "StatefulSet volume claim template": ["statefulset", "statefulset-pvc"],
    "DaemonSet": ["daemonset", "daemonset-pods", "daemonset-per-node"],
    "CronJob": ["cronjob", "cronjob-run"],
    "NetworkPolicy": ["networkpolicy"],
    "Resource requests and limits": ["resources", "resources-get"],
    "Restricted securityContext": ["securite", "securite-refus", "securite-ok", "readonly-rootfs"],
}
# What only real containers can show (logs, exec, HTTP into a pod, a real LB / DNS / Traefik).
NEEDS_NODE = {
    "pod-logs", "job-logs", "statefulset-psql", "service-curl", "service-lb-curl",
    "namespaces-dns", "traefik", "ingress-curl", "volumes-exec", "networkpolicy-test",
}
_APPLIED = re.compile(r"(?:^|\s)-f\s+(\S+\.ya?ml)")


def test_every_example_has_its_demos(kubernetes: Deck) -> None:
    ids = {demo.id for demo in kubernetes.demos}
    missing = {example: [i for i in wanted if i not in ids]
               for example, wanted in EXAMPLES.items() if not set(wanted) <= ids}
    assert missing == {}


def test_the_example_demos_are_verified_on_a_simulated_cluster(kubernetes: Deck) -> None:
    for ids in EXAMPLES.values():
        for demo_id in ids:
            demo = kubernetes.demo(demo_id)
            assert demo.needs is None, f"{demo_id} would be skipped in CI"
            assert demo.only != "live", demo_id


def test_only_container_demos_need_a_node(kubernetes: Deck) -> None:
    assert {demo.id for demo in kubernetes.demos if demo.needs == "node"} == NEEDS_NODE


def test_visible_kubectl_steps_check_their_output(kubernetes: Deck) -> None:
    unchecked = [demo.id for demo in kubernetes.demos
                 if demo.kind is DemoKind.RUN and demo.id not in {"nodes"} and demo.expect is None]
    assert unchecked == []


def test_demos_do_not_pin_the_default_namespace(kubernetes: Deck) -> None:
    # In CI each deck runs in its own namespace through its kubeconfig's default.
    pinned = [demo.id for demo in kubernetes.demos
              if re.search(r"(-n|--namespace)[ =]default\b", demo.code)]
    assert pinned == []


def test_applied_manifests_exist_and_all_are_used(kubernetes: Deck) -> None:
    applied = {name for demo in kubernetes.demos for name in _APPLIED.findall(demo.code)}
    on_disk = {path.name for path in manifests()}
    assert applied - on_disk == set(), "applied but missing from demos/kubernetes"
    assert on_disk - applied == set(), "in demos/kubernetes but no demo applies it"


def test_manifests_are_valid_yaml_with_pinned_images() -> None:
    for path in manifests():
        documents = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
        assert documents, path
        for document in documents:
            assert {"apiVersion", "kind", "metadata"} <= document.keys(), path
            assert "namespace" not in document["metadata"], f"{path}: hard-coded namespace"
        for image in re.findall(r"^\s*image:\s*(\S+)", path.read_text(encoding="utf-8"), re.M):
            name, _, tag = image.rpartition(":")
            assert name and tag and tag != "latest", f"{path}: unpinned image {image}"
