"""The local cluster: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, and
either one real node (containerd, kubelet, kube-proxy: `diapo.cluster.node`) or kwok (two
simulated nodes), in a state directory (`.diapo/cluster/` by default).

Which nodes: `up(nodes="real"|"simulated")`, else `$DIAPO_NODES`, else the `nodes` setting
(`auto`: real wherever the machine can run containers, else kwok with one line saying why).

`up()` starts it (a no-op when it already runs; leftovers of a crashed run are stopped and
cleared first), `down()` stops it (apiserver before etcd, no process left behind), `status()`
prints what runs. Readiness is polled with timeouts, never slept on; when a component fails,
the error shows the tail of its log.

State directory layout: `pki/` (kept across runs so kubeconfigs stay valid), `kubeconfig` (for
users, context `diapo-local`), `components.kubeconfig`, `cluster.json` (version, ports),
`run/<name>.pid`, `logs/<name>.log`, `etcd/` (data, wiped at each start).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import socket
import ssl
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from diapo.cluster import binaries, host, network, node, pki, processes, runtime
from diapo.cluster.ready import is_ready
from diapo.errors import ClusterError

CONTEXT = "diapo-local"
NODES = ("node-1", "node-2")  # simulated (kwok)
REAL_NODES = (node.NAME,)
REAL, SIMULATED = "real", "simulated"
NODES_ENV = "DIAPO_NODES"
CONTROL_PLANE = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")
# Start order; `down` stops in reverse, so the apiserver stops before etcd.
COMPONENTS = (*CONTROL_PLANE, "kwok")
REAL_COMPONENTS = (*CONTROL_PLANE, *node.COMPONENTS)
SERVICE_CIDR = network.SERVICE_CIDR
POD_CIDR = network.POD_CIDR
KWOK_ANNOTATION = "kwok.x-k8s.io/node"
NODE_CAPACITY = {"cpu": "8", "memory": "32Gi", "pods": "110"}
DEFAULT_TIMEOUT = 180.0  # generous: CI machines can be heavily loaded


@dataclass(frozen=True)
class LocalCluster:
    """A running local control plane, as tests and the demo runner see it."""

    state_dir: Path
    kubeconfig: Path
    server: str
    version: str
    context: str = CONTEXT
    nodes: str = SIMULATED  # "real" or "simulated"

    @property
    def node_names(self) -> tuple[str, ...]:
        """The names of this cluster's nodes."""
        return REAL_NODES if self.nodes == REAL else NODES


def components(nodes: str) -> tuple[str, ...]:
    """The processes of a cluster with `nodes` ("real" or "simulated"), in start order."""
    return REAL_COMPONENTS if nodes == REAL else COMPONENTS


def _asked(nodes: str | None) -> str:
    return (nodes or os.environ.get(NODES_ENV) or binaries.setting("nodes", "auto")).strip()


def choose_nodes(nodes: str | None = None, *, quiet: bool = False,
                 state_dir: Path | None = None) -> str:
    """"real" or "simulated": `nodes`, else $DIAPO_NODES, else the `nodes` setting; `auto`
    means real where the machine allows it, else simulated with one line saying why. A real
    node is machine-global, so `auto` gives one only to the project's own cluster (not to the
    extra ones of a version matrix or a test, in other state directories).

    Raises ClusterError when real nodes are asked for and the machine cannot run them.
    """
    wanted = _asked(nodes)
    if wanted not in (REAL, SIMULATED, "auto"):
        raise ClusterError(f"--nodes {wanted!r} inconnu (attendu : real, simulated ou auto)")
    if wanted == SIMULATED:
        return SIMULATED
    if wanted == "auto" and state_dir is not None and state_dir != default_state_dir():
        return SIMULATED
    here = _dir(state_dir)
    reason = host.why_not_real() or node.path_problem(here)
    if reason is None and host.real_node_running():
        reason = _claim_machine(here, quiet)
    if reason is None and wanted == "auto" and not node.images_available():
        reason = "les images des conteneurs (diapo.cluster.images) ne sont pas disponibles"
    if reason is None:
        return REAL
    if wanted == REAL:
        raise ClusterError(f"nœuds réels impossibles : {reason}",
                           hint="invoke cluster.up --nodes simulated")
    _say(quiet, f"nœuds simulés (kwok) : {reason}")
    return SIMULATED


def real_node_elsewhere(state_dir: Path | None = None) -> Path | None:
    """The state directory of another cluster whose real node runs on this machine (a real
    node is machine-global), or None: the machine is free, or holds only the traces of a node
    nobody runs any more, which `up` removes."""
    with _other_holder(_dir(state_dir)) as (owner, in_use):
        return owner if in_use else None


@contextmanager
def _other_holder(state_dir: Path) -> Iterator[tuple[Path | None, bool]]:
    """(holder, in use) of the machine's real node, as seen from `state_dir`: the holder's
    state directory when it is another one (None otherwise), and whether its cluster is in
    use (starting, stopping, or every component alive). A holder not in use stays locked
    until the block ends, so its traces can be removed without a race."""
    owner = node.holder()
    if owner is None or owner.resolve() == state_dir:
        yield None, False
        return
    with _try_locked(owner) as free:
        yield owner, not free or _alive(owner, _read_state(owner))


def _claim_machine(state_dir: Path, quiet: bool) -> str | None:
    """Why another cluster's real node keeps `state_dir` from having one; else None, once the
    traces of a node nobody runs are gone: a cluster stopped by a crash or a SIGKILL, whose
    record may be gone with its directory (a fresh clone where an old one was)."""
    with _other_holder(state_dir) as (owner, in_use):
        if in_use:
            return f"le nœud réel du cluster local de {owner} tourne déjà sur cette machine"
        if owner is not None:
            _stop_all(owner)  # with its record, when it still has one: sysctls restored
    if owner is not None:
        host.kill_matching(f"{owner}/")  # a control plane whose directory was removed
    node.stop(owner or state_dir, force=True)
    if host.real_node_running():
        return ("les restes d'un nœud réel précédent n'ont pas pu être supprimés "
                f"(interface {network.DUMMY_IF}, /sys/fs/cgroup/*/kubepods)")
    _say(quiet, "restes d'un nœud réel arrêté sans « cluster.down » supprimés"
                f"{f' ({owner})' if owner else ''}")
    return None


def default_state_dir() -> Path:
    """`$DIAPO_CLUSTER_DIR`, else `state_dir` of the diapo plugin in mkdocs.yml, under the
    project root."""
    from diapo import config

    if os.environ.get("DIAPO_CLUSTER_DIR"):
        return Path(os.environ["DIAPO_CLUSTER_DIR"]).resolve()
    cfg, root = config.load()
    return (root / cfg["state_dir"]).resolve()


def _dir(state_dir: Path | None) -> Path:
    return Path(state_dir or default_state_dir()).resolve()


def _say(quiet: bool, text: str) -> None:
    if not quiet:
        print(f"diapo cluster: {text}", file=sys.stderr, flush=True)


@contextmanager
def _locked(state_dir: Path) -> Iterator[None]:
    """Serialize up/down on one state directory (parallel test sessions share it)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with open(state_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _try_locked(state_dir: Path) -> Iterator[bool]:
    """Another state directory's lock, if it is free right now (never waits: its owner may
    be starting or stopping); True as well when the directory or its lock no longer exist."""
    with ExitStack() as stack:
        try:
            handle = stack.enter_context(open(state_dir / ".lock", "r+"))
        except OSError:
            yield True
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        stack.callback(fcntl.flock, handle, fcntl.LOCK_UN)
        yield True


# --------------------------------------------------------------------------- public API


def build(version: str | None = None, *, quiet: bool = False) -> None:
    """`invoke cluster.build`: everything a cluster of `version` needs, built or found in the
    cache: the control plane, kwok, kubectl, the node binaries and containerd; where a real
    node can run here (and `nodes` is not `simulated`), every image it imports too (pause, the
    add-ons', the decks'). A first build takes minutes: better before the tests or a class than
    inside a start's deadline."""
    bins = binaries.ensure_all(version, quiet=quiet)
    runtime.ensure(quiet=quiet)
    if _asked(None) != SIMULATED and host.why_not_real() is None and node.images_available():
        node.gather_images(bins.version, quiet)


def up(version: str | None = None, *, nodes: str | None = None, state_dir: Path | None = None,
       port: int | None = None, timeout: float = DEFAULT_TIMEOUT, quiet: bool = False,
       addons: bool = True) -> LocalCluster:
    """Start the local cluster (or return the running one) and print the export line.

    `version` is any Kubernetes release 1.Y.Z (built and cached on first use); `nodes` is
    "real", "simulated" or None (see `choose_nodes`). `port` fixes the apiserver port (a free
    one is picked otherwise). `addons=False`: a real node without the add-ons and with only
    the pause image and $DIAPO_NODE_IMAGES (the node's own tests). Raises ClusterError on a missing Go, a failed build, a taken
    port, a component that dies or is not ready in time (with the log file to read).
    """
    state_dir = _dir(state_dir)
    with _locked(state_dir):
        cluster = _up_locked(state_dir, version, port, timeout, quiet, owner="user",
                             nodes=nodes, addons=addons)
    _print_export(cluster, quiet)
    return cluster


def _up_locked(state_dir: Path, version: str | None, port: int | None, timeout: float,
               quiet: bool, owner: str, nodes: str | None = None, addons: bool = True
               ) -> LocalCluster:
    """`up` under the state-directory lock; `owner` is "user" (kept) or "session" (stopped
    when the last test session using it ends)."""
    running = _running(state_dir)
    if running is not None:
        if version and binaries.normalize(version) != running.version:
            raise ClusterError(
                f"le cluster local tourne déjà en v{running.version}, pas en "
                f"v{binaries.normalize(version)}", hint="invoke cluster.down d'abord")
        asked = nodes or os.environ.get(NODES_ENV)
        if asked in (REAL, SIMULATED) and asked != running.nodes:
            raise ClusterError(
                f"le cluster local tourne déjà avec des nœuds "
                f"{'réels' if running.nodes == REAL else 'simulés'}",
                hint="invoke cluster.down d'abord")
        if owner == "user":  # an explicit `up` keeps a cluster a test session started
            _update_state(state_dir, owner="user")
        _say(quiet, f"déjà démarré (Kubernetes v{running.version}, {running.server})")
        return running
    node.stop(state_dir)  # this directory's node, left by a crash: before looking around
    mode = choose_nodes(nodes, quiet=quiet, state_dir=state_dir)
    bins = binaries.ensure_all(version, quiet=quiet)
    # containerd and the images are built (or found in the cache) before the start's
    # deadline runs.
    prepared = None
    if mode == REAL:
        runtime.ensure(quiet=quiet)
        try:
            prepared = node.gather_images(bins.version, quiet, addons)
        except ClusterError as exc:
            if _asked(nodes) == REAL:
                raise
            _say(quiet, f"nœuds simulés (kwok) : images indisponibles "
                        f"({exc.message.splitlines()[0]})")
            mode = SIMULATED
    _stop_all(state_dir)  # leftovers of a crashed run, if any
    started = time.monotonic()
    try:
        cluster = _start(state_dir, bins, port, timeout, quiet, mode, addons, prepared)
    except BaseException:
        _stop_all(state_dir)
        raise
    _update_state(state_dir, owner=owner)
    kind = "nœud réel" if mode == REAL else "nœuds simulés"
    _say(quiet, f"prêt en {time.monotonic() - started:.1f} s : Kubernetes v{cluster.version}"
                f", {kind} {', '.join(cluster.node_names)}, {cluster.server}")
    return cluster


@contextmanager
def shared(version: str | None = None, *, nodes: str | None = None,
           state_dir: Path | None = None, timeout: float = DEFAULT_TIMEOUT,
           quiet: bool = True) -> Iterator[LocalCluster]:
    """Use the local cluster for a while (a pytest session): reuse the running one, or start
    one; on exit, stop it only if a session started it and no other live session uses it.

    Parallel sessions on one checkout (several `pytest` runs) register in `sessions/` so the
    first to finish never pulls the cluster from under the others.
    """
    state_dir = _dir(state_dir)
    me = processes.register(state_dir / "sessions")
    try:
        with _locked(state_dir):
            cluster = _up_locked(state_dir, version, None, timeout, quiet, owner="session",
                                 nodes=nodes)
        yield cluster
    finally:
        me.unlink(missing_ok=True)
        with _locked(state_dir):
            state = _read_state(state_dir) or {}
            if state.get("owner") == "session" and not processes.live_registrations(
                    state_dir / "sessions"):
                _stop_all(state_dir)


def down(*, state_dir: Path | None = None, quiet: bool = False) -> None:
    """Stop the local control plane, apiserver before etcd, and say whether one was running.

    (Returns None: invoke treats an int result as an exit code.)
    """
    state_dir = _dir(state_dir)
    was_running = False
    if state_dir.is_dir():
        with _locked(state_dir):
            was_running = _stop_all(state_dir)
    _say(quiet, "cluster local arrêté, machine remise en l'état" if was_running
         else "aucun cluster local à arrêter")


def running(state_dir: Path | None = None) -> LocalCluster | None:
    """The running local cluster (every component alive, apiserver ready), or None."""
    return _running(_dir(state_dir))


def status(*, state_dir: Path | None = None) -> int:
    """Print whether the local control plane runs, its version, nodes and kubeconfig.

    Returns 0 when it runs, 1 otherwise (so scripts can test it).
    """
    state_dir = _dir(state_dir)
    cluster = _running(state_dir)
    procs = {name: processes.recorded(state_dir, name)
             for name in dict.fromkeys((*REAL_COMPONENTS, *COMPONENTS))}
    if cluster is None:
        alive = [name for name, proc in procs.items() if proc and proc.alive()]
        print("cluster local : arrêté" + (f" (processus restants : {', '.join(alive)} ; "
                                           "invoke cluster.down les arrête)" if alive else ""))
        return 1
    kind = "nœud réel" if cluster.nodes == REAL else "nœuds simulés (kwok)"
    print(f"cluster local : démarré — Kubernetes v{cluster.version}, {kind}")
    print(f"  serveur     : {cluster.server}")
    print(f"  kubeconfig  : {cluster.kubeconfig} (contexte {cluster.context})")
    for item in _api(state_dir, "GET", "/api/v1/nodes")["items"]:
        ready = is_ready(item)
        print(f"  nœud        : {item['metadata']['name']} "
              f"({'Ready' if ready else 'NotReady'})")
    rss = control_plane_rss(state_dir)
    print(f"  mémoire     : {rss / 2**20:.0f} Mio (RSS des processus du cluster"
          f"{', conteneurs compris' if cluster.nodes == REAL else ''})")
    print(f"  export KUBECONFIG={cluster.kubeconfig}")
    return 0


def control_plane_rss(state_dir: Path | None = None) -> int:
    """Sum of the resident memory of the running cluster's processes, in bytes: the control
    plane, kwok or the node's daemons, and on a real node the shims and every container."""
    state_dir = _dir(state_dir)
    state = _read_state(state_dir) or {}
    mode = state.get("nodes", SIMULATED)
    procs = [processes.recorded(state_dir, name) for name in components(mode)]
    pids = {proc.pid for proc in procs if proc and proc.alive()}
    if mode == REAL:
        pids |= set(host.processes_matching(str(node.socket_path(state_dir))))
        pids |= set(host.cgroup_pids("kubepods"))
    return sum(processes.rss_bytes(pid) for pid in pids)


# --------------------------------------------------------------------------- state


def _state_file(state_dir: Path) -> Path:
    return state_dir / "cluster.json"


def _read_state(state_dir: Path) -> dict | None:
    try:
        return json.loads(_state_file(state_dir).read_text())
    except (FileNotFoundError, ValueError):
        return None


def _update_state(state_dir: Path, **changes: object) -> None:
    state = _read_state(state_dir) or {}
    state.update(changes)
    tmp = _state_file(state_dir).with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2))
    tmp.replace(_state_file(state_dir))


def _alive(state_dir: Path, state: dict | None) -> bool:
    """Whether the cluster `state` records in `state_dir` has every component alive."""
    if state is None:
        return False
    procs = [processes.recorded(state_dir, name)
             for name in components(state.get("nodes", SIMULATED))]
    return all(proc and proc.alive() for proc in procs)


def _running(state_dir: Path) -> LocalCluster | None:
    state = _read_state(state_dir)
    if state is None or not _alive(state_dir, state):
        return None
    mode = state.get("nodes", SIMULATED)
    try:
        if _get(state_dir, "/readyz")[0] != 200:
            return None
    except (OSError, ssl.SSLError):
        return None
    return LocalCluster(state_dir, state_dir / "kubeconfig", state["server"], state["version"],
                   nodes=mode)


def _stop_all(state_dir: Path) -> bool:
    """Stop every recorded component in reverse start order; True if any was alive."""
    procs = [processes.recorded(state_dir, name)
             for name in dict.fromkeys((*REAL_COMPONENTS, *COMPONENTS))]
    was_running = any(proc and proc.alive() for proc in procs)
    # The node first (its pods, daemons and every trace on the machine), then the clients of
    # the apiserver (together), then the apiserver, then etcd.
    was_running = node.stop(state_dir) or was_running
    processes.stop(state_dir, ["kwok", "kube-scheduler", "kube-controller-manager"])
    processes.stop(state_dir, ["kube-apiserver"])
    processes.stop(state_dir, ["etcd"])
    _state_file(state_dir).unlink(missing_ok=True)
    return was_running


def _print_export(cluster: LocalCluster, quiet: bool) -> None:
    if quiet:
        return
    print(f"export KUBECONFIG={cluster.kubeconfig}", flush=True)
    # The kubectl diapo built for this release: the machine's may be outside the version skew.
    kubectl = binaries.kubectl_for(cluster.version)
    if kubectl is not None:
        print(f'export PATH="{kubectl.parent}:$PATH"', flush=True)


# --------------------------------------------------------------------------- starting


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check_port(port: int, address: str = "127.0.0.1") -> None:
    """Raise ClusterError when `address`:`port` is already taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As Go's listeners do: connections of a killed server left in TIME_WAIT do not keep
        # the port from being listened on again; a live listener still does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, port))
        except OSError:
            raise ClusterError(f"le port {address}:{port} est déjà pris",
                               hint="choisissez un autre port ou arrêtez le processus qui "
                                    "l'utilise (ss -ltnp)") from None


def _kubeconfig(server: str, keys: pki.Pki) -> str:
    def b64(path: Path) -> str:
        return base64.b64encode(path.read_bytes()).decode()

    return yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": CONTEXT, "cluster": {
            "server": server, "certificate-authority-data": b64(keys.ca_cert)}}],
        "users": [{"name": "diapo-admin", "user": {
            "client-certificate-data": b64(keys.admin_cert),
            "client-key-data": b64(keys.admin_key)}}],
        "contexts": [{"name": CONTEXT, "context": {
            "cluster": CONTEXT, "user": "diapo-admin", "namespace": "default"}}],
        "current-context": CONTEXT,
    }, sort_keys=False)


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.chmod(0o600)
    tmp.replace(path)


def _argv(name: str, bins: binaries.Binaries, state_dir: Path, keys: pki.Pki,
          ports: dict[str, int], mode: str = SIMULATED) -> list[str]:
    """Command line of one component."""
    kubeconfig = str(state_dir / "components.kubeconfig")
    etcd_url = f"http://127.0.0.1:{ports['etcd']}"
    peer_url = f"http://127.0.0.1:{ports['etcd-peer']}"
    delegated = [f"--kubeconfig={kubeconfig}", f"--authentication-kubeconfig={kubeconfig}",
                 f"--authorization-kubeconfig={kubeconfig}", "--bind-address=127.0.0.1",
                 f"--secure-port={ports.get(name, 0)}", "--leader-elect=false",
                 f"--cert-dir={state_dir / 'certs' / name}"]
    args: dict[str, list[str]] = {
        "etcd": [
            "--name=diapo", f"--data-dir={state_dir / 'etcd'}",
            f"--listen-client-urls={etcd_url}", f"--advertise-client-urls={etcd_url}",
            f"--listen-peer-urls={peer_url}", f"--initial-advertise-peer-urls={peer_url}",
            f"--initial-cluster=diapo={peer_url}", "--initial-cluster-state=new",
            "--unsafe-no-fsync",  # a throwaway test cluster: speed over durability
            "--log-level=warn"],
        "kube-apiserver": [
            f"--etcd-servers={etcd_url}", "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1", f"--secure-port={ports['kube-apiserver']}",
            f"--cert-dir={state_dir / 'certs' / name}",
            f"--tls-cert-file={keys.serving_cert}", f"--tls-private-key-file={keys.serving_key}",
            f"--client-ca-file={keys.ca_cert}", "--authorization-mode=RBAC",
            # Front-proxy (requestheader) authentication, for aggregated APIs.
            f"--requestheader-client-ca-file={keys.ca_cert}",
            "--requestheader-allowed-names=front-proxy-client",
            "--requestheader-username-headers=X-Remote-User",
            "--requestheader-group-headers=X-Remote-Group",
            "--requestheader-extra-headers-prefix=X-Remote-Extra-",
            f"--proxy-client-cert-file={keys.front_proxy_cert}",
            f"--proxy-client-key-file={keys.front_proxy_key}",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            f"--service-account-key-file={keys.sa_pub}",
            f"--service-account-signing-key-file={keys.sa_key}",
            f"--service-cluster-ip-range={SERVICE_CIDR}", "--allow-privileged=true",
            # The only apiserver listens on loopback, which Endpoints may not contain.
            "--endpoint-reconciler-type=none", "--profiling=false"],
        "kube-controller-manager": [
            *delegated, f"--service-account-private-key-file={keys.sa_key}",
            f"--root-ca-file={keys.ca_cert}", f"--cluster-signing-cert-file={keys.ca_cert}",
            f"--cluster-signing-key-file={keys.ca_key}", "--controllers=*",
            "--profiling=false"],
        "kube-scheduler": [*delegated, "--profiling=false"],
        "kwok": [
            f"--kubeconfig={kubeconfig}", "--manage-all-nodes=false",
            f"--manage-nodes-with-annotation-selector={KWOK_ANNOTATION}=fake",
            f"--cidr={POD_CIDR}", "--node-lease-duration-seconds=40",
            f"--server-address=127.0.0.1:{ports['kwok']}", "--v=WARN",
            f"--config={state_dir / 'kwok.yaml'}"],
    }
    if mode == REAL:
        args["kube-apiserver"] = [arg for arg in args["kube-apiserver"] if not arg.startswith(
            ("--bind-address", "--advertise-address", "--endpoint-reconciler-type",
             "--authorization-mode"))] + [
            # Pods reach the apiserver through the node address (Service `kubernetes`);
            # host.install_isolation lets only this machine and its pods in.
            "--bind-address=0.0.0.0", f"--advertise-address={network.NODE_IP}",
            "--authorization-mode=Node,RBAC",
            f"--kubelet-client-certificate={keys.admin_cert}",
            f"--kubelet-client-key={keys.admin_key}",
            # The host name resolves to 127.0.0.1 here: reach the kubelet by its node IP.
            "--kubelet-preferred-address-types=InternalIP,Hostname"]
        args["kube-controller-manager"] += [
            "--allocate-node-cidrs=true", f"--cluster-cidr={network.POD_CIDR}",
            "--node-cidr-mask-size=24"]
    return [str(bins[name]), *args[name]]


def _start(state_dir: Path, bins: binaries.Binaries, port: int | None, timeout: float,
           quiet: bool, mode: str = SIMULATED, addons: bool = True,
           prepared: tuple[str, list[Path]] | None = None) -> LocalCluster:
    if port:
        check_port(port)
        if mode == REAL:
            check_port(port, network.NODE_IP if host.has_address(network.NODE_IP) else
                       "0.0.0.0")
    for sub in ("etcd", "logs", "run", "certs"):
        shutil.rmtree(state_dir / sub, ignore_errors=True)
    keys = pki.ensure(state_dir / "pki")
    ports = {name: free_port() for name in
             ("etcd", "etcd-peer", "kube-controller-manager", "kube-scheduler", "kwok",
              "kubelet", "kubelet-healthz", "kube-proxy-healthz", "kube-proxy-metrics")}
    ports["kube-apiserver"] = port or free_port()
    server = f"https://127.0.0.1:{ports['kube-apiserver']}"
    kubeconfig = _kubeconfig(server, keys)
    _write_private(state_dir / "components.kubeconfig", kubeconfig)
    _write_private(state_dir / "kubeconfig", kubeconfig)
    (state_dir / "kwok.yaml").write_text("")  # isolate kwok from ~/.kwok/kwok.yaml
    _state_file(state_dir).unlink(missing_ok=True)
    _update_state(state_dir, version=bins.version, server=server, ports=ports, nodes=mode,
                  binaries={name: str(path) for name, path in bins.paths.items()})

    def launch(name: str) -> processes.Proc:
        return processes.start(state_dir, name,
                               _argv(name, bins, state_dir, keys, ports, mode))

    began = time.monotonic()
    deadline = began + timeout

    def ready(what: str) -> None:
        _say(quiet, f"{what} prêt ({time.monotonic() - began:.1f} s)")

    begun = None
    if mode == REAL:  # containerd and the images' import need no API server: they go first
        begun = node.begin(
            state_dir, keys, ports, f"https://{network.NODE_IP}:{ports['kube-apiserver']}",
            prepared or node.gather_images(bins.version, quiet, addons),
            lambda what, blame, procs, check: _wait(state_dir, what, blame, procs, deadline,
                                                    check))
        ready("containerd")
    etcd = launch("etcd")
    _wait(state_dir, "etcd", "etcd", [etcd], deadline,
          lambda: _http(f"http://127.0.0.1:{ports['etcd']}/health", None)[0] == 200)
    ready("etcd")
    apiserver = launch("kube-apiserver")
    _wait(state_dir, "kube-apiserver (/readyz)", "kube-apiserver", [etcd, apiserver], deadline,
          lambda: _get(state_dir, "/readyz")[0] == 200)
    ready("kube-apiserver")
    version = _server_version(state_dir, bins, quiet)
    simulated = ("kwok",) if mode == SIMULATED else ()
    others = [launch(name) for name in ("kube-controller-manager", "kube-scheduler", *simulated)]
    everyone = [etcd, apiserver, *others]
    if mode == SIMULATED:
        for index, name in enumerate(NODES):
            _create_node(state_dir, name, index, version)
    insecure = ssl.create_default_context()
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE  # self-signed healthz certs of KCM and scheduler
    for name in ("kube-scheduler", "kube-controller-manager"):
        _wait(state_dir, f"{name} (/healthz)", name, everyone, deadline,
              lambda name=name: _http(f"https://127.0.0.1:{ports[name]}/healthz",  # type: ignore[misc]
                                      insecure)[0] == 200)
        ready(name)
    if begun is not None:
        def wait(what: str, blame: str, procs: list[processes.Proc],
                 check: Callable[[], bool]) -> None:
            _wait(state_dir, what, blame, [*everyone, *procs], deadline, check)

        node.start(state_dir, bins["kubelet"], bins["kube-proxy"], ports, quiet, begun, wait,
                   lambda: _nodes_ready(state_dir, REAL_NODES))
        ready(f"nœud réel {node.NAME} Ready")
        if addons and node.provider("addons") is not None:
            node.deploy_addons(state_dir / "kubeconfig", state_dir,
                               max(1.0, deadline - time.monotonic()))
            ready("modules complémentaires (DNS, Traefik, LoadBalancer, NetworkPolicy, PVC)")
    else:
        _wait(state_dir, f"nœuds {', '.join(NODES)} Ready", "kwok", everyone, deadline,
              lambda: _nodes_ready(state_dir))
        ready(f"kwok ({', '.join(NODES)} Ready)")
    # Pods need the `default` ServiceAccount, which the controller-manager creates.
    _wait(state_dir, "ServiceAccount default", "kube-controller-manager", everyone, deadline,
          lambda: _get(state_dir, "/api/v1/namespaces/default/serviceaccounts/default")[0]
          == 200)
    return LocalCluster(state_dir, state_dir / "kubeconfig", server, version, nodes=mode)


def _server_version(state_dir: Path, bins: binaries.Binaries, quiet: bool) -> str:
    """The version the apiserver reports (binaries from PATH may differ from the pinned one)."""
    version = str(_api(state_dir, "GET", "/version")["gitVersion"]).removeprefix("v")
    if version != bins.version:
        _say(quiet, f"attention : kube-apiserver ({bins['kube-apiserver']}) est en v{version}, "
                    f"la version demandée est v{bins.version}")
    _update_state(state_dir, version=version)
    return version


def _wait(state_dir: Path, what: str, blame: str, procs: list[processes.Proc],
          deadline: float, check: Callable[[], bool]) -> None:
    """Poll `check` until it holds; fail fast, with the log tail, if a component dies; past
    the deadline, fail with the log tail of `blame`, the component that should have made it."""
    while True:
        for proc in procs:
            if not proc.alive():
                tail = processes.log_tail(state_dir, proc.name)
                raise ClusterError(
                    f"{proc.name} s'est arrêté pendant le démarrage — journal : "
                    f"{processes.log_path(state_dir, proc.name)}\n{tail}",
                    hint="un port a été pris entre-temps : relancez invoke cluster.up"
                    if "address already in use" in tail else None)
        try:
            if check():
                return
        except (OSError, ssl.SSLError, ValueError, KeyError):
            pass  # not listening yet
        if time.monotonic() > deadline:
            raise ClusterError(
                f"délai dépassé en attendant {what} — journal : "
                f"{processes.log_path(state_dir, blame)}\n{processes.log_tail(state_dir, blame)}")
        time.sleep(0.1)


# --------------------------------------------------------------------------- API access


def _admin_context(state_dir: Path) -> ssl.SSLContext:
    keys = pki.Pki(state_dir / "pki")
    context = ssl.create_default_context(cafile=str(keys.ca_cert))
    context.load_cert_chain(str(keys.admin_cert), str(keys.admin_key))
    return context


def _http(url: str, context: ssl.SSLContext | None, method: str = "GET",
          body: dict | None = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, context=context, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _get(state_dir: Path, path: str) -> tuple[int, bytes]:
    return _request(state_dir, "GET", path)


def _request(state_dir: Path, method: str, path: str, body: dict | None = None
             ) -> tuple[int, bytes]:
    state = _read_state(state_dir) or {}
    return _http(state["server"] + path, _admin_context(state_dir), method, body)


def _api(state_dir: Path, method: str, path: str, body: dict | None = None) -> dict:
    code, data = _request(state_dir, method, path, body)
    if code >= 300:
        raise ClusterError(f"{method} {path} : HTTP {code} {data[:300]!r}")
    return json.loads(data)


def _create_node(state_dir: Path, name: str, index: int, version: str) -> None:
    """Register a kwok-managed node (no taints: every pod may land on it).

    kwok keeps the status fields set here (address, capacity, kubelet version), so `kubectl get
    nodes -o wide` looks like a real cluster of this version.
    """
    node = {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {KWOK_ANNOTATION: "fake", "node.alpha.kubernetes.io/ttl": "0"},
            "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                       "kubernetes.io/arch": "amd64", "type": "kwok"},
        },
        "status": {
            "addresses": [{"type": "InternalIP", "address": f"10.0.0.{index + 1}"},
                          {"type": "Hostname", "address": name}],
            "capacity": dict(NODE_CAPACITY), "allocatable": dict(NODE_CAPACITY),
            "nodeInfo": {"kubeletVersion": f"v{version}", "kubeProxyVersion": f"v{version}",
                         "osImage": "kwok (nœud simulé)", "architecture": "amd64",
                         "operatingSystem": "linux"},
        },
    }
    code, data = _request(state_dir, "POST", "/api/v1/nodes", node)
    if code not in (201, 409):
        raise ClusterError(f"création du nœud {name} refusée : HTTP {code} {data[:300]!r}")


def _nodes_ready(state_dir: Path, names: tuple[str, ...] = NODES) -> bool:
    items = _api(state_dir, "GET", "/api/v1/nodes")["items"]
    ready = {item["metadata"]["name"] for item in items if is_ready(item)}
    return ready >= set(names)
