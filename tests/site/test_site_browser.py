"""The built site in Debian's Chromium: badges on both views, `./#N` from a presentation,
slide anchors on the reading page."""

from __future__ import annotations

import pytest
from browser import chromium, context, page, serve  # noqa: F401 (fixtures)
from playwright.sync_api import expect
from sitekit import course, demo_result, verify_report

pytestmark = pytest.mark.browser

REPORT = verify_report("kubernetes", [
    demo_result("nodes", "passed", "kubectl get nodes",
                output="NAME     STATUS   ROLES    AGE   VERSION\n"
                       "node-1   Ready    <none>   1m    v1.33.13\n"),
    demo_result("logs", "skipped", "kubectl logs pod/whoami", reason="needs=node"),
])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    project = course(tmp_path_factory.mktemp("browser"))
    project.write("mkdocs.yml", (project.root / "mkdocs.yml").read_text(encoding="utf-8")
                  .replace("presentation: false", "presentation: true"))
    project.report(REPORT)
    project.build()
    with serve(project.site) as url:
        yield project, url


def test_every_deck_gets_its_presentation_view(built) -> None:
    project, _ = built
    for name in ("kubernetes", "cloud", "introduction", "annexe/outils/kubectl"):
        assert (project.site / f"{name}.html").is_file(), name


def test_reading_page_shows_the_proof(built, page) -> None:
    _, url = built
    page.goto(f"{url}/kubernetes/#4")
    nodes = page.locator('[data-demo="nodes"]')
    expect(nodes.locator(".diapo-badge--verified")).to_have_text("vérifié")
    expect(nodes).to_contain_text("Kubernetes v1.33.13")
    expect(page.locator('[data-demo="logs"] .diapo-badge--needs-node')).to_have_text(
        "nécessite un nœud réel")
    # the captured output is folded until opened
    output = page.locator("details.success").first
    expect(output.locator("code")).to_be_hidden()
    output.locator("summary").click()
    expect(output.locator("code")).to_contain_text("node-1   Ready    <none>")
    # #4 scrolled the slide into view
    bar = page.locator('[id="4"]')
    expect(bar).to_be_in_viewport()


def test_presentation_view_shows_the_proof(built, page) -> None:
    _, url = built
    page.goto(f"{url}/kubernetes.html#4")
    badge = page.locator('[data-demo="nodes"] .diapo-badge')
    expect(badge).to_have_text("vérifié")
    expect(page.locator('[data-demo="logs"] .diapo-badge')).to_have_text("nécessite un nœud réel")


def test_home_slide_link_reaches_the_home_deck_presentation(built, page) -> None:
    _, url = built
    page.goto(f"{url}/#2")
    page.wait_for_url(f"{url}/introduction.html#2")
    page.goto(f"{url}/")
    expect(page.locator("h1")).to_have_text("Cours de test")  # no redirect without #N
