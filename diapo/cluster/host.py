"""What a real node changes on the machine, and how to put it back.

A kubelet, kube-proxy and the CNI plugins are machine-global: they set sysctls, add iptables
chains (KUBE-*, CNI-*), a bridge and network namespaces, mount volumes and create cgroups.
This module checks that the machine can run containers at all (`why_not_real`), snapshots the
sysctls before a start (`snapshot_sysctls`) and removes every trace after a stop (`cleanup`).
"""

from __future__ import annotations

import ctypes
import ipaddress
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from diapo.cluster import network
from diapo.errors import ClusterError

# The sysctls a node may change (kubelet: kernel.panic*, vm.overcommit_memory, kernel.keys;
# kube-proxy: route_localnet, conntrack; the node itself: ip_forward, bridge-nf-call-*).
SYSCTL_PREFIXES = ("kernel/panic", "kernel/keys/", "vm/overcommit_memory", "vm/panic_on_oom",
                   "net/ipv4/ip_forward", "net/ipv4/conf/all/", "net/ipv4/conf/default/",
                   "net/bridge/", "net/netfilter/nf_conntrack_", "net/ipv6/conf/all/forwarding")
CHAIN_PREFIXES = ("KUBE-", "CNI-", "DIAPO-")
CNI_PLUGINS = ("bridge", "host-local", "loopback", "portmap")
CNI_DIRS = ("/usr/lib/cni", "/opt/cni/bin")
# Left by the kubelet and the CNI plugins whatever their configuration says.
HARD_CODED_DIRS = ("/var/lib/kubelet", "/var/lib/cni", "/run/netns", "/var/run/netns")
_MNT_DETACH = 2


def why_not_real() -> str | None:
    """Why this machine cannot run real containers (a French sentence), or None if it can."""
    if os.geteuid() != 0:
        return "il faut être root pour lancer de vrais conteneurs"
    try:
        filesystems = Path("/proc/filesystems").read_text()
    except OSError:
        filesystems = ""
    if "overlay" not in filesystems:
        return "le noyau n'a pas overlayfs"
    if not Path("/proc/self/ns/net").exists():
        return "le noyau n'a pas d'espaces de noms réseau"
    if not Path("/sys/fs/cgroup/memory").is_dir() and not Path(
            "/sys/fs/cgroup/cgroup.controllers").is_file():
        return "aucun cgroup mémoire n'est monté"
    for tool in ("ip", "iptables", "iptables-save", "iptables-restore", "runc"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            return f"la commande {tool} est absente"
    if cni_dir() is None:
        return "les greffons CNI (bridge, host-local, loopback, portmap) sont absents"
    return range_in_use()


def range_in_use() -> str | None:
    """Why the cluster's address ranges cannot be used here: an interface other than the
    node's own holds an address in one of them, or routes to one (a French sentence)."""
    ranges = [ipaddress.ip_network(r) for r in network.CLUSTER_RANGES]
    own = (network.DUMMY_IF, network.BRIDGE_IF)
    for line in run("ip", "-4", "-o", "addr", "show").stdout.splitlines():
        fields = line.split()  # "2: eth0    inet 192.0.2.2/24 brd ..."
        if len(fields) < 4 or fields[1].rstrip(":") in own or fields[2] != "inet":
            continue
        net = ipaddress.ip_interface(fields[3]).network
        for wanted in ranges:
            if net.overlaps(wanted):
                return (f"l'interface {fields[1]} tient {fields[3]}, dans la plage {wanted} "
                        "que le cluster utilise")
    for line in run("ip", "-4", "route", "show").stdout.splitlines():
        fields = line.split()
        if not fields or fields[0] == "default" or "dev" not in fields:
            continue
        dev = fields[fields.index("dev") + 1]
        if dev in own or dev.startswith(("veth", "cni")):
            continue
        try:
            net = ipaddress.ip_network(fields[0], strict=False)
        except ValueError:
            continue
        for wanted in ranges:
            if net.overlaps(wanted):
                return f"la route {fields[0]} (interface {dev}) recouvre la plage {wanted} du cluster"
    return None


def real_node_running() -> bool:
    """Whether a real node (of any state directory) holds the machine, or left traces: its
    interface or the kubelet's cgroups exist."""
    return Path(f"/sys/class/net/{network.DUMMY_IF}").exists() or bool(cgroup_dirs("kubepods"))


def dummy_owner() -> str | None:
    """The state directory written on the node's interface when it was added, if any."""
    try:
        alias = Path(f"/sys/class/net/{network.DUMMY_IF}/ifalias").read_text().strip()
    except OSError:
        return None
    return alias or None


def cni_dir() -> Path | None:
    """The directory holding the standard CNI plugins (Debian's containernetworking-plugins)."""
    for folder in CNI_DIRS:
        if all(os.access(Path(folder) / name, os.X_OK) for name in CNI_PLUGINS):
            return Path(folder)
    return None


def tool(name: str) -> str:
    """Absolute path of a system tool (sbin directories are not always on PATH)."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/bin")
    return found or name


def run(*argv: str, check: bool = False, input: str | None = None) -> subprocess.CompletedProcess:
    """Run a system tool quietly; output captured."""
    return subprocess.run([tool(argv[0]), *argv[1:]], capture_output=True, text=True,
                          check=check, input=input, timeout=60)


# --------------------------------------------------------------------------- sysctls


def snapshot_sysctls() -> dict[str, str]:
    """Current values of the sysctls a node may change."""
    values: dict[str, str] = {}
    root = Path("/proc/sys")
    for prefix in SYSCTL_PREFIXES:
        base = root / prefix
        candidates = [base] if base.is_file() else (
            sorted(base.iterdir()) if base.is_dir() else sorted(base.parent.glob(base.name + "*")))
        for path in candidates:
            if path.is_file() and os.access(path, os.W_OK):
                try:
                    values[str(path.relative_to(root))] = path.read_text().strip()
                except OSError:
                    pass
    return values


def set_sysctl(name: str, value: str) -> None:
    """Write one sysctl (`net/ipv4/ip_forward` style name)."""
    Path("/proc/sys", name).write_text(value + "\n")


def restore_sysctls(saved: dict[str, str]) -> list[str]:
    """Write back every saved value that changed; returns the names restored."""
    restored = []
    for name, value in saved.items():
        path = Path("/proc/sys", name)
        try:
            if path.read_text().strip() != value:
                path.write_text(value + "\n")
                restored.append(name)
        except OSError:
            pass  # gone with its interface, or not writable here
    return restored


# --------------------------------------------------------------------------- network


def has_address(address: str) -> bool:
    """Whether an interface of this machine holds `address`."""
    return f"inet {address}/" in run("ip", "-4", "addr", "show").stdout


def add_dummy(owner: str) -> None:
    """The node's address on an interface of its own (idempotent): a dummy one, or where the
    kernel has no dummy driver, a bridge without ports, which behaves the same. Its alias
    names `owner` (the state directory), so a later start finds who left it there."""
    name = network.DUMMY_IF
    if (not Path(f"/sys/class/net/{name}").exists()
            and run("ip", "link", "add", name, "type", "dummy").returncode != 0):
        _checked("ip", "link", "add", name, "type", "bridge")
    if len(owner.encode()) < 256:  # IFALIASZ; a longer path is found from the daemons
        _checked("ip", "link", "set", "dev", name, "alias", owner)
    _checked("ip", "addr", "replace", f"{network.NODE_IP}/{network.NODE_PREFIX}", "dev", name)
    _checked("ip", "link", "set", name, "up")
    _checked("ip", "route", "replace", network.ROUTED_HERE, "dev", name)


def _checked(*argv: str) -> None:
    proc = run(*argv)
    if proc.returncode != 0:
        raise ClusterError(f"« {' '.join(argv)} » a échoué : "
                           f"{(proc.stderr or proc.stdout).strip()}")


def install_isolation(apiserver_port: int) -> None:
    """Pods may only talk to the cluster's own addresses; the apiserver, which listens on every
    address (pods reach it through the node IP), answers only this machine and its pods."""
    remove_chains()  # idempotent
    pods = network.POD_CIDR
    rules = ["-N DIAPO-FORWARD", "-I FORWARD 1 -j DIAPO-FORWARD"]
    for allowed in network.CLUSTER_RANGES:
        rules.append(f"-A DIAPO-FORWARD -s {pods} -d {allowed} -j RETURN")
    rules += [f"-A DIAPO-FORWARD -s {pods} -j DROP", f"-A DIAPO-FORWARD -d {pods} "
              "-m addrtype ! --src-type LOCAL ! -s 198.18.0.0/15 -j DROP",
              "-N DIAPO-INPUT", "-I INPUT 1 -j DIAPO-INPUT",
              f"-A DIAPO-INPUT -p tcp --dport {apiserver_port} -m addrtype ! --src-type LOCAL "
              f"! -s {pods} -j DROP"]
    for rule in rules:
        _checked("iptables", "-w", *rule.split())


def remove_chains() -> list[str]:
    """Remove every KUBE-*, CNI-* and DIAPO-* chain, and the rules jumping to them, from every
    iptables table (IPv4 and IPv6), and kube-proxy's nftables tables; returns what was removed."""
    removed: list[str] = []
    for save, restore in (("iptables-save", "iptables-restore"),
                          ("ip6tables-save", "ip6tables-restore")):
        if shutil.which(save) is None and not Path(f"/usr/sbin/{save}").exists():
            continue
        dump = run(save).stdout
        kept, changed = _filter_rules(dump)
        if changed:
            removed += changed
            run(restore, "-w", input=kept, check=False)
    listing = run("nft", "list", "tables").stdout if shutil.which(tool("nft")) else ""
    for family, table in re.findall(r"^table (\S+) (\S+)$", listing, flags=re.M):
        if table.startswith(("kube-proxy", "kube-router", "cni")):
            run("nft", "delete", "table", family, table)
            removed.append(f"nft {family} {table}")
    return removed


def nft_tables() -> list[str]:
    """`family name` of every nftables table (iptables-nft creates some on first use)."""
    if not shutil.which(tool("nft")):
        return []
    listing = run("nft", "list", "tables").stdout
    return [f"{f} {t}" for f, t in re.findall(r"^table (\S+) (\S+)$", listing, flags=re.M)]


def remove_new_empty_tables(before: list[str]) -> None:
    """Delete the nftables tables that appeared since `before` and hold no rule any more."""
    for table in nft_tables():
        if table in before:
            continue
        family, name = table.split()
        lines = [line.strip() for line in run("nft", "list", "table", family, name).stdout
                 .splitlines()]
        rules = [line for line in lines if line and line != "}" and not line.startswith(
            ("table ", "chain ", "type "))]
        if not rules:
            run("nft", "delete", "table", family, name)


def _filter_rules(dump: str) -> tuple[str, list[str]]:
    """An iptables-save dump without our chains and the rules that use them."""
    out, removed = [], []
    jumps = re.compile(r"\s-[jg]\s+(" + "|".join(CHAIN_PREFIXES) + r")")
    for line in dump.splitlines():
        if line.startswith(":") and line[1:].startswith(CHAIN_PREFIXES):
            removed.append(line.split()[0][1:])
            continue
        if line.startswith("-A ") and (
                line.split()[1].startswith(CHAIN_PREFIXES)
                or jumps.search(line)):
            continue
        out.append(line)
    return "\n".join(out) + "\n", removed


def chains_left() -> list[str]:
    """Our chains still present (for checks after a stop)."""
    left = []
    for save in ("iptables-save", "ip6tables-save"):
        if shutil.which(save) or Path(f"/usr/sbin/{save}").exists():
            left += [line.split()[0][1:] for line in run(save).stdout.splitlines()
                     if line.startswith(":") and line[1:].startswith(CHAIN_PREFIXES)]
    return left


def interfaces_left() -> list[str]:
    """Interfaces a node creates that still exist."""
    left = []
    for path in sorted(Path("/sys/class/net").iterdir()):
        name = path.name
        master = path / "master"
        if name in (network.DUMMY_IF, network.BRIDGE_IF) or (
                master.exists() and master.resolve().name == network.BRIDGE_IF):
            left.append(name)
    return left


def remove_interfaces() -> None:
    """Delete the pods' veths, the CNI bridge and the dummy interface."""
    for name in interfaces_left():
        if name not in (network.DUMMY_IF, network.BRIDGE_IF):
            run("ip", "link", "delete", name)
    for name in (network.BRIDGE_IF, network.DUMMY_IF):
        if Path(f"/sys/class/net/{name}").exists():
            run("ip", "link", "delete", name)


# --------------------------------------------------------------------------- mounts, cgroups


def mounts_under(*roots: Path) -> list[str]:
    """Mount points at or under `roots`, deepest first."""
    prefixes = [str(Path(root).resolve()) for root in roots]
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].replace("\\040", " ")
        if any(point == p or point.startswith(p + "/") for p in prefixes):
            points.append(point)
    return sorted(set(points), key=lambda p: p.count("/"), reverse=True)


def unmount_all(*roots: Path) -> None:
    """Detach every mount under `roots` (volumes, overlay rootfs, shm, netns bind mounts)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for _ in range(3):  # a detach can reveal a mount below it
        points = mounts_under(*roots)
        if not points:
            return
        for point in points:
            libc.umount2(point.encode(), _MNT_DETACH)


def cgroup_dirs(name: str = "kubepods") -> list[Path]:
    """The kubelet's cgroup tree in every v1 hierarchy (and v2 if mounted), deepest first."""
    found = []
    for hierarchy in Path("/sys/fs/cgroup").iterdir():
        top = hierarchy / name
        if top.is_dir():
            found += [Path(dirpath) for dirpath, _, _ in os.walk(top)]
    return sorted(found, key=lambda p: len(p.parts), reverse=True)


def cgroup_pids(name: str = "kubepods") -> set[int]:
    """Every process in the kubelet's cgroups (the pods' containers)."""
    pids: set[int] = set()
    for folder in cgroup_dirs(name):
        try:
            pids |= {int(p) for p in (folder / "cgroup.procs").read_text().split()}
        except OSError:
            pass
    return pids


def kill_cgroup_tree(name: str = "kubepods", timeout: float = 10.0) -> None:
    """SIGKILL every process in the kubelet's cgroups, then remove the cgroups."""
    deadline = time.monotonic() + timeout
    while True:
        pids = cgroup_pids(name)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not pids or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    for folder in cgroup_dirs(name):
        try:
            folder.rmdir()
        except OSError:
            pass


def command_lines() -> Iterator[tuple[int, str]]:
    """(pid, command line) of every other process, arguments joined by spaces."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                    errors="replace")
            except OSError:
                continue
            yield int(entry.name), cmdline


def processes_matching(needle: str) -> list[int]:
    """Pids whose command line contains `needle` (e.g. a containerd socket path)."""
    return [pid for pid, cmdline in command_lines() if needle in cmdline]


def kill_matching(needle: str, timeout: float = 5.0) -> None:
    """SIGKILL every process whose command line contains `needle` and wait for them to go."""
    deadline = time.monotonic() + timeout
    while (pids := processes_matching(needle)) and time.monotonic() < deadline:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.05)
