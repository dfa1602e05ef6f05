"""`invoke verify --kubernetes A,B`: bad versions are one-line errors; a real two-version
matrix gives per-version results, badges and a what-changed page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from diapo.cluster import local
from diapo.deck import parse
from diapo.demo import matrix, report
from diapo.site import badges, changes
from tests.demo.conftest import write_project

REPO = Path(__file__).resolve().parents[2]
OTHER = "1.36.3"  # the one extra version built for these tests


def _project(tmp_path: Path) -> Path:
    root = write_project(tmp_path / "cours")
    (root / "tasks.py").write_text("from diapo.tasks import ns  # noqa: F401\n", encoding="utf-8")
    (root / "docs" / "versions.md").write_text(
        "---\nmarp: true\n---\n\n# Versions\n\n"
        "```bash demo=stable\necho stable\n```\n```text expect\nstable\n```\n\n"
        "```bash demo=serveur\nkubectl version -o json | grep -o '\"minor\": \"[0-9]*\"' "
        "| tail -1\n```\n```text expect\n\"minor\": \"37\"\n```\n\n"
        "```bash demo=ep\nkubectl get endpoints -o name\n```\n", encoding="utf-8")
    return root


def _invoke(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "PYTHONPATH": str(REPO), **env}
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=root, env=full,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("spec", ["1.99", "latest", "1.36.3,v2"])
def test_malformed_version_is_one_french_line(tmp_path, spec):
    done = _invoke(_project(tmp_path), "verify", "--kubernetes", spec)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert "version de Kubernetes invalide" in done.stderr and "Traceback" not in done.stderr


def test_a_version_that_does_not_build_is_one_line(tmp_path):
    root = _project(tmp_path)
    started = time.monotonic()
    done = _invoke(root, "verify", "--kubernetes", "1.36.99", DIAPO_CACHE=str(tmp_path / "c"))
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Kubernetes 1.36.99" in lines[0], done.stderr
    assert "build.log" in lines[0] and "Traceback" not in done.stderr
    assert "n'est pas encore construit" in done.stdout  # says how long a build takes
    assert time.monotonic() - started < 300
    assert not (root / ".diapo" / "verify.json").exists()  # nothing unearned written


@pytest.mark.cluster
@pytest.mark.skipif(not matrix.is_built(OTHER), reason=f"Kubernetes {OTHER} not built "
                    f"(invoke cluster.build --version {OTHER})")
def test_two_versions_give_per_version_results_badges_and_changes(tmp_path, cluster):
    root = _project(tmp_path)
    default = cluster.version
    env = {"KUBECONFIG": str(cluster.kubeconfig)}
    done = _invoke(root, "verify", "--kubernetes", f"{OTHER},{default}", **env)
    assert done.returncode == 1, done.stdout + done.stderr  # `serveur` fails on 1.36
    assert "matrice : " in done.stdout
    saved = report.load(root / ".diapo" / "verify.json")
    versions = [saved.cluster.kubernetes_version, *(r.cluster.kubernetes_version
                                                     for r in saved.matrix)]
    assert sorted(versions) == sorted([f"v{OTHER}", f"v{default}"])
    deck = parse(root / "docs" / "versions.md", name="versions")
    shown = badges.proofs(deck, saved)
    assert shown["stable"].label == "vérifié sur 1.36 – 1.37"
    assert shown["serveur"].status == "failed"
    assert shown["serveur"].label == "vérifié sur 1.37 · échec sur 1.36"
    assert '"minor": "36"' in shown["serveur"].result.output  # the failing version's output
    found = {c.demo_id: c for c in changes.changes(deck, saved)}
    assert set(found) >= {"serveur", "ep"} and "stable" not in found
    (diff,) = found["serveur"].diffs.values()
    assert '"minor": "36"' in diff and '"minor": "37"' in diff
    assert any("Endpoints" in w for ws in found["ep"].warnings.values() for w in ws)
    # the matrix's own control plane is stopped; the test session's one still runs
    assert local.running(root / ".diapo" / "matrix" / OTHER) is None
    assert local.running() is not None
    # a later default-only run keeps the other version's results
    done = _invoke(root, "verify", **env)
    kept = json.loads((root / ".diapo" / "verify.json").read_text())
    assert [r["cluster"]["kubernetes_version"] for r in kept["matrix"]] == [f"v{OTHER}"]


def test_matrix_keyword_reads_the_versions_of_mkdocs_yml(tmp_path):
    from diapo import config as config_mod
    from diapo.errors import ClusterError

    root = _project(tmp_path)
    config, _ = config_mod.load(root)
    with pytest.raises(ClusterError, match="aucune version dans « versions: »"):
        matrix.versions("matrix", config)
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(text + "      versions: [v1.36.3, 1.37.2, 1.36.3]\n",
                                     encoding="utf-8")
    config, _ = config_mod.load(root)
    assert matrix.versions("matrix", config) == ["1.36.3", "1.37.2"]
    assert matrix.versions("1.37.2, 1.36.3", config) == ["1.37.2", "1.36.3"]
    assert matrix.versions(None, config) == []  # the current cluster (what CI runs)
