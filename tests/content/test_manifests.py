"""Every manifest of demos/kubernetes/ is accepted by a real API server (server-side dry run)."""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest

from .conftest import manifests

pytestmark = pytest.mark.cluster

MANIFESTS = manifests()


def _kubectl(cluster, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, KUBECONFIG=str(cluster.kubeconfig))
    return subprocess.run(["kubectl", "--context", cluster.context, *args], env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def scratch(cluster):
    """A throwaway namespace, removed afterwards."""
    name = f"content-{uuid.uuid4().hex[:8]}"
    assert _kubectl(cluster, "create", "namespace", name).returncode == 0
    yield name
    _kubectl(cluster, "delete", "namespace", name, "--wait=false")


@pytest.mark.parametrize("manifest", MANIFESTS, ids=[m.name for m in MANIFESTS])
def test_manifest_passes_server_side_dry_run(cluster, scratch, manifest) -> None:
    result = _kubectl(cluster, "-n", scratch, "apply", "--dry-run=server", "-f", str(manifest))
    assert result.returncode == 0, result.stderr
    assert "(server dry run)" in result.stdout
    # Nothing was created: a dry run leaves the namespace empty.
    listed = _kubectl(cluster, "-n", scratch, "get", "all,configmap,ingress,networkpolicy",
                      "-o", "name")
    assert "whoami" not in listed.stdout and "postgres" not in listed.stdout


def test_dry_run_rejects_an_invalid_manifest(cluster, scratch, tmp_path) -> None:
    # The check above can fail: a manifest the API refuses is reported.
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: Invalid_Name\nspec:\n"
                   "  containers: []\n", encoding="utf-8")
    result = _kubectl(cluster, "-n", scratch, "apply", "--dry-run=server", "-f", str(bad))
    assert result.returncode != 0
    assert "Invalid" in result.stderr
