"""Fixtures of the engine and verify tests: a throw-away project and the local cluster."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from diapo.cluster.client import Cluster


def write_project(root: Path, *, wait_timeout: float = 30, timeout: float = 30,
                  contexts: tuple[str, ...] = ("diapo-local",)) -> Path:
    """A minimal diapo project (mkdocs.yml + docs/) in `root`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "docs").mkdir(exist_ok=True)
    (root / "mkdocs.yml").write_text(
        "site_name: essai\ndocs_dir: docs\nplugins:\n  - diapo:\n"
        f"      contexts: [{', '.join(contexts)}]\n"
        f"      timeout: {timeout}\n      wait_timeout: {wait_timeout}\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "cours")


@pytest.fixture
def kube(cluster) -> Iterator[Cluster]:
    """A client on the local cluster, to check from outside what the demos did."""
    client = Cluster(str(cluster.kubeconfig), cluster.context)
    yield client
    client.close()


@pytest.fixture
def on_cluster(cluster, monkeypatch):
    """The session cluster, as the current kubeconfig (KUBECONFIG) of the test."""
    monkeypatch.setenv("KUBECONFIG", str(cluster.kubeconfig))
    return cluster


def quiet() -> Console:
    """A console that prints nothing (verify's tables in tests)."""
    return Console(file=open(os.devnull, "w"), width=120)


def sleepers(seconds: int) -> list[int]:
    """Live `sleep SECONDS` processes (tests use unusual durations, to recognise theirs)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                cmdline = Path(entry.path, "cmdline").read_bytes()
                state = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if cmdline == f"sleep\x00{seconds}\x00".encode() and state != "Z":
                found.append(int(entry.name))
    return found
