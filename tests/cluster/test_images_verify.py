"""On real nodes, verification refuses a deck that uses an image it does not declare, before
any step runs, with the file, the line and the fix (no pod waits on a pull that cannot work)."""

from __future__ import annotations

import pytest
from rich.console import Console

from diapo.cluster.target import Target
from diapo.deck.pipeline import parse
from diapo.demo import verify
from diapo.errors import ClusterError
from diapo.project import Project
from tests.demo.conftest import write_project


def test_real_nodes_refuse_an_undeclared_image_before_running(tmp_path):
    write_project(tmp_path)
    deck_path = tmp_path / "docs" / "cours.md"
    deck_path.write_text("# Cours\n\n```bash demo\nkubectl run x --image=nginx:1.27\n```\n",
                         encoding="utf-8")
    (tmp_path / "demos" / "cours").mkdir(parents=True)
    deck = parse(deck_path, name="cours")
    target = Target(context="diapo-local", kubeconfig=None, server="https://127.0.0.1:1",
                    version="1.37.2", simulated=False)
    quiet = Console(file=open("/dev/null", "w"))  # noqa: SIM115
    shared = verify._Run(Project(tmp_path), verify.Options(parallel=1), quiet, verify._State())
    with pytest.raises(ClusterError) as err:
        verify._run_on(shared, target, [(deck, deck.demos)])
    assert f"{deck_path}:4" in str(err.value) and "nginx:1.27" in str(err.value)
    assert "images.yaml" in str(err.value)
