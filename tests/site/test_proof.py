"""Proof on the reading page: each demo's badge from the verify report, its escaped output."""

from __future__ import annotations

import copy
import re

import pytest
from sitekit import demo_result, verify_report

from diapo.errors import DiapoError

DECK = """\
---
description: Des démos vérifiées
---

# Démos

---

## Étapes

```bash demo=ok
echo ok
```

```bash demo=ko
kubectl get pods
```

```bash demo=node needs=node
kubectl logs pod/whoami
```

```bash demo=live only=live
kubectl edit deployment/whoami
```

```bash demo=hid hidden
kubectl get ns secret
```
"""


REPORT = verify_report("demos", [
    demo_result("ok", "passed", "echo ok", output="<script>alert('x')</script>\nok\n"),
    demo_result("ko", "failed", "kubectl get pods", output="No resources found",
                reason="sortie différente", diff="-whoami\n+No resources found"),
    demo_result("node", "skipped", "kubectl logs pod/whoami", reason="needs=node"),
    demo_result("live", "skipped", "kubectl edit deployment/whoami", reason="only=live"),
    demo_result("hid", "passed", "kubectl get ns secret", output="secret Active"),
])


def build(make_project, report: dict | None):
    project = make_project()
    project.write("docs/demos.md", DECK)
    if report is not None:
        project.report(report)
    project.build()
    return project


def badges(page: str) -> dict[str, str]:
    """demo id -> status class of its badge."""
    return dict(re.findall(
        r'data-demo="([^"]+)"><span class="diapo-badge diapo-badge--demo">démo</span> '
        r'<span class="diapo-badge diapo-badge--([a-z-]+)"', page))


def test_badges_follow_the_report(make_project) -> None:
    page = build(make_project, REPORT).html("demos/index.html")
    assert badges(page) == {"ok": "verified", "ko": "failed", "node": "needs-node",
                            "live": "unverified"}
    for label in ("vérifié", "échec", "nécessite un nœud réel", "non vérifié"):
        assert f">{label}</span>" in page
    assert "le 26/11/2026 à 17:00 UTC · Kubernetes v1.33.13" in page
    assert "kubectl get ns secret" not in page  # hidden demo, output included


def test_captured_output_is_folded_and_escaped(make_project) -> None:
    page = build(make_project, REPORT).html("demos/index.html")
    assert "<script>alert" not in page
    assert "&lt;/script&gt;" in page and "alert" in page
    assert '<details class="success">' in page
    assert "<summary>Sortie obtenue lors de la vérification</summary>" in page
    # a failure shows its reason and the diff
    assert '<details class="failure">' in page
    assert "<summary>Échec lors de la vérification : sortie différente</summary>" in page
    assert "No resources found" in page and "whoami" in page


def test_home_page_counts_verified_demos(make_project) -> None:
    home = build(make_project, REPORT).html("index.html")
    assert "1 démo vérifiée sur 4" in home
    assert "Démos vérifiées le 26/11/2026 à 17:00 UTC" in home


def test_without_report_demos_are_not_verified(make_project) -> None:
    project = build(make_project, None)
    page = project.html("demos/index.html")
    assert set(badges(page).values()) == {"unverified"}
    assert "<details" not in page
    home = project.html("index.html")
    assert "4 démos, non vérifiées (aucun rapport)" in home
    assert "Démos non vérifiées" in home


def test_changed_command_is_not_verified(make_project) -> None:
    report = copy.deepcopy(REPORT)
    report["decks"][0]["demos"][0]["command"] = "echo autre chose"
    page = build(make_project, report).html("demos/index.html")
    assert badges(page)["ok"] == "unverified"
    assert "modifiée depuis la dernière vérification" in page


def test_corrupt_report_fails_the_build(make_project) -> None:
    project = make_project()
    project.write("docs/demos.md", DECK)
    project.write(".diapo/verify.json", "{ pas du json")
    with pytest.raises(DiapoError, match="unreadable verify report"):
        project.build()
