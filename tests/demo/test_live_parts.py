"""Parts of the lecture mode that need no cluster: keys, typing, context safety, dead servers."""

from __future__ import annotations

import io
import os
import socket
import time

import pytest
import yaml
from rich.console import Console

from diapo.cluster.target import Target, choose
from diapo.demo.live_keys import ENTER, KeyReader, key_name
from diapo.demo.live_preflight import probe
from diapo.demo.live_typing import Typist
from diapo.demo.live_ui import french_date
from diapo.errors import ClusterError


def test_key_names():
    assert key_name("\r") == ENTER
    assert key_name("\x1b[C") == "right"
    assert key_name("\x1b[5~") == "left"
    assert key_name("s") == "s"


def test_key_reader_reads_escape_sequences_whole():
    read_fd, write_fd = os.pipe()
    try:
        os.write(write_fd, b"\x1b[Bq")
        reader = KeyReader(read_fd)
        assert reader.read(1) == "down"
        assert reader.read(1) == "q"
        assert reader.read(0.01) is None
        os.close(write_fd)
        write_fd = -1
        assert reader.read(1) == "q"  # end of input quits
    finally:
        os.close(read_fd)
        if write_fd >= 0:
            os.close(write_fd)


def test_typist_reveals_a_step_per_call():
    out = io.StringIO()
    typist = Typist(Console(file=out, force_terminal=False, width=80), "kubectl get pods",
                    "bash", step=4)
    typist.type()
    assert out.getvalue() == "kube"
    typist.type()
    assert out.getvalue() == "kubectl "
    keys = iter(["x", ENTER])
    assert typist.by_keys(lambda: next(keys)) is None
    assert out.getvalue() == "kubectl get pods" and typist.done


def test_typist_at_speed_types_without_keys():
    out = io.StringIO()
    typist = Typist(Console(file=out, force_terminal=False), "echo hi", "bash")
    started = time.monotonic()
    assert typist.at_speed(500, lambda timeout: None) is None
    assert out.getvalue() == "echo hi"
    assert time.monotonic() - started < 1


def test_french_date():
    assert french_date("2026-11-20T09:30:00+00:00") == "20/11/2026 à 09:30 UTC"


def kubeconfig(path, server: str, contexts=("classe", "prod")) -> str:
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": contexts[0],
        "clusters": [{"name": "c", "cluster": {"server": server,
                                               "insecure-skip-tls-verify": True}}],
        "users": [{"name": "u", "user": {"token": "x"}}],
        "contexts": [{"name": n, "context": {"cluster": "c", "user": "u"}} for n in contexts],
    }), encoding="utf-8")
    return str(path)


def test_context_outside_config_is_refused_with_config_line(tmp_path):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\nplugins:\n  - diapo:\n      contexts: [prod-interdit]\n")
    path = kubeconfig(tmp_path / "kc", "https://127.0.0.1:1")
    asked = []
    with pytest.raises(ClusterError) as err:
        choose(["prod-interdit"], requested=None, confirm=asked.append, config_path=config,
               kubeconfig=path)
    assert "« classe » refusé" in str(err.value)
    assert err.value.location.line == 4 and asked == []


def test_a_verification_never_asks_for_an_unlisted_context(tmp_path):
    path = kubeconfig(tmp_path / "kc", "https://127.0.0.1:1")
    with pytest.raises(ClusterError) as err:  # no confirm: even a named context is refused
        choose(["autre"], requested="prod", config_path=tmp_path / "mkdocs.yml",
               kubeconfig=path)
    assert "« prod » refusé : il n'est pas dans `contexts` (autorisés : autre)" in str(err.value)
    assert "--context" not in err.value.hint


def test_named_context_runs_only_after_typed_oui(tmp_path):
    path = kubeconfig(tmp_path / "kc", "https://127.0.0.1:1")
    config = tmp_path / "mkdocs.yml"
    with pytest.raises(ClusterError, match="non confirmé"):
        choose(["classe"], requested="prod", confirm=lambda q: "o", config_path=config,
               kubeconfig=path)
    target = choose(["classe"], requested="prod", confirm=lambda q: " Oui ",
                    config_path=config, kubeconfig=path)
    assert target == Target("prod", path, "https://127.0.0.1:1")
    with pytest.raises(ClusterError, match="introuvable"):
        choose(["classe"], requested="nulle-part", confirm=lambda q: "oui",
               config_path=config, kubeconfig=path)


def test_probe_of_closed_port_is_immediate(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    path = kubeconfig(tmp_path / "kc", f"https://127.0.0.1:{port}")
    started = time.monotonic()
    health = probe(Target("classe", path, f"https://127.0.0.1:{port}"))
    assert health.error == "connexion refusée"
    assert time.monotonic() - started < 1


def test_probe_of_silent_server_gives_up_within_seconds(tmp_path):
    with socket.socket() as sock:  # accepts TCP (backlog) but never answers TLS
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        port = sock.getsockname()[1]
        path = kubeconfig(tmp_path / "kc", f"https://127.0.0.1:{port}")
        started = time.monotonic()
        health = probe(Target("classe", path, f"https://127.0.0.1:{port}"), timeout=1.0)
        took = time.monotonic() - started
    assert health.error == "pas de réponse en 1 s"
    assert 0.9 < took < 3
