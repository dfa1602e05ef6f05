"""A real node: pods in real containers (logs, exec, exec through a pty, port-forward, a
Service), recovery after a SIGKILL of every process, and after `down` nothing left on the
machine (a test for each kind of trace).

The module starts its own cluster with a real node in a temporary state directory (a real
node is machine-global: interfaces, iptables, cgroups), and stops it in its last tests.
Skipped when the machine cannot run containers or DIAPO_NODES=simulated.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import fixture_images
import pytest

from diapo.cluster import binaries, host, local, network, node, processes
from diapo.cluster.client import Cluster
from diapo.errors import ClusterError

# Marked `cluster` so that `-m "not cluster"` (the fast runs) leaves them out.
pytestmark = pytest.mark.cluster

WAIT = 120


def _skip_reason(state_dir: Path) -> str | None:
    if os.environ.get(local.NODES_ENV) == local.SIMULATED:
        return "DIAPO_NODES=simulated : pas de nœud réel"
    reason = host.why_not_real()
    if reason:
        return reason
    if holder := local.real_node_elsewhere(state_dir):
        return f"le nœud réel du cluster de {holder} tourne déjà sur cette machine"
    return None


class Real:
    """The module's cluster: its state directory, kubeconfig and a kubectl of its release."""

    def __init__(self, cluster: local.LocalCluster, sysctls: dict[str, str]):
        self.cluster = cluster
        self.sysctls_before = sysctls  # the machine's, before the node started
        self.kubectl_bin = str(binaries.kubectl_for(cluster.version))

    def kubectl(self, *args: str, input: str | None = None, check: bool = True,
                timeout: float = 90) -> subprocess.CompletedProcess:
        cmd = [self.kubectl_bin, f"--kubeconfig={self.cluster.kubeconfig}", *args]
        proc = subprocess.run(cmd, input=input, capture_output=True, text=True,
                              timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} -> {proc.returncode}\n{proc.stderr}")
        return proc

    def argv(self, *args: str) -> list[str]:
        return [self.kubectl_bin, f"--kubeconfig={self.cluster.kubeconfig}", *args]


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Real:
    state_dir = tmp_path_factory.mktemp("real") / "cluster"
    reason = _skip_reason(state_dir)
    if reason:
        pytest.skip(reason)
    images = fixture_images.build(tmp_path_factory.mktemp("images"))
    saved = os.environ.get(node.IMAGES_ENV)
    os.environ[node.IMAGES_ENV] = ":".join(str(p) for p in images)
    try:
        sysctls = host.snapshot_sysctls()
        cluster = local.up(nodes=local.REAL, state_dir=state_dir, quiet=True,
                           addons=False)
        yield Real(cluster, sysctls)
    finally:
        local.down(state_dir=state_dir, quiet=True)
        if saved is None:
            os.environ.pop(node.IMAGES_ENV, None)
        else:
            os.environ[node.IMAGES_ENV] = saved


@pytest.fixture
def ns(real: Real):
    name = f"r-{uuid.uuid4().hex[:8]}"
    real.kubectl("create", "namespace", name)
    real.kubectl("wait", "--for=create", "serviceaccount/default", "-n", name, "--timeout=30s")
    yield name
    real.kubectl("delete", "namespace", name, "--wait=false", check=False)


def _pod(real: Real, ns: str, name: str, script: str, labels: str = "") -> None:
    real.kubectl("run", name, "-n", ns, f"--image={fixture_images.BUSYBOX}",
                 "--image-pull-policy=Never", "--restart=Never", *(
                     [f"--labels={labels}"] if labels else []), "--", "sh", "-c", script)
    real.kubectl("wait", "-n", ns, f"pod/{name}", "--for=condition=Ready",
                 f"--timeout={WAIT}s", timeout=WAIT + 10)


HTTPD = ("mkdir -p /www && echo \"page de $(hostname)\" > /www/index.html && "
         "exec httpd -f -p 8080 -h /www")


def test_node_is_real_and_ready(real):
    nodes = json.loads(real.kubectl("get", "nodes", "-o", "json").stdout)["items"]
    assert [n["metadata"]["name"] for n in nodes] == [node.NAME]
    info = nodes[0]["status"]["nodeInfo"]
    assert info["kubeletVersion"] == f"v{real.cluster.version}"
    assert info["containerRuntimeVersion"].startswith("containerd://")
    addresses = {a["type"]: a["address"] for a in nodes[0]["status"]["addresses"]}
    assert addresses["InternalIP"] == network.NODE_IP
    assert real.cluster.nodes == local.REAL


def test_the_node_takes_only_its_own_address_of_test_net_3(real):
    # Some sandboxes reach PyPI, Debian and the Go proxy at a TEST-NET-3 address: while a real
    # node runs, the rest of 203.0.113.0/24 must still go where the machine routes it.
    assert host.has_address(network.NODE_IP)
    assert f"{network.NODE_IP}/32" in host.run("ip", "-4", "addr", "show", network.DUMMY_IF).stdout
    for neighbour in ("203.0.113.1", "203.0.113.80", "203.0.113.254"):
        route = host.run("ip", "-4", "route", "get", neighbour).stdout
        assert f"dev {network.DUMMY_IF}" not in route, route


def test_logs_and_exec(real, ns):
    _pod(real, ns, "parle", "echo bonjour depuis un conteneur; exec sleep 3600")
    assert "bonjour depuis un conteneur" in real.kubectl("logs", "-n", ns, "parle").stdout
    out = real.kubectl("exec", "-n", ns, "parle", "--", "sh", "-c",
                       "echo $((6*7)) $(hostname)").stdout
    assert out.split() == ["42", "parle"]
    # The pod's address is in the pods' range, not a private one.
    ip = real.kubectl("get", "pod", "parle", "-n", ns, "-o", "jsonpath={.status.podIP}").stdout
    assert ip.startswith("198.18.0.")


def test_a_runs_pods_stop_at_once_even_when_they_ignore_sigterm(real, ns):
    """verify's cleanup: `sleep` as PID 1 ignores SIGTERM, so a plain deletion would wait out
    its 30 s grace period; stop_pods gives it 1 s."""
    _pod(real, ns, "sourd", "exec sleep 3600")
    client = Cluster(str(real.cluster.kubeconfig))
    try:
        client.stop_pods(ns)
        deadline = time.monotonic() + 20  # well under the pod's 30 s grace period
        while time.monotonic() < deadline and real.kubectl(
                "get", "pods", "-n", ns, "-o", "name").stdout.strip():
            time.sleep(0.2)
        assert real.kubectl("get", "pods", "-n", ns, "-o", "name").stdout.strip() == ""
    finally:
        client.close()


def test_emptying_a_namespace_stops_its_controllers_and_their_pods_at_once(real, ns):
    """verify's cleanup: a Deployment would start new pods (with their 30 s grace each) for
    the ones stopped; its controllers go first, then the pods, with none left."""
    real.kubectl("apply", "-n", ns, "-f", "-", input=json.dumps({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "sourds"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "sourds"}},
                 "template": {"metadata": {"labels": {"app": "sourds"}}, "spec": {
                     "containers": [{"name": "sourd", "image": fixture_images.BUSYBOX,
                                     "imagePullPolicy": "Never",
                                     "command": ["sleep", "3600"]}]}}}}))
    real.kubectl("rollout", "status", "deployment/sourds", "-n", ns, f"--timeout={WAIT}s",
                 timeout=WAIT + 10)
    client = Cluster(str(real.cluster.kubeconfig))
    try:
        started = time.monotonic()
        assert client.empty_namespaces([ns]) == {}
        assert time.monotonic() - started < 20  # well under the pods' 30 s grace period
        left = real.kubectl("get", "deployments,replicasets,pods", "-n", ns, "-o", "name")
        assert left.stdout.strip() == ""
    finally:
        client.close()


def test_interactive_exec_through_a_pty(real, ns):
    _pod(real, ns, "shell", "exec sleep 3600")
    pid, fd = pty.fork()
    if pid == 0:  # the child: kubectl exec -it on the pty
        argv = real.argv("exec", "-it", "-n", ns, "shell", "--", "sh")
        os.execv(argv[0], argv)
    seen = b""
    try:
        deadline = time.monotonic() + 30
        sent = False
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
            if not sent and b"#" in seen:  # the shell's prompt: it runs on a terminal
                os.write(fd, b"tty; echo resultat-$((20+22))\nexit\n")
                sent = True
            if b"resultat-42" in seen and sent:
                break
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    text = seen.decode(errors="replace")
    assert "resultat-42" in text
    assert "/dev/pts/" in text  # a terminal inside the container too


def test_port_forward(real, ns):
    _pod(real, ns, "web", HTTPD)
    proc = subprocess.Popen(real.argv("port-forward", "-n", ns, "pod/web", "0:8080",
                                      "--address=127.0.0.1"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r"127\.0\.0\.1:(\d+)", line)
        assert match, line
        with urllib.request.urlopen(f"http://127.0.0.1:{match[1]}/", timeout=10) as response:
            assert response.read().decode().strip() == "page de web"
    finally:
        proc.kill()
        proc.wait()


def test_service_from_a_pod_and_from_the_machine(real, ns):
    _pod(real, ns, "web", HTTPD, labels="app=web")
    real.kubectl("expose", "pod", "web", "-n", ns, "--port=80", "--target-port=8080",
                 "--name=web")
    ip = real.kubectl("get", "service", "web", "-n", ns, "-o",
                      "jsonpath={.spec.clusterIP}").stdout
    assert ip.startswith("198.19.")
    _pod(real, ns, "client", "exec sleep 3600")
    deadline = time.monotonic() + 30
    out = ""
    while time.monotonic() < deadline:  # kube-proxy writes the rules within a second or two
        out = real.kubectl("exec", "-n", ns, "client", "--", "timeout", "5", "wget", "-qO-",
                           f"http://{ip}/", check=False).stdout
        if "page de web" in out:
            break
        time.sleep(0.5)
    assert out.strip() == "page de web"
    with urllib.request.urlopen(f"http://{ip}/", timeout=10) as response:
        assert response.read().decode().strip() == "page de web"


def test_pods_cannot_reach_outside_the_cluster_ranges(real, ns):
    _pod(real, ns, "isole", "exec sleep 3600")
    # 198.51.100.1 (TEST-NET-2) is outside the cluster: the isolation chain drops it at once.
    out = real.kubectl("exec", "-n", ns, "isole", "--", "sh", "-c",
                       "timeout 3 wget -qO- http://198.51.100.1/ || echo refuse", check=False)
    assert "refuse" in out.stdout


def test_apiserver_reachable_from_a_pod(real, ns):
    _pod(real, ns, "api", "exec sleep 3600")
    out = real.kubectl("exec", "-n", ns, "api", "--", "sh", "-c",
                       f"echo | timeout 5 nc -w 3 {network.API_SERVICE_IP} 443 && echo ouvert",
                       check=False).stdout
    assert "ouvert" in out


# ------------------------------------------------------------------ crash, then down


def _sigkill_components(state_dir: Path) -> None:
    """SIGKILL every recorded process of a cluster (its pods and shims live on), and wait."""
    victims = [proc for name in local.REAL_COMPONENTS
               if (proc := processes.recorded(state_dir, name)) and proc.alive()]
    assert {p.name for p in victims} == set(local.REAL_COMPONENTS)
    for proc in victims:
        os.kill(proc.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(p.alive() for p in victims) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(p.alive() for p in victims)


def test_up_after_sigkill_of_every_process_recovers(real):
    state_dir = real.cluster.state_dir
    _sigkill_components(state_dir)
    assert local.running(state_dir) is None
    port = int(real.cluster.server.rsplit(":", 1)[1])
    cluster = local.up(nodes=local.REAL, state_dir=state_dir, port=port, quiet=True,
                       addons=False)
    assert cluster.nodes == local.REAL
    name = f"r-{uuid.uuid4().hex[:8]}"
    real.kubectl("create", "namespace", name)
    real.kubectl("wait", "--for=create", "serviceaccount/default", "-n", name, "--timeout=30s")
    _pod(real, name, "revenu", "echo de retour; exec sleep 3600")
    assert "de retour" in real.kubectl("logs", "-n", name, "revenu").stdout


@pytest.fixture(scope="module")
def after_down(real) -> dict[str, list[str]]:
    """Stop the module's cluster (pods still running) and list what is left."""
    _pod_count = real.kubectl("get", "pods", "-A", "--no-headers").stdout.count("Running")
    assert _pod_count >= 1
    local.down(state_dir=real.cluster.state_dir, quiet=True)
    return node.leftovers(real.cluster.state_dir)


def test_down_leaves_no_process(after_down, real):
    assert after_down["processes"] == []
    assert not host.processes_matching(str(real.cluster.state_dir))
    assert host.cgroup_pids("kubepods") == set()


def test_down_leaves_no_mount(after_down, real):
    assert after_down["mounts"] == []
    assert host.mounts_under(real.cluster.state_dir) == []


def test_down_leaves_no_interface(after_down):
    assert after_down["interfaces"] == []
    assert not any(Path("/sys/class/net").glob("veth*"))


def test_down_leaves_no_netns(after_down):
    assert after_down["netns"] == []


def test_down_leaves_no_kube_or_cni_rule(after_down):
    assert after_down["chains"] == []
    dump = host.run("iptables-save").stdout
    assert not re.search(r"KUBE-|CNI-|DIAPO-", dump)


def test_down_leaves_no_cgroup_and_no_state(after_down, real):
    assert after_down["cgroups"] == []
    assert not node.node_dir(real.cluster.state_dir).exists()


def test_down_restores_the_sysctls(after_down, real):
    changed = {name: value for name, value in host.snapshot_sysctls().items()
               if real.sysctls_before.get(name, value) != value}
    assert changed == {}


def test_an_image_containerd_refuses_stops_the_start_with_its_name(after_down, short_dir,
                                                                   monkeypatch):
    # Images are imported while the control plane starts: the import's failure still ends
    # the start with the file named, and the half-started node leaves nothing behind.
    broken = short_dir / "cassée.tar"
    broken.write_text("pas une archive OCI\n")
    monkeypatch.setenv(node.IMAGES_ENV, str(broken))
    state_dir = short_dir / "cluster"
    started = time.monotonic()
    with pytest.raises(ClusterError, match="cassée.tar"):
        local.up(nodes=local.REAL, state_dir=state_dir, quiet=True, addons=False, timeout=60)
    assert time.monotonic() - started < 60
    assert local.running(state_dir) is None
    left = node.leftovers(state_dir)
    assert {kind: found for kind, found in left.items() if found} == {}


def test_a_node_whose_directory_was_removed_is_swept_by_the_next_up(after_down, short_dir,
                                                                    capsys):
    # A fresh clone where a killed run's checkout was: the old node's pods, shims, mounts,
    # interface, chains and cgroups are still on the machine, its record is gone. The next
    # `up` finds who left them (the interface's alias), removes them and starts a real node.
    sysctls = host.snapshot_sysctls()
    gone, fresh_dir = short_dir / "ancien" / "cluster", short_dir / "neuf" / "cluster"
    try:
        old = Real(local.up(nodes=local.REAL, state_dir=gone, quiet=True, addons=False),
                   sysctls)
        _pod(old, "default", "orpheline", "exec sleep 3600")
        _sigkill_components(gone)
        assert host.cgroup_pids("kubepods"), "the pod outlives its kubelet"
        shutil.rmtree(gone.parent, ignore_errors=True)
        assert host.real_node_running()
        assert local.real_node_elsewhere(fresh_dir) is None  # traces, not a live cluster
        capsys.readouterr()
        fresh = Real(local.up(nodes=local.REAL, state_dir=fresh_dir, addons=False), sysctls)
        assert fresh.cluster.nodes == local.REAL
        assert ("restes d'un nœud réel arrêté sans « cluster.down » supprimés "
                f"({gone})") in capsys.readouterr().err
        assert not host.processes_matching(f"{gone}/")
        assert host.mounts_under(gone.parent) == []
        _pod(fresh, "default", "nouvelle", "echo bonjour; exec sleep 3600")
        assert "bonjour" in fresh.kubectl("logs", "nouvelle").stdout
    finally:
        local.down(state_dir=fresh_dir, quiet=True)
        local.down(state_dir=gone, quiet=True)
        host.restore_sysctls(sysctls)
    assert {kind: found for kind, found in node.leftovers(fresh_dir).items() if found} == {}


def test_a_live_node_of_another_cluster_is_left_alone(after_down, short_dir):
    # Two checkouts on one machine: the second asks for a real node while the first one's
    # runs. It is told whose node holds the machine, and the first cluster keeps running.
    first, second = short_dir / "premier" / "cluster", short_dir / "second" / "cluster"
    try:
        local.up(nodes=local.REAL, state_dir=first, quiet=True, addons=False)
        assert local.real_node_elsewhere(second) == first
        with pytest.raises(ClusterError, match=f"nœud réel du cluster local de {first} "
                                               "tourne déjà"):
            local.up(nodes=local.REAL, state_dir=second, quiet=True, addons=False)
        assert local.running(first) is not None and local.running(first).nodes == local.REAL
        assert local.real_node_elsewhere(first) is None  # its own node, seen from itself
    finally:
        local.down(state_dir=second, quiet=True)
        local.down(state_dir=first, quiet=True)
    assert not host.real_node_running()
