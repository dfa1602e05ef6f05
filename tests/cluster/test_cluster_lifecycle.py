"""Lifecycle of the local control plane: up, no-op up, down, crash recovery, shared sessions
and the errors a user can meet. Each test runs its own control plane in a temporary state
directory, so the session cluster other tests use is never touched."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from diapo.cluster import binaries, local, processes
from diapo.errors import ClusterError

ROOT = Path(__file__).resolve().parents[2]


def _alive(state_dir: Path) -> dict[str, int]:
    """Component name -> pid of the recorded processes still running."""
    out = {}
    for name in local.COMPONENTS:
        proc = processes.recorded(state_dir, name)
        if proc and proc.alive():
            out[name] = proc.pid
    return out


def _processes_mentioning(text: str) -> list[str]:
    """Command lines of live (non-zombie) processes whose arguments contain `text`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(cmdline)
    return found


def _kubectl_nodes(cluster: local.LocalCluster) -> str:
    return subprocess.run(["kubectl", f"--kubeconfig={cluster.kubeconfig}", "get", "nodes",
                           "--no-headers"], capture_output=True, text=True, timeout=60,
                          check=True).stdout


@pytest.fixture(autouse=True)
def simulated_nodes(monkeypatch):
    """These control planes run side by side with others: kwok nodes (a real node is
    machine-global; tests/cluster/test_real_node.py covers it)."""
    monkeypatch.setenv(local.NODES_ENV, local.SIMULATED)


@pytest.fixture
def state_dir(tmp_path: Path):
    """A private state directory; whatever a test leaves running is stopped afterwards."""
    directory = tmp_path / "cluster"
    yield directory
    local.down(state_dir=directory, quiet=True)


def test_up_twice_is_a_noop_and_down_leaves_no_process(state_dir, capsys):
    first = local.up(state_dir=state_dir)
    out = capsys.readouterr().out
    assert f"export KUBECONFIG={state_dir / 'kubeconfig'}" in out
    pids = _alive(state_dir)
    assert set(pids) == set(local.COMPONENTS)
    assert "node-1" in _kubectl_nodes(first)

    started = time.monotonic()
    second = local.up(state_dir=state_dir)
    assert time.monotonic() - started < 3
    assert second == first and _alive(state_dir) == pids
    assert "déjà démarré" in capsys.readouterr().err

    local.down(state_dir=state_dir)
    assert "cluster local arrêté" in capsys.readouterr().err
    assert _alive(state_dir) == {}
    assert _processes_mentioning(str(state_dir)) == []
    assert all(not Path(f"/proc/{pid}").exists() or
               Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
               for pid in pids.values())
    local.down(state_dir=state_dir)
    assert "aucun cluster local à arrêter" in capsys.readouterr().err


def test_leftovers_of_a_crashed_run_are_recovered(state_dir, capsys):
    local.up(state_dir=state_dir, quiet=True)
    old = _alive(state_dir)
    old_procs = [processes.recorded(state_dir, name) for name in local.COMPONENTS]
    # A crash: the apiserver and etcd die hard; the other components and all files remain.
    for name in ("kube-apiserver", "etcd"):
        os.killpg(old[name], signal.SIGKILL)
    deadline = time.monotonic() + 10
    while {"kube-apiserver", "etcd"} & set(_alive(state_dir)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert local.running(state_dir) is None
    assert local.status(state_dir=state_dir) == 1
    assert "arrêté" in capsys.readouterr().out

    cluster = local.up(state_dir=state_dir, quiet=True)
    new = _alive(state_dir)
    assert set(new) == set(local.COMPONENTS)
    assert not set(new.values()) & set(old.values())
    assert not any(proc.alive() for proc in old_procs)  # the survivors were stopped
    assert len(_processes_mentioning(str(state_dir))) == len(local.COMPONENTS)
    assert _kubectl_nodes(cluster).count("Ready") == 2
    assert local.status(state_dir=state_dir) == 0
    status = capsys.readouterr().out
    assert f"v{binaries.minor(cluster.version)}" in status and "node-2 (Ready)" in status
    assert str(cluster.kubeconfig) in status


def test_stale_pid_file_never_signals_a_stranger(tmp_path):
    """A pid file whose pid now belongs to another process (here: this test) is ignored."""
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        pid_file = processes.pid_path(tmp_path, "etcd")
        pid_file.parent.mkdir(parents=True)
        pid_file.write_text(f"{stranger.pid} 1\n")  # right pid, wrong start time
        assert processes.recorded(tmp_path, "etcd").alive() is False
        processes.stop(tmp_path, ["etcd"])
        assert stranger.poll() is None
        assert not pid_file.exists()
    finally:
        stranger.kill()
        stranger.wait()


def test_ctrl_c_while_a_component_starts_waits_for_its_pid_file(tmp_path, monkeypatch):
    """A real SIGINT that lands between a component's start and its pid file (the moment
    `start` reads the new process's /proc entry) is raised only once the file names it, so
    `stop` can still find and stop that process."""
    real_stat = processes._stat

    def stat_then_interrupt(pid: int) -> list[str] | None:
        os.kill(os.getpid(), signal.SIGINT)
        return real_stat(pid)

    monkeypatch.setattr(processes, "_stat", stat_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        processes.start(tmp_path, "etcd", ["sleep", "60"])
    monkeypatch.setattr(processes, "_stat", real_stat)
    recorded = processes.recorded(tmp_path, "etcd")
    assert recorded is not None and recorded.alive()
    processes.stop(tmp_path, ["etcd"])
    assert not recorded.alive()


def test_taken_port_is_a_clear_error(state_dir):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(ClusterError, match=f"port 127.0.0.1:{port} est déjà pris"):
            local.up(state_dir=state_dir, port=port, quiet=True)
    assert _alive(state_dir) == {}


def test_component_dying_at_start_shows_its_log(state_dir):
    state_dir.mkdir(parents=True)
    (state_dir / "etcd").write_text("not a directory\n")  # etcd cannot create its data dir
    with pytest.raises(ClusterError) as error:
        local.up(state_dir=state_dir, quiet=True)
    message = str(error.value)
    assert "etcd s'est arrêté pendant le démarrage" in message
    assert str(processes.log_path(state_dir, "etcd")) in message
    assert "not a directory" in message  # etcd's own words, from the log tail
    assert _alive(state_dir) == {} and _processes_mentioning(str(state_dir)) == []


def test_readiness_timeout_names_what_it_waited_for(state_dir):
    with pytest.raises(ClusterError, match="délai dépassé en attendant") as error:
        local.up(state_dir=state_dir, timeout=0.2, quiet=True)
    assert "journal :" in str(error.value)
    assert _alive(state_dir) == {} and _processes_mentioning(str(state_dir)) == []


def test_sessions_share_the_cluster_and_the_last_one_stops_it(state_dir):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        with local.shared(state_dir=state_dir) as cluster:
            assert set(_alive(state_dir)) == set(local.COMPONENTS)
            # Another pytest session (here: another live process) starts using it.
            stat = Path(f"/proc/{other.pid}/stat").read_text().rsplit(")", 1)[1].split()
            (state_dir / "sessions" / f"{other.pid}-{stat[19]}").touch()
        assert local.running(state_dir) == cluster  # the other session still needs it
        other.kill()
        other.wait()
        with local.shared(state_dir=state_dir) as again:
            assert again == cluster  # reused, not restarted
        assert local.running(state_dir) is None and _alive(state_dir) == {}
    finally:
        other.kill()
        other.wait()


def test_explicit_up_keeps_a_cluster_a_session_started(state_dir):
    with local.shared(state_dir=state_dir) as cluster:
        assert local.up(state_dir=state_dir, quiet=True) == cluster
    assert local.running(state_dir) == cluster


# --------------------------------------------------------------------------- binaries


def test_go_missing_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("DIAPO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("KUBEBUILDER_ASSETS", raising=False)
    with pytest.raises(ClusterError, match="Go est introuvable"):
        binaries.ensure_all("1.33.13", quiet=True)


def test_build_failure_shows_the_log_path(monkeypatch, tmp_path):
    go_dir = Path(subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True,
                                 check=True).stdout.strip()) / "bin"
    monkeypatch.setenv("DIAPO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(go_dir))  # go, but no Kubernetes binaries
    monkeypatch.delenv("KUBEBUILDER_ASSETS", raising=False)
    monkeypatch.setenv("GOPROXY", "off")  # a release that cannot be fetched
    with pytest.raises(ClusterError, match="échec de la construction") as error:
        binaries.ensure_all("1.33.999", quiet=True)
    log = binaries.build_log("1.33.999")
    assert str(log) in str(error.value)
    assert "k8s.io/kubernetes@v1.33.999" in log.read_text()


def test_binaries_in_kubebuilder_assets_come_first(monkeypatch, tmp_path):
    cached = binaries.ensure_all(quiet=True)
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "etcd").symlink_to(cached["etcd"])
    monkeypatch.setenv("KUBEBUILDER_ASSETS", str(assets))
    assert binaries.find("etcd", cached.version) == assets / "etcd"
    assert binaries.ensure_all(cached.version, quiet=True)["etcd"] == assets / "etcd"


def test_wrapper_module_comes_from_the_release_go_mod():
    version = binaries.normalize(None)
    mod = subprocess.run(["go", "mod", "download", "-json", f"k8s.io/kubernetes@v{version}"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    release = Path(json.loads(mod.stdout)["GoMod"]).read_text()
    wrapper = binaries.wrapper_go_mod(release, version)
    minor, patch = version.split(".")[1:]
    staging = release.count("=> ./staging/src/k8s.io/")
    replaces = [line for line in wrapper.splitlines() if line.startswith("replace ")]
    assert len(replaces) == staging > 20
    assert f"replace k8s.io/api => k8s.io/api v0.{minor}.{patch}" in replaces
    assert f"replace k8s.io/client-go => k8s.io/client-go v0.{minor}.{patch}" in replaces
    assert f"require k8s.io/kubernetes v{version}" in wrapper
    assert f"k8s.io/component-base/version.gitVersion=v{version}" in binaries.version_ldflags(
        version, "2025-01-01T00:00:00Z")


def test_built_binaries_report_the_real_version():
    found = binaries.ensure_all(quiet=True)
    for name in binaries.KUBE_COMPONENTS:
        out = subprocess.run([str(found[name]), "--version"], capture_output=True, text=True,
                             timeout=30).stdout
        assert out.strip() == f"Kubernetes v{found.version}"


def test_bad_version_is_a_clear_task_error():
    proc = subprocess.run(["invoke", "cluster.up", "--version=banane"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "erreur: version de Kubernetes invalide : 'banane'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_status_task_of_a_stopped_cluster(tmp_path):
    proc = subprocess.run(["invoke", "cluster.status"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60,
                          env={**os.environ, "DIAPO_CLUSTER_DIR": str(tmp_path)})
    assert proc.returncode == 1
    assert "cluster local : arrêté" in proc.stdout


def test_down_task_of_a_stopped_cluster_succeeds(tmp_path):
    proc = subprocess.run(["invoke", "cluster.down"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60,
                          env={**os.environ, "DIAPO_CLUSTER_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert "aucun cluster local à arrêter" in proc.stderr


@pytest.mark.timeout(1800)  # a real Go build: minutes on a cold build cache
def test_kubectl_is_built_when_none_is_found(monkeypatch, tmp_path):
    """Where no kubectl exists, it is built in the wrapper module, at the cluster's version
    (the other binaries come from the cache, so only kubectl is built)."""
    cached = binaries.ensure_all(quiet=True)
    go_dir = Path(subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True,
                                 check=True).stdout.strip()) / "bin"
    monkeypatch.setenv("DIAPO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(go_dir))
    monkeypatch.delenv("KUBEBUILDER_ASSETS", raising=False)
    bin_dir = binaries.version_dir(cached.version) / "bin"
    bin_dir.mkdir(parents=True)
    kwok = binaries.cached_path("kwok", cached.version)
    kwok.parent.mkdir(parents=True)
    kwok.symlink_to(cached["kwok"])
    for name in (*binaries.KUBE_COMPONENTS, "etcd", *binaries.NODE_COMPONENTS):
        (bin_dir / name).symlink_to(cached[name])
    built = binaries.ensure_all(cached.version, quiet=True)
    assert built["kubectl"] == bin_dir / "kubectl"
    out = subprocess.run([str(built["kubectl"]), "version", "--client", "-o", "json"],
                         capture_output=True, text=True, timeout=30, check=True).stdout
    assert json.loads(out)["clientVersion"]["gitVersion"] == f"v{cached.version}"
    assert "go build" in binaries.build_log(cached.version).read_text()


def test_up_task_on_a_taken_port_is_a_clear_error(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = subprocess.run(["invoke", "cluster.up", f"--port={port}"], cwd=ROOT,
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "DIAPO_CLUSTER_DIR": str(tmp_path)})
    assert proc.returncode == 2
    assert f"erreur: le port 127.0.0.1:{port} est déjà pris" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_concurrent_ups_start_one_cluster(state_dir):
    """Two `invoke cluster.up` at once (two engineers, two test sessions): one starts the
    control plane, the other waits for it and reuses it."""
    env = {**os.environ, "DIAPO_CLUSTER_DIR": str(state_dir)}
    ups = [subprocess.Popen(["invoke", "cluster.up"], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    results = [up.communicate(timeout=240) for up in ups]
    assert [up.returncode for up in ups] == [0, 0], results
    assert all(f"export KUBECONFIG={state_dir / 'kubeconfig'}" in out for out, _ in results)
    assert sorted("déjà démarré" in err for _, err in results) == [False, True]
    assert len(_processes_mentioning(str(state_dir))) == len(local.COMPONENTS)


def test_ctrl_c_during_up_leaves_no_process(state_dir):
    up = subprocess.Popen(["invoke", "cluster.up"], cwd=ROOT, text=True,
                          env={**os.environ, "DIAPO_CLUSTER_DIR": str(state_dir)},
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for line in up.stderr:  # wait for the apiserver to be starting, then interrupt
            if "etcd prêt" in line:
                break
        up.send_signal(signal.SIGINT)
        rest = up.stderr.read()
        assert up.wait(timeout=60) == 130
        assert "interrompu" in rest
    finally:
        up.kill()
        up.wait()
    assert _processes_mentioning(str(state_dir)) == []
    assert local.running(state_dir) is None
