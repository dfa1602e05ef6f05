"""Proof on the reading page: each demo's badge from the verify report, its escaped output."""

from __future__ import annotations

import copy
import re

import pytest
from sitekit import demo_result, stamped, verify_report

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
    project = make_project(presentation=True)
    project.write("docs/demos.md", DECK)
    project.report(REPORT)
    project.write("docs/demos.md", DECK.replace("echo ok", "echo autre chose"))
    project.build()
    page = project.html("demos/index.html")
    # the first step's command changed: the later steps ran after another one
    assert badges(page) == {"ok": "changed", "ko": "changed", "node": "changed",
                            "live": "changed"}
    assert ">modifiée depuis la vérification</span>" in page
    assert "0 démo vérifiée sur 4" in project.html("index.html")
    view = project.html("demos.html")  # the presentation view says the same
    assert view.count('class="diapo-badge" data-status="changed"') == 4
    assert ">modifiée depuis la vérification</span>" in view and 'data-status="verified"' \
        not in view


def test_a_warning_is_a_badge_of_its_own_with_its_message(make_project) -> None:
    warned = copy.deepcopy(REPORT)
    warned["decks"][0]["demos"][0].update(
        status="warned", warnings=["v1 Endpoints is deprecated in v1.33+ <b>"])
    project = make_project(presentation=True)
    project.write("docs/demos.md", DECK)
    project.report(warned)
    project.build()
    page = project.html("demos/index.html")
    assert badges(page)["ok"] == "warning" and ">avertissement</span>" in page
    message = "v1 Endpoints is deprecated in v1.33+ &lt;b&gt;"
    assert f'<span class="diapo-proof">le 26/11/2026 à 17:00 UTC · Kubernetes v1.33.13 ' \
           f"(cluster simulé) : {message}</span>" in page
    assert "0 démo vérifiée sur 4" in project.html("index.html")  # a warning is not verified
    view = project.html("demos.html")
    assert view.count('class="diapo-badge" data-status="warning"') == 1
    # the presenter reads the message itself, not only the badge's tooltip
    assert '<p class="diapo-warning">Avertissement (ok) : ' in view and message in view
    assert "<b>" not in view.split("diapo-warning", 1)[1].split("</p>", 1)[0]


def test_an_edited_expect_block_unverifies_only_its_demo(make_project) -> None:
    deck = DECK.replace("```bash demo=ok\necho ok\n```\n",
                        "```bash demo=ok\necho ok\n```\n```text expect\nok\n```\n")
    project = make_project()
    project.write("docs/demos.md", deck)
    project.report(REPORT)
    project.write("docs/demos.md", deck.replace("```text expect\nok\n", "```text expect\nok...\n"))
    project.build()
    assert badges(project.html("demos/index.html")) == {
        "ok": "changed", "ko": "failed", "node": "needs-node", "live": "unverified"}


def test_report_of_an_older_diapo_proves_nothing(make_project) -> None:
    old = copy.deepcopy(REPORT)
    old["version"] = 1  # diapo before fingerprints: results without one
    project = make_project()
    project.write("docs/demos.md", DECK)
    project.report(old, stamp=False)
    project.build()
    page = project.html("demos/index.html")
    assert set(badges(page).values()) == {"unverified"}
    assert "rapport d&#x27;une version antérieure de diapo" in page
    assert "0 démo vérifiée sur 4" in project.html("index.html")


@pytest.mark.parametrize("text", ["{ pas du json", '{"version": 2, "date": "2026-11-26", "clu',
                                  "[1, 2]", '{"version": 2, "date": 5, "cluster": {}, '
                                  '"decks": []}', b"\xff\xfe\x00".decode("latin-1"),
                                  '{"version": 2, "date": "x", "cluster": {}, "decks": '
                                  '[{"deck": "demos", "path": "p", "status": "réussi", '
                                  '"demos": []}]}',
                                  '{"version": 2, "date": "x", "cluster": {"kubernetes_version":'
                                  ' 137}, "decks": []}',
                                  '{"version": 2, "date": "x", "cluster": {}, "decks": [{"deck": '
                                  '"demos", "path": "p", "status": "passed", "demos": [{"id": '
                                  '"ok", "slide": 2, "line": 1, "kind": "run", "status": '
                                  '"passed", "reason": ["x"]}]}]}'])
def test_corrupt_report_fails_the_build_in_one_line(make_project, text: str) -> None:
    project = make_project()
    project.write("docs/demos.md", DECK)
    project.write(".diapo/verify.json", text)
    with pytest.raises(DiapoError, match="rapport de vérification illisible") as err:
        project.build()
    assert "\n" not in str(err.value) and ".diapo/verify.json" in str(err.value)


MATRIX_DECK = """\
# Matrice

```bash demo=stable
kubectl get ns default -o name
```

```bash demo=bouge
kubectl get --raw /version
```
"""


def _run(version: str, bouge: str, output: str, name: str = "matrice") -> dict:
    run = verify_report(name, [
        demo_result("stable", "passed", "kubectl get ns default -o name",
                    output="namespace/default\n"),
        demo_result("bouge", bouge, "kubectl get --raw /version", output=output,
                    reason=None if bouge == "passed" else "sortie différente du bloc expect",
                    warnings=["v1 Endpoints is deprecated in v1.33+"] if bouge != "passed"
                    else []),
    ])
    run["cluster"]["kubernetes_version"] = f"v{version}"
    return run


@pytest.mark.parametrize("name", ["matrice", "annexe/k8s/matrice"])
def test_matrix_badges_say_on_which_versions_and_show_the_failing_output(make_project, name):
    project = make_project()
    project.write(f"docs/{name}.md", MATRIX_DECK)
    project.write("docs/sans-demo.md", "# Sans démo\n")  # no what-changed page for it
    report = _run("1.37.2", "passed", '{"gitVersion": "v1.37.2"}\n', name)
    old = _run("1.36.3", "failed", '{"gitVersion": "<b>v1.36.3</b>"}\n', name)
    older = _run("1.35.4", "warned", '{"gitVersion": "v1.35.4"}\n', name)
    report["matrix"] = [{k: run[k] for k in ("date", "cluster", "decks")} for run in (old, older)]
    for run in (report, *report["matrix"]):
        run["decks"] = stamped(run | {"version": 2}, project.docs)["decks"]
    project.report(report)
    project.build()  # strict: the what-changed page's links resolve
    page = project.html(f"{name}/index.html")
    assert badges(page) == {"stable": "verified", "bouge": "failed"}
    assert ">vérifié sur 1.35 – 1.37</span>" in page
    # the worst outcome is shown: a failure before a warning
    assert ">vérifié sur 1.37 · échec sur 1.36</span>" in page
    # the failing version's output, escaped, with its version in the reason
    assert "Kubernetes 1.36.3 : sortie différente du bloc expect" in page
    assert "&lt;b&gt;v1.36.3&lt;/b&gt;" in page and "<b>v1.36.3</b>" not in page
    changes = project.html(f"changements/{name}/index.html")
    assert not (project.site / "changements" / "sans-demo").exists()
    assert "démo <code>bouge</code>" in changes and "stable" not in changes
    assert "+{&quot;gitVersion&quot;: &quot;&lt;b&gt;v1.36.3&lt;/b&gt;&quot;}" in changes
    assert "<b>v1.36.3</b>" not in changes
    assert "v1 Endpoints is deprecated in v1.33+" in changes
    assert "1.37.2 : réussie · 1.36.3 : échec" in changes
    home = project.html("index.html")
    assert f'href="changements/{name}/"' in home


def test_a_warning_on_one_version_of_a_matrix_is_said_with_that_version(make_project):
    project = make_project()
    project.write("docs/matrice.md", MATRIX_DECK)
    report = _run("1.37.2", "passed", '{"gitVersion": "v1.37.2"}\n')
    old = _run("1.36.3", "warned", '{"gitVersion": "v1.36.3"}\n')
    report["matrix"] = [{k: old[k] for k in ("date", "cluster", "decks")}]
    for run in (report, *report["matrix"]):
        run["decks"] = stamped(run | {"version": 2}, project.docs)["decks"]
    project.report(report)
    project.build()
    page = project.html("matrice/index.html")
    assert badges(page) == {"stable": "verified", "bouge": "warning"}
    assert ">vérifié sur 1.37 · avertissement sur 1.36</span>" in page
    assert "Kubernetes 1.36.3 : v1 Endpoints is deprecated in v1.33+" in page
