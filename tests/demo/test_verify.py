"""`invoke verify` end to end: reports, JUnit, --update, refused contexts, Ctrl-C cleanup."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from diapo.cluster.client import Cluster
from diapo.demo import engine, report, verify
from diapo.errors import ClusterError, DiapoError
from tests.demo.conftest import quiet, sleepers, write_project
from tests.demo.decks import Step, write_deck

pytestmark = pytest.mark.cluster
REPO = Path(__file__).resolve().parents[2]


def namespaces(kube: Cluster, prefix: str) -> list[str]:
    items = kube.request("GET", "/api/v1/namespaces").get("items") or []
    return [n["metadata"]["name"] for n in items if n["metadata"]["name"].startswith(prefix)]


def test_report_junit_skips_and_exit_code(project: Path, on_cluster, kube: Cluster):
    write_deck(project / "docs", "bon", [
        [Step("kubectl create configmap c --from-literal=a=b -o name", expect="configmap/c")],
        [Step("echo en classe", only="live"), Step("kubectl logs deploy/x", needs="node")],
    ])
    write_deck(project / "docs", "casse", [[
        Step("echo un"), Step("echo deux", expect="trois"), Step("echo jamais"),
    ]])
    junit = project / "out" / "junit.xml"
    code = verify.run([], verify.Options(parallel=2, junit=str(junit)), root=project,
                      console=quiet())
    assert code == 1
    saved = report.load(project / ".diapo" / "verify.json")
    bon, casse = saved.deck("bon"), saved.deck("casse")
    assert (bon.status, casse.status) == ("passed", "failed")
    assert [d.status for d in bon.demos] == ["passed", "skipped", "skipped"]
    assert [d.status for d in casse.demos] == ["passed", "failed", "skipped"]
    assert casse.demos[1].diff and "+deux" in casse.demos[1].diff
    assert casse.demos[2].reason == verify.AFTER_FAILURE
    assert saved.cluster.simulated and saved.cluster.kubernetes_version.startswith("v1.")
    assert bon.namespace != casse.namespace
    assert not namespaces(kube, bon.namespace) and not namespaces(kube, casse.namespace)
    suites = ET.parse(junit).getroot()
    assert (suites.get("tests"), suites.get("failures"), suites.get("skipped")) == ("6", "1", "3")
    by_name = {s.get("name"): s for s in suites.iter("testsuite")}
    assert len(by_name["casse"].findall("testcase/failure")) == 1
    assert len(by_name["bon"].findall("testcase/skipped")) == 2


def test_update_rewrites_only_the_expect_blocks(project: Path, on_cluster):
    deck = write_deck(project / "docs", "maj", [
        [Step("printf 'a\\nb\\n'", expect="a\nx"),
         Step("echo garde", expect="gar..."),
         Step("echo motif", match="regex", expect=r"mot\w+")],
        [Step("printf 'ligne  \\n'", expect="autre chose")],
    ])
    before = deck.path.read_text().split("\n")
    assert verify.run(["maj"], verify.Options(update=True), root=project, console=quiet()) == 0
    after = deck.path.read_text().split("\n")
    changed = {i: (b, a) for i, (b, a) in enumerate(zip(before, after)) if a != b}
    assert len(before) == len(after)
    # Only the body lines of the two mismatched blocks (0-based index = 1-based fence line).
    assert sorted(changed) == [deck.demos[0].expect.location.line + 1,
                               deck.demos[3].expect.location.line]
    assert after[deck.demos[0].expect.location.line + 1] == "b"
    assert after[deck.demos[3].expect.location.line] == "ligne"  # trailing spaces dropped
    assert verify.run(["maj"], root=project, console=quiet()) == 0


def test_unlisted_context_is_refused(tmp_path: Path, on_cluster):
    project = write_project(tmp_path / "p", contexts=("production",))
    write_deck(project / "docs", "d", [[Step("echo x")]])
    with pytest.raises(ClusterError) as err:
        verify.run([], root=project, console=quiet())
    assert "contexte « diapo-local » refusé : il n'est pas dans `contexts`" in str(err.value)
    assert "--context" not in (err.value.hint or "")  # a verification never asks


def test_ctrl_c_during_a_run_still_cleans_up(project: Path, cluster, kube: Cluster):
    suffix = engine._run_id()
    write_deck(project / "docs", "long", [[
        Step(f"kubectl create namespace sigint-{suffix}\n"
             "kubectl create configmap en-cours --from-literal=a=b\nsleep 617", timeout=300),
    ]])
    env = {**os.environ, "KUBECONFIG": str(cluster.kubeconfig)}
    proc = subprocess.Popen([sys.executable, "-m", "invoke", "--search-root", str(REPO),
                             "verify"], cwd=project, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        run_ns: list[str] = []
        while time.monotonic() < deadline and proc.poll() is None:
            run_ns = namespaces(kube, "diapo-long-")
            # The configmap exists a moment before the shell starts the sleep.
            if (run_ns and kube.get(kube.resource("configmaps"), "en-cours", run_ns[0])
                    and sleepers(617)):
                break
            time.sleep(0.1)
        assert run_ns, "the run never reached its sleeping step"
        assert sleepers(617), "the step's sleep is not running"
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, output.decode()
    assert "interruption" in output.decode()
    assert sleepers(617) == []
    # Every deletion was asked for before the exit; the API server finishes them.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (namespaces(kube, run_ns[0]) or
                                           namespaces(kube, f"sigint-{suffix}")):
        time.sleep(0.2)
    assert namespaces(kube, run_ns[0]) == []
    assert namespaces(kube, f"sigint-{suffix}") == []


def test_namespaces_of_a_killed_run_are_removed_by_the_next_one(project: Path, cluster,
                                                                kube: Cluster, monkeypatch):
    suffix = engine._run_id()
    write_deck(project / "docs", "tue", [[
        Step(f"kubectl create namespace tue-{suffix}\n"
             "kubectl create configmap en-cours --from-literal=a=b\nsleep 618", timeout=300),
    ]])
    env = {**os.environ, "KUBECONFIG": str(cluster.kubeconfig)}
    proc = subprocess.Popen([sys.executable, "-m", "invoke", "--search-root", str(REPO),
                             "verify"], cwd=project, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        run_ns: list[str] = []
        while time.monotonic() < deadline and proc.poll() is None:
            run_ns = namespaces(kube, "diapo-tue-")
            if (run_ns and kube.get(kube.resource("configmaps"), "en-cours", run_ns[0])
                    and sleepers(618)):
                break
            time.sleep(0.1)
        assert run_ns, "the run never reached its sleeping step"
        proc.kill()  # no cleanup can run
        proc.wait(10)
        assert namespaces(kube, run_ns[0]) == run_ns
        (project / "docs" / "tue.md").unlink()
        write_deck(project / "docs", "suivant", [[Step("echo ok")]])
        monkeypatch.setenv("KUBECONFIG", str(cluster.kubeconfig))
        assert verify.run([], root=project, console=quiet()) == 0
        for name in (run_ns[0], f"tue-{suffix}"):  # deleted (the deletion may still run)
            left = kube.get(kube.resource("namespaces"), name)
            assert left is None or left["status"]["phase"] == "Terminating", name
    finally:
        for pid in sleepers(618):  # the killed run's step outlives it, as any orphan would
            os.kill(pid, signal.SIGKILL)


def test_one_demo_runs_the_steps_before_it_and_keeps_other_decks_in_the_report(
        project: Path, on_cluster):
    write_deck(project / "docs", "autre", [[Step("echo autre", expect="autre")]])
    write_deck(project / "docs", "cible", [[
        Step("X=prepare", id="prep"), Step('echo "$X"', id="voulue", expect="prepare"),
        Step("echo après", id="apres"),
    ]])
    assert verify.run(["autre"], root=project, console=quiet()) == 0
    assert verify.run([], verify.Options(demo="voulue"), root=project, console=quiet()) == 0
    saved = report.load(project / ".diapo" / "verify.json")
    assert [d.deck for d in saved.decks] == ["autre", "cible"]
    assert [d.id for d in saved.deck("cible").demos] == ["prep", "voulue"]
    with pytest.raises(DiapoError):
        verify.run([], verify.Options(demo="inexistante"), root=project, console=quiet())
