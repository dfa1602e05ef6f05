"""The add-on manifests, rendered for a cluster's settings (no cluster needed)."""

from __future__ import annotations

import pytest

from diapo.cluster import addons

SETTINGS = addons.Settings(dns_ip="198.19.0.10", service_cidr="198.19.0.0/17",
                           lb_pool="198.19.128.0/24", node_ip="203.0.113.2",
                           storage_dir="/tmp/diapo-storage")


@pytest.fixture(scope="module")
def rendered():
    docs = addons.manifests(SETTINGS)
    return {name: {(d["kind"], d["metadata"]["name"]): d for d in items}
            for name, items in docs.items()}


def _containers(doc):
    return doc["spec"]["template"]["spec"]["containers"]


def test_every_addon_uses_its_built_image(rendered):
    names = addons.image_names()
    used = {c["image"] for objs in rendered.values() for d in objs.values()
            if d["kind"] in ("Deployment", "DaemonSet") for c in _containers(d)}
    assert used == set(names) - {addons.HELPER_IMAGE}
    config = rendered["local-path"][("ConfigMap", "local-path-config")]["data"]
    assert f"image: {addons.HELPER_IMAGE}" in config["helperPod.yaml"]
    assert '"/tmp/diapo-storage"' in config["config.json"]


def test_coredns_is_kube_dns_and_never_forwards(rendered):
    service = rendered["coredns"][("Service", "kube-dns")]
    assert service["spec"]["clusterIP"] == "198.19.0.10"
    assert [(p["port"], p["protocol"]) for p in service["spec"]["ports"]][:2] == \
        [(53, "UDP"), (53, "TCP")]
    corefile = rendered["coredns"][("ConfigMap", "coredns")]["data"]["Corefile"]
    assert "kubernetes cluster.local" in corefile
    assert "forward" not in corefile and "proxy" not in corefile


def test_traefik_is_the_default_ingress_class_on_loopback(rendered):
    deployment = rendered["traefik"][("Deployment", "traefik")]
    assert deployment["metadata"]["namespace"] == "kube-system"
    args = _containers(deployment)[0]["args"]
    assert "--entryPoints.web.address=127.0.0.1:80" in args
    assert "--entryPoints.node.address=203.0.113.2:80" in args
    assert not any(a.startswith("--entryPoints") and "0.0.0.0" in a for a in args)
    ingress_class = rendered["traefik"][("IngressClass", "traefik")]
    assert ingress_class["metadata"]["annotations"][
        "ingressclass.kubernetes.io/is-default-class"] == "true"


def test_metallb_crds_come_from_its_module_and_pool_is_the_clusters(rendered):
    crds = {name for kind, name in rendered["metallb"] if kind == "CustomResourceDefinition"}
    assert {"ipaddresspools.metallb.io", "l2advertisements.metallb.io"} <= crds
    pool = addons._render("metallb-pool.yaml", {"lb_pool": SETTINGS.lb_pool})[0]
    assert pool["spec"]["addresses"] == ["198.19.128.0/24"]
    args = _containers(rendered["metallb"][("Deployment", "controller")])[0]["args"]
    assert "--webhook-mode=disabled" in args


def test_kube_router_only_enforces_network_policy(rendered):
    args = _containers(rendered["kube-router"][("DaemonSet", "kube-router")])[0]["args"]
    assert {"--run-firewall=true", "--run-router=false", "--run-service-proxy=false",
            "--enable-cni=false", "--hostname-override=$(NODE_NAME)"} <= set(args)


def test_local_path_is_the_default_storage_class(rendered):
    sc = rendered["local-path"][("StorageClass", "local-path")]
    assert sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    assert sc["provisioner"] == "rancher.io/local-path"
