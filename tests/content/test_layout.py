"""Slides written for the demos fit the 1280x720 slide: nothing runs under the footer.

Builds the real site and measures each slide of the presentation view in Debian's Chromium.
The seed lecture's own slides are the theme's business; the demo slides and the decks written
for the course are checked here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from diapo.deck.model import Deck

from .conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Bottom of the slide's content (header and footer excluded) and top of its footer, in px.
MEASURE = """(n) => {
  const s = document.querySelector(`section[data-diapo-scope="${n}"]`);
  const top = s.getBoundingClientRect().top;
  let bottom = 0;
  for (const c of s.children) {
    if (c.tagName === 'HEADER' || c.tagName === 'FOOTER') continue;
    bottom = Math.max(bottom, c.getBoundingClientRect().bottom - top);
  }
  const footer = s.querySelector('footer');
  return [bottom, footer ? footer.getBoundingClientRect().top - top : s.clientHeight];
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The course's site, built with MkDocs into a temporary folder."""
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser.new_page(viewport={"width": 1280, "height": 720})
        browser.close()


def _overflows(page, site: Path, deck: Deck, numbers: list[int]) -> list[str]:
    url = (site / f"{deck.name}.html").as_uri()
    page.goto(f"{url}#1")
    page.wait_for_selector("section")
    found = []
    for number in numbers:
        page.goto(f"{url}#{number}")
        page.wait_for_function(
            "(n) => document.querySelector(`section[data-diapo-scope=\"${n}\"]`)", arg=number)
        bottom, footer_top = page.evaluate(MEASURE, number)
        if bottom > footer_top:
            found.append(f"{deck.name} #{number}: {bottom - footer_top:.0f}px sous le pied de page")
    return found


def test_demo_slides_fit(page, site: Path, kubernetes: Deck) -> None:
    numbers = sorted({demo.slide for demo in kubernetes.demos if not demo.hidden})
    assert len(numbers) >= 20
    assert _overflows(page, site, kubernetes, numbers) == []


def test_course_decks_fit(page, site: Path, decks: list[Deck]) -> None:
    others = [deck for deck in decks if deck.name != "kubernetes"]
    assert others
    found = []
    for deck in others:
        found += _overflows(page, site, deck, [slide.number for slide in deck.slides])
    assert found == []


def test_the_measure_sees_an_overflow(page, tmp_path: Path) -> None:
    # The check can fail: a slide stuffed past its footer is reported.
    html = tmp_path / "over.html"
    html.write_text(
        "<section data-diapo-scope='1' style='position:relative;height:720px;overflow:hidden'>"
        "<p style='height:900px'>trop long</p>"
        "<footer style='position:absolute;top:669px'>pied</footer></section>", encoding="utf-8")
    page.goto(html.as_uri())
    bottom, footer_top = page.evaluate(MEASURE, 1)
    assert bottom > footer_top
