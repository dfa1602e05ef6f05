"""The Debian packages of the tests: listed once (diapo/system.py), checked, named when missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from diapo import system
from diapo.errors import DiapoError

REPO = Path(__file__).resolve().parents[2]


def test_missing_packages_are_named_with_the_exact_command(monkeypatch, capsys) -> None:
    monkeypatch.setattr(system, "TEST_PACKAGES",
                        {"sh-present": "sh", "paquet-absent": "/nonexistent/diapo-probe"})
    monkeypatch.setattr(system, "NODE_PACKAGES", {"noeud-absent": "diapo-no-such-command"})
    assert system.missing(system.TEST_PACKAGES) == ["paquet-absent"]
    with pytest.raises(DiapoError) as raised:
        system.ensure(install=False)
    message = str(raised.value)
    assert "\n" not in message and "paquet-absent" in message and "sh-present" not in message
    assert "apt-get install -y --no-install-recommends paquet-absent noeud-absent" in message
    # Node packages alone are not fatal: one line says what real nodes would need.
    monkeypatch.setattr(system, "TEST_PACKAGES", {"sh-present": "sh"})
    assert system.ensure(install=False) == ["noeud-absent"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "noeud-absent" in err
    assert system.ensure(nodes=False, install=False) == []


def test_one_list_used_by_ci_and_no_separate_step_in_the_readme() -> None:
    listed = subprocess.run([sys.executable, "-m", "diapo.system", "--list"], cwd=REPO,
                            capture_output=True, text=True, check=True, timeout=60).stdout.split()
    assert {"chromium", "poppler-utils", "graphviz", "tmux", "containerd", "runc"} <= set(listed)
    assert "python3 -m diapo.system --install" in (REPO / ".ci" / "run").read_text()
    assert "apt-get install" not in (REPO / ".ci" / "run").read_text()
    assert "apt-get install -y" not in (REPO / "README.md").read_text()
