"""A real node on this machine: containerd, kubelet and kube-proxy of the control plane's
release, pods on a CNI bridge, the node address (TEST-NET) on a dummy interface.

`begin()` prepares the machine (sysctls snapshotted first, dummy interface, isolation chains),
writes the configurations under `<state_dir>/node/`, starts containerd and imports the images
in the background (no registry: every image a deck uses is built locally and imported), while
the control plane starts; `start()` then starts the kubelet and kube-proxy and waits for the
node to be Ready and the images imported. `stop()` removes every trace: pods' processes and
cgroups, shims, daemons, mounts, network namespaces, interfaces, KUBE-/CNI- chains, directories
the kubelet and the CNI plugins hard-code (when they were not there before), and puts the
sysctls back. It is safe to call after a crash (it only needs `<state_dir>/node/state.json`,
or nothing at all).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from diapo.cluster import host, network, pki, processes, runtime
from diapo.errors import ClusterError

NAME = pki.NODE_NAME
COMPONENTS = ("containerd", "kubelet", "kube-proxy")
PAUSE_IMAGE = "registry.k8s.io/pause:3.10"  # when diapo.cluster.images names none
IMAGES_ENV = "DIAPO_NODE_IMAGES"  # extra OCI tarballs to import (paths, ':'-separated)


def node_dir(state_dir: Path) -> Path:
    """Everything of the node that is not hard-coded elsewhere: configs, containerd's root and
    state, the kubelet's root, pod logs, CNI configuration and IPAM state."""
    return state_dir / "node"


def _state_path(state_dir: Path) -> Path:
    return node_dir(state_dir) / "state.json"


def socket_path(state_dir: Path) -> Path:
    """containerd's socket (the kubelet and `ctr` talk to it)."""
    return node_dir(state_dir) / "run" / "containerd.sock"


SOCKET_PATH_MAX = 104  # containerd refuses a longer Unix socket path (sun_path, portably)
KUBELET_SOCKET_PATH_MAX = 107  # Go binds a Unix socket path shorter than Linux's sun_path


def kubelet_socket_path(state_dir: Path) -> Path:
    """The kubelet's longest socket under its root: the pod resources' one, bound first under
    a temporary name of up to ten digits (the kubelet exits when it does not fit)."""
    return node_dir(state_dir) / "kubelet" / "pod-resources" / ("9" * 10)


def path_problem(state_dir: Path) -> str | None:
    """Why a node cannot live in `state_dir`, or None: containerd's sockets (the longest is
    `containerd.sock.ttrpc`) and the kubelet's must fit in a Unix socket path."""
    containerd = len(os.fsencode(f"{socket_path(state_dir)}.ttrpc"))
    kubelet = len(os.fsencode(kubelet_socket_path(state_dir)))
    if containerd <= SOCKET_PATH_MAX and kubelet <= KUBELET_SOCKET_PATH_MAX:
        return None
    return (f"le répertoire d'état {state_dir} est trop long pour les sockets du nœud "
            f"(containerd : {containerd} octets, {SOCKET_PATH_MAX} au plus ; "
            f"kubelet : {kubelet} octets, {KUBELET_SOCKET_PATH_MAX} au plus)")


def _say(quiet: bool, text: str) -> None:
    if not quiet:
        print(f"diapo cluster: {text}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- images


def provider(name: str):
    """`diapo.cluster.images` or `diapo.cluster.addons` (the add-ons helper's modules), or
    None where they are absent."""
    import importlib

    try:
        return importlib.import_module(f"diapo.cluster.{name}")
    except ImportError:
        return None


def images_available() -> bool:
    """Whether the node has images to run: `diapo.cluster.images` or $DIAPO_NODE_IMAGES."""
    images = provider("images")
    return bool(os.environ.get(IMAGES_ENV)) or (images is not None and
                                                hasattr(images, "pause"))


def _project_root() -> Path | None:
    from diapo import config
    from diapo.errors import DiapoError

    try:
        return config.find_root()
    except DiapoError:
        return None


def gather_images(version: str, quiet: bool, full: bool = True) -> tuple[str, list[Path]]:
    """(sandbox image name, OCI tarballs to import): pause of this release, every image the
    project's decks declare, the add-ons' images (all built and cached by
    `diapo.cluster.images` / `diapo.cluster.addons`), then $DIAPO_NODE_IMAGES. Not `full`:
    pause and $DIAPO_NODE_IMAGES only (a node for the node's own tests)."""
    pause, tarballs = PAUSE_IMAGE, []
    images = provider("images")
    if images is not None and hasattr(images, "pause"):
        pause, pause_tar = images.pause(version, quiet=quiet)
        tarballs.append(Path(pause_tar))
        root = _project_root() if full else None
        if root is not None:
            tarballs += [Path(t) for t in images.build(images.project_images(root),
                                                       quiet=quiet)]
        addons = provider("addons") if full else None
        if addons is not None and hasattr(addons, "images"):
            tarballs += [Path(t) for _, t in addons.images(version, quiet=quiet)]
    tarballs += [Path(p) for p in os.environ.get(IMAGES_ENV, "").split(":") if p]
    return pause, list(dict.fromkeys(tarballs))


def import_images(state_dir: Path, rt: runtime.Runtime, tarballs: list[Path]) -> None:
    """Import OCI tarballs into the node's image store (namespace k8s.io, unpacked, pinned)."""
    images = provider("images")
    if images is not None and hasattr(images, "import_into"):
        images.import_into(socket_path(state_dir), tarballs, ctr=str(rt.ctr))
        return
    log = processes.log_path(state_dir, "images")
    with open(log, "a", encoding="utf-8") as out:
        for tarball in tarballs:
            if not tarball.is_file():
                raise ClusterError(f"image introuvable : {tarball}")
            proc = subprocess.run(
                [str(rt.ctr), "--address", str(socket_path(state_dir)), "--namespace", "k8s.io",
                 "images", "import", "--snapshotter", "overlayfs", str(tarball)],
                stdout=out, stderr=subprocess.STDOUT, timeout=300)
            if proc.returncode != 0:
                raise ClusterError(f"import de l'image {tarball.name} refusé par containerd "
                                   f"— journal : {log}")


def deploy_addons(kubeconfig: Path, state_dir: Path, timeout: float) -> None:
    """CoreDNS, Traefik, the LoadBalancer controller, kube-router and local-path-provisioner
    (`diapo.cluster.addons`), where that module is present."""
    addons = provider("addons")
    if addons is None or not hasattr(addons, "deploy"):
        return
    settings = addons.Settings(
        dns_ip=network.DNS_SERVICE_IP, service_cidr=network.SERVICE_CIDR,
        lb_pool=network.LB_POOL, node_ip=network.NODE_IP,
        storage_dir=str(node_dir(state_dir) / "storage"),
        log_dir=str(node_dir(state_dir) / "pod-logs"))
    addons.deploy(kubeconfig, settings, timeout=timeout)


# --------------------------------------------------------------------------- configuration


def _containerd_config(state_dir: Path, cni_bin: Path, pause: str = PAUSE_IMAGE) -> str:
    base = node_dir(state_dir)
    cri = 'plugins."io.containerd.grpc.v1.cri"'
    return f"""version = 2
root = "{base / 'containerd' / 'root'}"
state = "{base / 'containerd' / 'state'}"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
                    "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "{socket_path(state_dir)}"
[debug]
  level = "warn"
[{cri}]
  sandbox_image = "{pause}"
  # The machine gives no CAP_SYS_RESOURCE: a sandbox may not lower its OOM score below ours.
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [{cri}.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [{cri}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [{cri}.containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "{host.tool('runc')}"
  [{cri}.cni]
    bin_dir = "{cni_bin}"
    conf_dir = "{base / 'cni' / 'net.d'}"
"""


def _cni_config(state_dir: Path) -> dict:
    # No masquerade: pods talk to the cluster's own addresses only (host.install_isolation).
    return {"cniVersion": "1.0.0", "name": "diapo", "plugins": [
        {"type": "bridge", "bridge": network.BRIDGE_IF, "isGateway": True, "ipMasq": False,
         "hairpinMode": True,
         "ipam": {"type": "host-local", "ranges": [[{"subnet": network.NODE_POD_CIDR}]],
                  "routes": [{"dst": "0.0.0.0/0"}],
                  "dataDir": str(node_dir(state_dir) / "cni" / "ipam")}},
        {"type": "portmap", "capabilities": {"portMappings": True}},
    ]}


def _kubelet_config(state_dir: Path, keys: pki.Pki, ports: dict[str, int]) -> dict:
    base = node_dir(state_dir)
    return {
        "apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
        "address": network.NODE_IP, "port": ports["kubelet"],
        "healthzBindAddress": "127.0.0.1", "healthzPort": ports["kubelet-healthz"],
        "readOnlyPort": 0,
        # The machine has cgroup v1 only and no systemd.
        "cgroupDriver": "cgroupfs", "failCgroupV1": False, "failSwapOn": False,
        "containerRuntimeEndpoint": f"unix://{socket_path(state_dir)}",
        "authentication": {"anonymous": {"enabled": False}, "webhook": {"enabled": False},
                           "x509": {"clientCAFile": str(keys.ca_cert)}},
        "authorization": {"mode": "AlwaysAllow"},
        "oomScoreAdj": 0,  # no CAP_SYS_RESOURCE
        # Images cannot be pulled again (no registry): never garbage-collect them.
        "imageGCHighThresholdPercent": 100, "imageGCLowThresholdPercent": 99,
        "evictionHard": {"memory.available": "50Mi", "nodefs.available": "1%",
                         "imagefs.available": "1%", "nodefs.inodesFree": "1%"},
        "clusterDNS": [network.DNS_SERVICE_IP], "clusterDomain": network.CLUSTER_DOMAIN,
        "resolvConf": "",  # no upstream resolver: nothing leaves the machine
        "podLogsDir": str(base / "pod-logs"),
        "podCIDR": network.NODE_POD_CIDR,
        "serializeImagePulls": False,
        "registerWithTaints": [],
        "shutdownGracePeriod": "0s",
    }


def _kube_proxy_config(state_dir: Path, ports: dict[str, int]) -> dict:
    return {
        "apiVersion": "kubeproxy.config.k8s.io/v1alpha1", "kind": "KubeProxyConfiguration",
        "clientConnection": {"kubeconfig": str(state_dir / "components.kubeconfig")},
        "mode": "iptables", "clusterCIDR": network.POD_CIDR, "hostnameOverride": NAME,
        "healthzBindAddress": f"127.0.0.1:{ports['kube-proxy-healthz']}",
        "metricsBindAddress": f"127.0.0.1:{ports['kube-proxy-metrics']}",
        "nodePortAddresses": [f"{network.NODE_IP}/32"],
        # Rules follow a change within 50 ms, not after the default 1 s batch: verify runs the
        # next step (`curl` to a Service just created) sooner than any student types it, and
        # a Service seen before its endpoints is a REJECT meanwhile. (0 means the default.)
        "iptables": {"minSyncPeriod": "50ms"},
        # 0: leave the machine's conntrack settings alone.
        "conntrack": {"maxPerCore": 0, "min": 0, "tcpEstablishedTimeout": "0s",
                      "tcpCloseWaitTimeout": "0s"},
    }


def _node_kubeconfig(server: str, keys: pki.Pki) -> str:
    return yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "local", "cluster": {"server": server,
                                                   "certificate-authority": str(keys.ca_cert)}}],
        "users": [{"name": NAME, "user": {"client-certificate": str(keys.node_cert),
                                          "client-key": str(keys.node_key)}}],
        "contexts": [{"name": "local", "context": {"cluster": "local", "user": NAME}}],
        "current-context": "local",
    })


# --------------------------------------------------------------------------- start


@dataclass
class Begun:
    """A node's first half, started before the control plane: containerd runs and the images
    are being imported in the background (neither needs the API server)."""

    state_dir: Path
    rt: runtime.Runtime
    env_path: str
    containerd: processes.Proc
    tarballs: list[Path]
    failure: BaseException | None = None
    seconds: float = 0.0
    importer: threading.Thread = field(init=False)

    def __post_init__(self) -> None:
        self.importer = threading.Thread(target=self._import, name="diapo-images", daemon=True)
        self.importer.start()

    def _import(self) -> None:
        started = time.monotonic()
        try:
            import_images(self.state_dir, self.rt, self.tarballs)
        except BaseException as exc:  # re-raised by `joined` in the starting thread
            self.failure = exc
        self.seconds = time.monotonic() - started

    def joined(self, wait: Callable[[str, str, list[processes.Proc], Callable[[], bool]], None]
               ) -> None:
        """Wait for the import (under the start's deadline); raise its error, if any."""
        wait("import des images", "containerd", [self.containerd],
             lambda: not self.importer.is_alive())
        if self.failure is not None:
            raise self.failure


def begin(state_dir: Path, keys: pki.Pki, ports: dict[str, int], node_server: str,
          prepared: tuple[str, list[Path]],
          wait: Callable[[str, str, list[processes.Proc], Callable[[], bool]], None]) -> Begun:
    """Prepare the machine, write the configurations, start containerd and begin importing
    the images; `start()` finishes once the API server is up.

    `wait(what, blame, procs, check)` polls with the start's deadline and error messages.
    """
    base = node_dir(state_dir)
    rt = runtime.ensure(quiet=True)  # built before the deadline (`local._up_locked`)
    cni_bin = host.cni_dir()
    if cni_bin is None:
        raise ClusterError("greffons CNI absents (paquet containernetworking-plugins)")
    pause, tarballs = prepared  # gather_images(), before the start's deadline runs
    stop(state_dir)  # the leftovers of a crashed run, if any
    for sub in ("run", "cni/net.d", "cni/ipam", "pod-logs", "kubelet", "containerd"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    preexisting = [d for d in host.HARD_CODED_DIRS if Path(d).exists()]
    state = {"sysctls": host.snapshot_sysctls(), "preexisting": preexisting,
             "nft_tables": host.nft_tables(),
             "socket": str(socket_path(state_dir)), "runtime": rt.version}
    _state_path(state_dir).write_text(json.dumps(state, indent=2))

    host.set_sysctl("net/ipv4/ip_forward", "1")
    if Path("/proc/sys/net/bridge/bridge-nf-call-iptables").exists():
        host.set_sysctl("net/bridge/bridge-nf-call-iptables", "1")
    host.add_dummy(str(state_dir))
    host.install_isolation(ports["kube-apiserver"])

    (base / "containerd.toml").write_text(_containerd_config(state_dir, cni_bin, pause))
    (base / "cni" / "net.d" / "10-diapo.conflist").write_text(
        json.dumps(_cni_config(state_dir), indent=2))
    (base / "kubelet.yaml").write_text(yaml.safe_dump(_kubelet_config(state_dir, keys, ports)))
    (base / "kube-proxy.yaml").write_text(yaml.safe_dump(_kube_proxy_config(state_dir, ports)))
    (base / "kubelet.kubeconfig").write_text(_node_kubeconfig(node_server, keys))
    (base / "kubelet.kubeconfig").chmod(0o600)

    env_path = ":".join([*rt.bin_dirs(), os.environ.get("PATH", "")])
    containerd = processes.start(state_dir, "containerd",
                                 [str(rt.containerd), "--config", str(base / "containerd.toml")],
                                 env={**os.environ, "PATH": env_path})
    wait("containerd (socket)", "containerd", [containerd],
         lambda: socket_path(state_dir).is_socket() and _ctr_ok(rt, state_dir))
    return Begun(state_dir, rt, env_path, containerd, tarballs)  # the import starts


def start(state_dir: Path, kubelet: Path, kube_proxy: Path, ports: dict[str, int],
          quiet: bool, begun: Begun,
          wait: Callable[[str, str, list[processes.Proc], Callable[[], bool]], None],
          node_ready: Callable[[], bool]) -> list[processes.Proc]:
    """Start the kubelet and kube-proxy of a `begin()`-ed node; return once the node is Ready,
    kube-proxy healthy and every image imported."""
    base = node_dir(state_dir)
    env = {**os.environ, "PATH": begun.env_path}
    kubelet_proc = processes.start(state_dir, "kubelet", [
        str(kubelet), f"--config={base / 'kubelet.yaml'}",
        f"--kubeconfig={base / 'kubelet.kubeconfig'}", f"--root-dir={base / 'kubelet'}",
        f"--cert-dir={base / 'kubelet' / 'pki'}", f"--node-ip={network.NODE_IP}",
        f"--hostname-override={NAME}", "--v=1"], env=env)
    proxy = processes.start(state_dir, "kube-proxy", [
        str(kube_proxy), f"--config={base / 'kube-proxy.yaml'}", "--v=1"], env=env)
    procs = [begun.containerd, kubelet_proc, proxy]
    wait(f"nœud {NAME} Ready", "kubelet", procs, node_ready)
    wait("kube-proxy (/healthz)", "kube-proxy", procs,
         lambda: _healthz(ports["kube-proxy-healthz"]))
    begun.joined(wait)
    _say(quiet, f"{len(begun.tarballs)} images importées ({begun.seconds:.1f} s, pendant le "
                f"démarrage du plan de contrôle)")
    return procs


def _ctr_ok(rt: runtime.Runtime, state_dir: Path) -> bool:
    proc = subprocess.run([str(rt.ctr), "--address", str(socket_path(state_dir)),
                                "version"], capture_output=True, timeout=10)
    return proc.returncode == 0


def _healthz(port: int) -> bool:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
        return response.status == 200


# --------------------------------------------------------------------------- stop


_DAEMON_PATH = re.compile(
    r"(/\S+)/node/(?:containerd\.toml|kubelet\.yaml|kube-proxy\.yaml|run/containerd\.sock)")


def holder() -> Path | None:
    """The state directory of the real node that holds this machine (or left traces on it):
    the one written on its interface, else the one a live daemon or shim names, else None."""
    owner = host.dummy_owner()
    if owner:
        return Path(owner)
    for _pid, cmdline in host.command_lines():
        if found := _DAEMON_PATH.search(cmdline):
            return Path(found.group(1))
    return None


def stop(state_dir: Path, *, force: bool = False) -> bool:
    """Stop the node and put the machine back as it was; True if anything was left to remove.
    `force`: sweep the machine even when `state_dir` holds no record of a node (traces left
    by a node whose state directory is gone)."""
    base = node_dir(state_dir)
    try:
        state = json.loads(_state_path(state_dir).read_text())
    except (FileNotFoundError, ValueError):
        state = None
    if not force and state is None and not base.exists() and not any(
            processes.recorded(state_dir, name) for name in COMPONENTS):
        return False
    # kube-proxy and the kubelet first, so nothing restarts the pods we kill.
    processes.stop(state_dir, ["kube-proxy", "kubelet"])
    host.kill_cgroup_tree("kubepods")
    # The shims name containerd's socket on their command line; a daemon whose pid file was
    # lost (a crash while starting) names its configuration: both are under `base`.
    host.kill_matching(str(base) + "/")
    processes.stop(state_dir, ["containerd"])
    host.kill_matching(str(base) + "/")
    host.unmount_all(base)
    for folder in ("/run/netns", "/var/run/netns"):  # containerd 1.6 puts netns here
        for entry in Path(folder).glob("cni-*") if Path(folder).is_dir() else []:
            host.unmount_all(entry)
            entry.unlink(missing_ok=True)
    host.remove_interfaces()
    host.remove_chains()
    if state is not None:
        host.restore_sysctls(state.get("sysctls", {}))
        host.remove_new_empty_tables(state.get("nft_tables", []))
        for folder in host.HARD_CODED_DIRS:
            if folder not in state.get("preexisting", []) and Path(folder).is_dir() and \
                    not host.mounts_under(Path(folder)):
                shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(base, ignore_errors=True)
    return True


def leftovers(state_dir: Path) -> dict[str, list[str]]:
    """What a stopped node must not leave: processes, mounts, interfaces, netns, chains."""
    mine = str(node_dir(state_dir)) + "/"
    return {
        "processes": [str(pid) for pid in host.processes_matching(mine)] + [
            name for name in COMPONENTS
            if (proc := processes.recorded(state_dir, name)) and proc.alive()],
        "mounts": host.mounts_under(node_dir(state_dir)),
        "interfaces": host.interfaces_left(),
        "netns": [str(p) for folder in ("/run/netns", "/var/run/netns")
                  if Path(folder).is_dir() for p in Path(folder).glob("cni-*")]
        + [str(p) for p in (node_dir(state_dir) / "containerd" / "state").glob("**/netns/*")],
        "chains": host.chains_left(),
        "cgroups": [str(p) for p in host.cgroup_dirs("kubepods")],
    }
