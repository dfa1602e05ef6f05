"""Fixtures of the cluster tests: a kubectl runner bound to the session cluster and a
throwaway namespace per test (several engineers' sessions share one cluster), and a short
directory for real nodes' state."""

from __future__ import annotations

import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from diapo.cluster import binaries

Kubectl = Callable[..., subprocess.CompletedProcess]


@pytest.fixture(scope="session")
def kubectl(cluster) -> Kubectl:
    """`kubectl(*args, input=None, check=True, timeout=60)` with the cluster's kubeconfig."""

    program = str(binaries.find("kubectl", cluster.version) or "kubectl")

    def run(*args: str, input: str | None = None, check: bool = True,
            timeout: float = 60) -> subprocess.CompletedProcess:
        cmd = [program, f"--kubeconfig={cluster.kubeconfig}", f"--context={cluster.context}",
               *args]
        proc = subprocess.run(cmd, input=input, capture_output=True, text=True,
                              timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} -> {proc.returncode}\n{proc.stderr}")
        return proc

    return run


@pytest.fixture
def namespace(kubectl: Kubectl) -> Iterator[str]:
    """A fresh namespace, deleted (without waiting) after the test."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    kubectl("create", "namespace", name)
    # Pods are only admitted once the controller-manager made the `default` ServiceAccount.
    kubectl("wait", "--for=create", "serviceaccount/default", "-n", name, "--timeout=30s")
    yield name
    kubectl("delete", "namespace", name, "--wait=false", check=False)


@pytest.fixture(scope="session")
def core_api(cluster):
    """The official Python client (CoreV1Api) on the session cluster."""
    from kubernetes import client, config

    api_client = config.new_client_from_config(config_file=str(cluster.kubeconfig),
                                               context=cluster.context)
    yield client.CoreV1Api(api_client), client.AppsV1Api(api_client)
    api_client.close()


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A directory short enough for a real node's sockets (pytest's tmp_path may be too long:
    `diapo.cluster.node.path_problem`)."""
    with tempfile.TemporaryDirectory(prefix="dn") as folder:
        yield Path(folder)
