"""Proof that cannot lie, against the local control plane: `verify --changed`, warnings as
results (`warn=`, `--strict-warnings`, JUnit), a quick and clean Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from diapo.cluster.client import Cluster
from diapo.deck import parse
from diapo.demo import engine, report, verify
from diapo.site import badges
from tests.demo.conftest import quiet, sleepers, write_project

pytestmark = pytest.mark.cluster
REPO = Path(__file__).resolve().parents[2]


def fence(info: str, body: str, expect: str | None = None, match: str = "") -> str:
    text = f"```{info}\n{body.rstrip()}\n```\n"
    if expect is not None:
        text += f"```text expect{' match=' + match if match else ''}\n{expect.rstrip()}\n```\n"
    return text + "\n"


def deck(*slides: str) -> str:
    return "---\nmarp: true\n---\n\n" + "\n---\n\n".join(
        f"# Diapo {i + 1}\n\n{body}" for i, body in enumerate(slides))


def statuses(root: Path, name: str) -> dict[str, str]:
    """demo id -> badge status the site would show now."""
    saved = report.load(root / ".diapo" / "verify.json")
    the_deck = parse(root / "docs" / f"{name}.md", name=name)
    return {k: p.status for k, p in badges.proofs(the_deck, saved).items()}


CONFIG = """apiVersion: v1
kind: ConfigMap
metadata:
  name: reglages
data:
  replicas: "2"
"""


def test_changed_reruns_only_what_changed_and_merges(tmp_path: Path, on_cluster):
    root = write_project(tmp_path / "cours")
    (root / "demos" / "un").mkdir(parents=True)
    (root / "demos" / "un" / "reglages.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "docs" / "un.md").write_text(deck(
        fence("bash demo=cree", "kubectl apply -f reglages.yaml", "configmap/reglages created")
        + fence("bash demo=lit", "kubectl get configmap reglages -o jsonpath='{.data.replicas}'",
                "2")
        + fence("bash demo=fin", "echo fin", "fin")), encoding="utf-8")
    (root / "docs" / "deux.md").write_text(deck(fence("bash demo=seul", "echo deux", "deux")),
                                           encoding="utf-8")
    assert verify.run([], root=root, console=quiet()) == 0
    first = report.load(root / ".diapo" / "verify.json")
    assert set(statuses(root, "un").values()) == {"verified"}

    # An expect line of the middle step: only it is un-verified, and --changed runs the deck
    # up to it (the step before sets it up) and keeps the last step's result.
    text = (root / "docs" / "un.md").read_text(encoding="utf-8")
    (root / "docs" / "un.md").write_text(text.replace("```text expect\n2\n", "```text expect\n"
                                                      "2...\n"), encoding="utf-8")
    assert statuses(root, "un") == {"cree": "verified", "lit": "changed", "fin": "verified"}
    assert verify.run([], verify.Options(changed=True), root=root, console=quiet()) == 0
    second = report.load(root / ".diapo" / "verify.json")
    assert second.deck("deux") == first.deck("deux")  # not run again
    assert second.deck("un").namespace != first.deck("un").namespace
    assert second.deck("un").demos[2] == first.deck("un").demos[2]  # kept, not rerun
    assert second.deck("un").demos[1].duration != first.deck("un").demos[1].duration or \
        second.deck("un").demos[1].fingerprint != first.deck("un").demos[1].fingerprint
    assert set(statuses(root, "un").values()) == {"verified"}

    # replicas in the demos/ manifest: the step applying it and the later ones.
    (root / "demos" / "un" / "reglages.yaml").write_text(CONFIG.replace('"2"', '"5"'),
                                                         encoding="utf-8")
    assert statuses(root, "un") == {"cree": "changed", "lit": "changed", "fin": "changed"}
    assert statuses(root, "deux") == {"seul": "verified"}
    # "2..." vs "5"
    assert verify.run([], verify.Options(changed=True), root=root, console=quiet()) == 1
    assert statuses(root, "un") == {"cree": "verified", "lit": "failed", "fin": "unverified"}

    # Nothing changed: no cluster needed at all.
    (root / "docs" / "un.md").write_text(text.replace("```text expect\n2\n", "```text expect\n"
                                                      "5\n"), encoding="utf-8")
    assert verify.run([], verify.Options(changed=True), root=root, console=quiet()) == 0
    os.environ["KUBECONFIG"] = str(tmp_path / "absent")
    assert verify.run([], verify.Options(changed=True), root=root, console=quiet()) == 0


ENDPOINTS_WARNING = "v1 Endpoints is deprecated"
UNKNOWN_FIELD = """apiVersion: v1
kind: ConfigMap
metadata:
  name: inconnu
data:
  a: b
datta:
  c: d
"""
# Server-side apply through the Python client: the deprecation comes as a Warning header.
ENDPOINTS = """apiVersion: v1
kind: Endpoints
metadata:
  name: manuel
subsets: []
"""


def test_warnings_are_results(tmp_path: Path, on_cluster, kube: Cluster):
    root = write_project(tmp_path / "cours")
    (root / "docs" / "alertes.md").write_text(deck(
        fence("bash demo=ep", "kubectl get endpoints", "No resources found in ... namespace.")
        + fence(f'bash demo=ep-ok warn="{ENDPOINTS_WARNING}"', "kubectl get endpoints -o name")
        + fence("yaml apply", ENDPOINTS)
        + fence("yaml file=inconnu.yaml", UNKNOWN_FIELD)
        + fence("bash demo=champ", "kubectl create --validate=warn -f inconnu.yaml",
                "configmap/inconnu created")
        + fence("bash demo=psa", "kubectl label namespace \"$DIAPO_NAMESPACE\" "
                "pod-security.kubernetes.io/warn=restricted >/dev/null\n"
                "kubectl run privil --image=registry.invalid/x --privileged -o name",
                "pod/privil")
        + fence('bash demo=attente wait="endpoints/absente Deleted"', "echo attend", "attend")
        + fence("bash demo=propre", "echo rien", "rien")), encoding="utf-8")
    junit = root / "junit.xml"
    assert verify.run([], verify.Options(junit=str(junit)), root=root, console=quiet()) == 0
    saved = report.load(root / ".diapo" / "verify.json").deck("alertes")
    by_id = {d.id: d for d in saved.demos}
    assert by_id["ep"].status == "warned"
    assert any(ENDPOINTS_WARNING in w for w in by_id["ep"].warnings), by_id["ep"]
    assert by_id["ep-ok"].status == "passed" and by_id["ep-ok"].warnings  # accepted, kept
    apply_id = next(d.id for d in saved.demos if d.kind == "apply")
    assert by_id[apply_id].status == "warned"
    assert any(ENDPOINTS_WARNING in w for w in by_id[apply_id].warnings), by_id[apply_id]
    assert by_id["champ"].status == "warned"
    assert any('unknown field "datta"' in w for w in by_id["champ"].warnings), by_id["champ"]
    assert by_id["psa"].status == "warned"
    assert any("would violate PodSecurity" in w for w in by_id["psa"].warnings)
    assert by_id["attente"].status == "warned"  # a wait= on a deprecated kind
    assert any(ENDPOINTS_WARNING in w for w in by_id["attente"].warnings), by_id["attente"]
    assert by_id["propre"].status == "passed" and by_id["propre"].warnings == []
    shown = statuses(root, "alertes")
    assert shown["ep"] == "warning" and shown["ep-ok"] == "verified"
    proof = badges.proofs(parse(root / "docs" / "alertes.md", name="alertes"),
                          report.load(root / ".diapo" / "verify.json"))["ep"]
    assert proof.label == "avertissement" and ENDPOINTS_WARNING in proof.detail
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    ep = next(c for n, c in cases.items() if n.endswith("· ep"))
    assert ep.find("failure") is None
    assert ENDPOINTS_WARNING in ep.find("system-err").text
    assert ep.find("properties/property").get("name") == "warning"

    assert verify.run([], verify.Options(junit=str(junit), strict_warnings=True), root=root,
                      console=quiet()) == 1
    cases = list(ET.parse(junit).getroot().iter("testcase"))
    kinds = [c.find("failure").get("type") for c in cases if c.find("failure") is not None]
    assert kinds == ["warning"] * 5


def _namespaces(kube: Cluster, prefix: str) -> list[str]:
    items = kube.request("GET", "/api/v1/namespaces").get("items") or []
    return [n["metadata"]["name"] for n in items if n["metadata"]["name"].startswith(prefix)]


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s: {what}")


def test_ctrl_c_exits_within_3_s_and_the_api_server_finishes_the_cleanup(
        tmp_path: Path, cluster, kube: Cluster):
    """A real SIGINT to a real `invoke verify`: one deck sleeping in a shell step, one
    blocked in a `wait=` watch; exit < 3 s, then nothing of either run is left."""
    suffix = engine._run_id()
    root = write_project(tmp_path / "cours", wait_timeout=300, timeout=300)
    (root / "docs" / "dort.md").write_text(deck(fence(
        "bash demo=dort", f"kubectl create namespace hors-{suffix}\n"
        "kubectl create configmap en-cours --from-literal=a=b\nsleep 619")), encoding="utf-8")
    (root / "docs" / "attend.md").write_text(deck(fence(
        'bash demo=attend wait="pod/jamais Ready"',
        "kubectl create configmap attente --from-literal=a=b")), encoding="utf-8")
    env = {**os.environ, "KUBECONFIG": str(cluster.kubeconfig)}
    proc = subprocess.Popen([sys.executable, "-m", "invoke", "--search-root", str(REPO),
                             "verify", "--parallel", "2"], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        def both_busy():
            runs = _namespaces(kube, "diapo-dort-") + _namespaces(kube, "diapo-attend-")
            ready = [ns for ns, name in zip(runs, ("en-cours", "attente"))
                     if kube.get(kube.resource("configmaps"), name, ns)]
            return runs if len(ready) == 2 and sleepers(619) else None
        run_ns = _wait_for(both_busy, 90, "both decks busy")
        time.sleep(0.5)  # let the second deck enter its watch
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
        elapsed = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, output.decode()
    assert elapsed < 3.0, f"exit took {elapsed:.2f} s"
    assert sleepers(619) == []
    for name in [*run_ns, f"hors-{suffix}"]:  # asked for: the API server finishes them
        _wait_for(lambda: not _namespaces(kube, name), 120,  # noqa: B023 - called at once
                  f"namespace {name} deleted")


def test_report_json_keeps_warnings_and_fingerprints(tmp_path: Path, on_cluster):
    root = write_project(tmp_path / "cours")
    (root / "docs" / "un.md").write_text(deck(fence("bash demo=a", "echo a", "a")),
                                         encoding="utf-8")
    assert verify.run([], root=root, console=quiet()) == 0
    data = json.loads((root / ".diapo" / "verify.json").read_text())
    assert data["version"] == 2
    demo = data["decks"][0]["demos"][0]
    assert len(demo["fingerprint"]) == 32 and demo["warnings"] == []
