"""`invoke verify kubernetes cloud`: decks as words after the task, through the real invoke CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.demo.conftest import write_project

ROOT = Path(__file__).resolve().parents[1]


def _project(tmp_path: Path) -> Path:
    root = write_project(tmp_path / "cours")
    (root / "tasks.py").write_text("from diapo.tasks import ns  # noqa: F401\n", encoding="utf-8")
    for name, word in (("alpha", "un"), ("beta", "deux"), ("gamma", "trois")):
        (root / "docs" / f"{name}.md").write_text(
            f"---\nmarp: true\n---\n\n# {name}\n\n```bash demo=dire\necho {word}\n```\n"
            f"```text expect\n{word}\n```\n", encoding="utf-8")
    return root


def _invoke(root: Path, *args: str, cluster=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KUBECONFIG", None)
    if cluster is not None:
        env["KUBECONFIG"] = str(cluster.kubeconfig)
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def test_unknown_deck_is_one_french_line_listing_the_decks(tmp_path):
    root = _project(tmp_path)
    for args in (("verify", "alpha", "nulle"), ("verify", "--deck", "nulle"),
                 ("verify", "nulle", "--deck", "alpha")):
        done = _invoke(root, *args)
        assert done.returncode == 2, done
        lines = done.stderr.strip().splitlines()
        assert lines == ["erreur: deck « nulle » introuvable dans docs/ ; "
                         "decks : alpha, beta, gamma"], (args, done.stderr)
        assert "Traceback" not in done.stderr + done.stdout


def test_task_names_and_flag_values_are_not_taken_as_decks(tmp_path):
    root = _project(tmp_path)
    # `--demo beta` is the flag's value, `inspect` the next task: neither is a deck. The
    # unknown deck error proves which words verify received, without a cluster.
    done = _invoke(root, "verify", "alpha", "--demo", "beta", "nulle", "inspect", "alpha")
    assert "« nulle » introuvable" in done.stderr, done.stderr
    done = _invoke(root, "verify", "--demo", "beta", "inspect")
    assert "No idea" not in done.stderr and "introuvable" not in done.stderr


@pytest.mark.cluster
def test_decks_as_words_and_with_deck_flag(tmp_path, cluster):
    root = _project(tmp_path)
    report = root / "r.json"
    done = _invoke(root, "verify", "alpha", "gamma", "--json", str(report), cluster=cluster)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [d["deck"] for d in json.loads(report.read_text())["decks"]] == ["alpha", "gamma"]
    done = _invoke(root, "verify", "beta", "--deck", "alpha", "--json", str(report),
                   cluster=cluster)
    assert done.returncode == 0, done.stdout + done.stderr
    decks = json.loads(report.read_text())["decks"]
    assert {d["deck"] for d in decks} >= {"alpha", "beta"}
    assert all(d["status"] == "passed" for d in decks)


def test_list_and_help_are_french_and_whole(tmp_path):
    root = _project(tmp_path)
    listed = _invoke(root, "--list")
    assert listed.returncode == 0, listed.stderr
    # One entry per task; invoke shows a docstring's first line only, so each must be a whole
    # sentence (a docstring wrapped over two lines would show cut in the middle).
    entries: dict[str, str] = {}
    for line in listed.stdout.splitlines()[1:]:
        if line.startswith("  ") and not line.startswith("   "):
            name, text = re.split(r"\s{2,}", line.strip(), maxsplit=1)
            entries[name] = text
        elif line.strip():
            entries[name] += " " + line.strip()
    assert {"build", "verify", "demo.run (demo)", "cluster.up", "cluster.build"} <= set(entries)
    for name, text in entries.items():
        assert text.endswith("."), (name, text)
    assert entries["verify"] == ("Lance chaque démo de chaque deck sur le cluster ; échoue à la "
                                 "première diapo périmée.")
    assert entries["cluster.build"] == ("Construit (ou reprend de ~/.cache/diapo) les binaires "
                                        "et les images du cluster.")
    helped = " ".join(_invoke(root, "--help", "verify").stdout.split())
    assert "Utilisation : invoke verify [DECK...] [--options] (ex. `invoke verify kubernetes " \
           "cloud`)." in helped
    assert "--decks decks à vérifier, en mots après la tâche (invoke verify kubernetes " \
           "cloud)" in helped
    assert "-j STRING, --junit=STRING écrire un rapport JUnit XML à ce chemin" in helped
    for english in ("Run every demo", "decks to verify", "write a JUnit", "Usage: invoke"):
        assert english not in helped and english not in listed.stdout
