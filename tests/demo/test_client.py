"""The Kubernetes client: kubeconfig resolution, refused contexts, a probe that gives up fast."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import yaml

from diapo.cluster.client import PROBE_TIMEOUT, Cluster, resolve_config
from diapo.errors import ClusterError


def kubeconfig(path: Path, server: str, *, context: str = "essai", ca: str | None = None) -> Path:
    cluster = {"server": server}
    if ca:
        cluster["certificate-authority"] = ca
    else:
        cluster["insecure-skip-tls-verify"] = True
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": context,
        "clusters": [{"name": "c", "cluster": cluster}],
        "users": [{"name": "u", "user": {"token": "jeton"}}],
        "contexts": [{"name": context, "context": {"cluster": "c", "user": "u"}}],
    }))
    return path


def test_merged_kubeconfigs_keep_one_context_with_absolute_paths(tmp_path: Path, monkeypatch):
    first = kubeconfig(tmp_path / "a.yaml", "https://a:6443", context="a", ca="certs/ca.crt")
    second = kubeconfig(tmp_path / "b.yaml", "https://b:6443", context="b")
    monkeypatch.setenv("KUBECONFIG", f"{first}:{second}")
    config = resolve_config(context="a", namespace="diapo-x")
    assert config["current-context"] == "a"
    assert config["contexts"][0]["context"]["namespace"] == "diapo-x"
    assert config["clusters"][0]["cluster"]["certificate-authority"] == \
        str(tmp_path / "certs" / "ca.crt")
    assert resolve_config()["current-context"] == "a"  # the first file's current context
    with pytest.raises(ClusterError, match="contexte 'c' introuvable"):
        resolve_config(context="c")


def test_probe_of_a_closed_port_fails_at_once(tmp_path: Path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the block ends
    cluster = Cluster(kubeconfig(tmp_path / "k.yaml", f"https://127.0.0.1:{port}"))
    started = time.monotonic()
    with pytest.raises(ClusterError, match="cluster injoignable"):
        cluster.probe()
    assert time.monotonic() - started < 1


def test_probe_of_a_silent_server_gives_up_within_seconds(tmp_path: Path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)  # accepts connections, never answers
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        port = server.getsockname()[1]
        cluster = Cluster(kubeconfig(tmp_path / "k.yaml", f"https://127.0.0.1:{port}"))
        started = time.monotonic()
        with pytest.raises(ClusterError, match="cluster injoignable"):
            cluster.probe()
        assert time.monotonic() - started < PROBE_TIMEOUT * 2 + 1
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        server.close()


@pytest.mark.cluster
def test_probe_nodes_and_discovery_on_the_local_cluster(cluster):
    client = Cluster(str(cluster.kubeconfig), cluster.context)
    try:
        assert client.probe().startswith("v1.")
        assert sorted(client.ready_nodes()) == sorted(n["metadata"]["name"]
                                                      for n in client.nodes())
        assert client.simulated()
        assert client.resource("deploy").plural == "deployments"
        assert client.resource("Job", "batch/v1").group == "batch"
    finally:
        client.close()
