"""The classroom add-ons, as k3s ships them, so a deck written for k3s runs unchanged:

| add-on | what | Go module (version) | image |
|---|---|---|---|
| CoreDNS | Deployment `coredns` behind Service `kube-dns` (kube-system); cluster names only, no upstream forwarding | github.com/coredns/coredns | coredns/coredns |
| Traefik v3 | ingress controller, Deployment `traefik` (kube-system), default IngressClass `traefik`; host network on 127.0.0.1:80, so `curl http://NAME.localhost` works from the machine | github.com/traefik/traefik/v3 | traefik |
| MetalLB | controller only: LoadBalancer addresses from the cluster's pool; kube-proxy routes them on the machine | go.universe.tf/metallb | quay.io/metallb/controller |
| kube-router | NetworkPolicy enforcement (firewall only, iptables + ipset from Debian) | github.com/cloudnativelabs/kube-router/v2 | cloudnativelabs/kube-router |
| local-path-provisioner | PVCs on a node directory, default StorageClass `local-path` | github.com/rancher/local-path-provisioner | rancher/local-path-provisioner |

Interface (for `diapo.cluster.local`):

- `images(kube_version) -> list[(name, tarball)]`: every add-on image, built into the cache
  (`~/.cache/diapo/go/…` for binaries, `~/.cache/diapo/images/…` for images, keyed by
  version), to import into the node's containerd with `diapo.cluster.images.import_into`;
- `deploy(kubeconfig, settings, timeout=…)`: applies the manifests (server-side apply,
  field manager `diapo-addons`) and waits for each add-on to be Ready; on failure, one French
  line naming the add-on and the log to read (`Settings.log_dir`).
"""

from __future__ import annotations

import string
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from diapo.cluster import images as images_mod
from diapo.cluster.images import gobuild, recipes
from diapo.cluster.images.oci import ImageConfig
from diapo.errors import ClusterError, DiapoError

MANIFESTS = Path(__file__).parent / "manifests"
FIELD_MANAGER = "diapo-addons"

COREDNS = "v1.15.0"
TRAEFIK = "v3.6.12"
METALLB = "v0.15.2"  # v0.16 needs github.com/metallb/frr-k8s v0.0.27, absent from the proxy
KUBE_ROUTER = "v2.1.0"
LOCAL_PATH = "v0.0.30"
HELPER_IMAGE = "rancher/mirrored-library-busybox:1.36.1"
METALLB_HEALTH_PORT = 7472  # its metrics port, which the upstream manifest probes too


@dataclass(frozen=True)
class Settings:
    """What the manifests need to know about the cluster (all chosen by the node lifecycle)."""

    dns_ip: str                    # ClusterIP of kube-dns (the kubelet's clusterDNS)
    service_cidr: str              # e.g. 198.19.0.0/17
    lb_pool: str                   # LoadBalancer addresses, e.g. 198.19.255.0/24
    node_ip: str                   # the node's address (TEST-NET, on a dummy interface)
    storage_dir: str               # local-path volumes (under the cluster's state directory)
    cluster_domain: str = "cluster.local"
    http_port: int = 80            # Traefik on 127.0.0.1 and the node address
    ping_port: int = 19080         # Traefik's health entry point, on 127.0.0.1
    router_health_port: int = 20244
    node_hosts: dict[str, str] = field(default_factory=dict)  # extra name -> address for CoreDNS
    log_dir: str | None = None     # where the kubelet writes pod logs (shown on failure)


class _GoWithDebian(recipes.GoCommand):
    """A Go command plus Debian packages it runs (kube-router: iptables, ipset)."""

    def __init__(self, *args, packages: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.debian = packages

    def inputs(self, spec):
        return {**super().inputs(spec),
                **recipes.debian_versions(spec, [*self.debian, recipes.BUSYBOX], ())}

    def build(self, spec, rootfs, log, quiet):
        versions = recipes.debian_versions(spec, [*self.debian, recipes.BUSYBOX], ())
        recipes.debian.unpack(versions, rootfs, log)
        recipes.link_busybox(rootfs)
        # iptables-nft as Debian's alternatives would set it (no maintainer scripts ran).
        sbin = rootfs / "usr/sbin"
        for tool in ("iptables", "iptables-save", "iptables-restore", "ip6tables",
                     "ip6tables-save", "ip6tables-restore"):
            link = sbin / tool
            if not link.exists():
                link.symlink_to("xtables-nft-multi")
        recipes.debian.check_libraries(rootfs, ["/usr/sbin/xtables-nft-multi", "/usr/sbin/ipset"])
        config: ImageConfig = super().build(spec, rootfs, log, quiet)
        return config


def _specs() -> list[tuple[images_mod.Spec, recipes.Recipe]]:
    coredns_ld = ""  # CoreDNS reports its version from its own constant
    return [
        (images_mod.Spec(f"coredns/coredns:{COREDNS.lstrip('v')}", "addon"),
         recipes.GoCommand("github.com/coredns/coredns", COREDNS, module="github.com/coredns/coredns",
                           binary="coredns", ldflags=coredns_ld)),
        (images_mod.Spec(f"traefik:{TRAEFIK}", "addon"),
         recipes.GoCommand("github.com/traefik/traefik/v3/cmd/traefik", TRAEFIK,
                           module="github.com/traefik/traefik/v3", in_module=True,
                           ldflags=f"-X github.com/traefik/traefik/v3/pkg/version.Version={TRAEFIK}")),
        (images_mod.Spec(f"quay.io/metallb/controller:{METALLB}", "addon"),
         recipes.GoCommand("go.universe.tf/metallb/controller", METALLB, module="go.universe.tf/metallb",
                           in_module=True, binary="controller")),
        (images_mod.Spec(f"cloudnativelabs/kube-router:{KUBE_ROUTER}", "addon"),
         _GoWithDebian("github.com/cloudnativelabs/kube-router/v2/cmd/kube-router", KUBE_ROUTER,
                       module="github.com/cloudnativelabs/kube-router/v2", binary="kube-router",
                       path="/usr/local/bin/kube-router", packages=("iptables", "ipset"))),
        (images_mod.Spec(f"rancher/local-path-provisioner:{LOCAL_PATH}", "addon"),
         recipes.GoCommand("github.com/rancher/local-path-provisioner", LOCAL_PATH,
                           module="github.com/rancher/local-path-provisioner",
                           binary="local-path-provisioner")),
        (images_mod.Spec(HELPER_IMAGE, "busybox"), recipes.BUILTIN["busybox"]),
    ]


def image_names() -> list[str]:
    """The add-on images, as the manifests name them."""
    return [spec.name for spec, _ in _specs()]


def images(kube_version: str | None = None, *, quiet: bool = False) -> list[tuple[str, Path]]:
    """(name, OCI tarball) of every add-on image, built where not cached (one build at a time).

    The add-ons do not depend on the Kubernetes release (`kube_version` is accepted for the
    node lifecycle's uniform call)."""
    result = []
    for spec, recipe in _specs():
        images_mod.register(spec, recipe)
        result.append((spec.name, images_mod.build([spec], quiet=quiet)[0]))
    return result


# --------------------------------------------------------------------------- deploying


def _render(name: str, values: dict[str, object]) -> list[dict]:
    text = string.Template((MANIFESTS / name).read_text(encoding="utf-8")).substitute(values)
    return [doc for doc in yaml.safe_load_all(text) if doc]


def metallb_crds() -> list[dict]:
    """MetalLB's own CRDs, from its module source (config/crd/bases)."""
    log = gobuild.build_dir("controller", METALLB) / "build.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    src = gobuild.module_dir("go.universe.tf/metallb", METALLB, log)
    docs = []
    for path in sorted((src / "config/crd/bases").glob("*.yaml")):
        docs += [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    return docs


def manifests(settings: Settings) -> dict[str, list[dict]]:
    """Every add-on's documents, rendered for `settings` (in apply order)."""
    names = dict(zip(("coredns", "traefik", "metallb", "kube-router", "local-path"),
                     image_names()))
    hosts = {settings.node_ip: "diapo-node", **{v: k for k, v in settings.node_hosts.items()}}
    node_hosts = "\n".join(f"    {ip} {name}" for ip, name in hosts.items())
    common = {"cluster_domain": settings.cluster_domain, "dns_ip": settings.dns_ip,
              "node_ip": settings.node_ip, "http_port": settings.http_port,
              "ping_port": settings.ping_port, "service_cidr": settings.service_cidr,
              "lb_pool": settings.lb_pool, "storage_dir": settings.storage_dir,
              "helper_image": HELPER_IMAGE, "health_port": METALLB_HEALTH_PORT,
              "node_hosts": node_hosts}
    return {
        "coredns": _render("coredns.yaml", {**common, "image": names["coredns"]}),
        "traefik": _render("traefik.yaml", {**common, "image": names["traefik"]}),
        "metallb": metallb_crds() + _render("metallb.yaml", {**common, "image": names["metallb"]}),
        "kube-router": _render("kube-router.yaml", {**common, "image": names["kube-router"],
                                                   "health_port": settings.router_health_port}),
        "local-path": _render("local-path.yaml", {**common, "image": names["local-path"]}),
    }


# What "Ready" means for each add-on: (namespace, wait spec).
READY = {
    "coredns": ("kube-system", "deployment/coredns Available"),
    "traefik": ("kube-system", "deployment/traefik Available"),
    "metallb": ("metallb-system", "deployment/controller Available"),
    "kube-router": ("kube-system", "daemonset/kube-router"),
    "local-path": ("kube-system", "deployment/local-path-provisioner Available"),
}


def deploy(kubeconfig: str | Path, settings: Settings, *, timeout: float = 120.0,
           quiet: bool = False) -> dict[str, float]:
    """Apply every add-on and wait until each is Ready; return the seconds each took.

    Raises ClusterError with one French line (the add-on, what was seen, the log to read).
    """
    from diapo.cluster.client import Cluster

    cluster = Cluster(kubeconfig)
    docs = manifests(settings)
    started = time.monotonic()
    try:
        for name, documents in docs.items():
            crds = [d for d in documents if d["kind"] == "CustomResourceDefinition"]
            rest = [d for d in documents if d["kind"] != "CustomResourceDefinition"]
            try:
                cluster.apply(crds, namespace="kube-system", field_manager=FIELD_MANAGER)
                for crd in crds:
                    cluster.wait(f"customresourcedefinition/{crd['metadata']['name']} Established",
                                 namespace="kube-system", timeout=timeout)
                cluster.apply(rest, namespace="kube-system", field_manager=FIELD_MANAGER)
            except DiapoError as err:
                raise ClusterError(f"module complémentaire {name} : {err.message}") from None
        timings: dict[str, float] = {}
        for name, (namespace, spec) in READY.items():
            _wait_ready(cluster, name, namespace, spec, started + timeout, settings)
            timings[name] = round(time.monotonic() - started, 1)
        _apply_pool(cluster, _render("metallb-pool.yaml", {"lb_pool": settings.lb_pool}))
        gobuild.say(quiet, "modules complémentaires prêts : " + ", ".join(
            f"{name} {seconds:.0f} s" for name, seconds in timings.items()))
        return timings
    finally:
        cluster.close()


def _apply_pool(cluster, documents: list[dict]) -> None:
    """Server-side apply of MetalLB's v1beta1 objects by path: discovery lists only a group's
    preferred version (v1beta2, which has only BGPPeer)."""
    import json

    for doc in documents:
        plural = doc["kind"].lower() + "s"
        meta = doc["metadata"]
        cluster.request("PATCH", f"/apis/metallb.io/v1beta1/namespaces/{meta['namespace']}/"
                                 f"{plural}/{meta['name']}", body=json.dumps(doc),
                        content_type="application/apply-patch+yaml",
                        query={"fieldManager": FIELD_MANAGER, "force": "true"})


def _wait_ready(cluster, name: str, namespace: str, spec: str, deadline: float,
                settings: Settings) -> None:
    kind, _, what = spec.partition(" ")
    remaining = max(1.0, deadline - time.monotonic())
    try:
        if kind.startswith("daemonset/"):
            _wait_daemonset(cluster, kind.split("/", 1)[1], namespace, deadline)
        else:
            cluster.wait(spec, namespace=namespace, timeout=remaining)
    except DiapoError as err:
        where = f" — journaux des pods : {settings.log_dir}" if settings.log_dir else ""
        raise ClusterError(f"module complémentaire {name} pas prêt : {err.message}{where}",
                           hint=f"kubectl -n {namespace} describe {kind} ; "
                                f"kubectl -n {namespace} logs {kind}") from None


def _wait_daemonset(cluster, name: str, namespace: str, deadline: float) -> None:
    """A DaemonSet is ready when every scheduled pod is ready (polled: no condition to watch)."""
    resource = cluster.resource("daemonset", "apps/v1")
    while True:
        obj = cluster.get(resource, name, namespace) or {}
        status = obj.get("status", {})
        want = status.get("desiredNumberScheduled")
        if want and status.get("numberReady") == want and \
                status.get("observedGeneration") == obj["metadata"].get("generation"):
            return
        if time.monotonic() > deadline:
            raise ClusterError(f"daemonset/{name} : {status.get('numberReady', 0)}/{want or '?'} "
                               "pods prêts")
        time.sleep(0.5)
