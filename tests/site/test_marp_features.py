"""Marp features in the presentation view, measured in Debian's Chromium: fitting headings,
math (MathML, offline), emoji, background directives, advanced backgrounds (several, vertical,
split, sizes), image sizes and filters, raw HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import chromium, context, page, server, site  # noqa: F401 (fixtures)
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FEATURES = (Path(__file__).parent.parent / "golden" / "fixtures" / "features.md").read_text(
    encoding="utf-8")

FIT = """\
# <!-- fit --> Court

---

## <!-- fit --> Un titre beaucoup trop long pour tenir sur une seule ligne de cette diapositive

---

## Pas ajusté
"""


def show(page, server: str, deck: str, number: int):  # noqa: ANN001, ANN201
    """Open slide `number` of `deck` and return its content section."""
    page.goto(f"{server}/{deck}.html#{number}")
    page.evaluate("window.diapoReady")
    section = page.locator(f'section[data-diapo-scope="{number}"]')
    expect(section).to_be_visible()
    return section


def box(locator) -> dict:  # noqa: ANN001
    """Layout box of an element in slide pixels (offsets: transforms of the stage ignored)."""
    return locator.evaluate(
        """e => { const r = e.getBoundingClientRect();
                  const s = e.closest('.diapo-frame').getBoundingClientRect();
                  const k = s.width / e.closest('.diapo-frame').offsetWidth;
                  return {x: (r.left - s.left) / k, y: (r.top - s.top) / k,
                          width: r.width / k, height: r.height / k}; }""")


def test_fit_headings_fill_the_slide_width(site, server, page) -> None:
    site.deck("fit", FIT)
    for number, grows in ((1, True), (2, False)):
        section = show(page, server, "fit", number)
        heading = section.locator("[data-diapo-fit]")
        width = heading.evaluate(
            "h => { const s = getComputedStyle(h); return h.clientWidth"
            " - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); }")
        text = heading.locator(".diapo-fit")
        assert abs(text.evaluate("e => e.offsetWidth") - width) <= 3, number
        size = float(text.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        base = float(heading.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        assert (size > base * 1.5) if grows else (size < base), (number, size, base)
        assert box(text)["height"] > 0 and "\n" not in text.inner_text()
    # an ordinary heading keeps the theme's size
    section = show(page, server, "fit", 3)
    assert section.locator("h2 .diapo-fit").count() == 0


def test_fit_heading_is_fitted_on_a_slide_opened_later(site, server, page) -> None:
    site.deck("fit", FIT)
    show(page, server, "fit", 3)
    page.keyboard.press("ArrowLeft")
    heading = page.locator('section[data-diapo-scope="2"] [data-diapo-fit]')
    expect(heading).to_be_visible()
    width = heading.evaluate("h => h.clientWidth - parseFloat(getComputedStyle(h).paddingLeft)"
                             " - parseFloat(getComputedStyle(h).paddingRight)")
    assert abs(heading.locator(".diapo-fit").evaluate("e => e.offsetWidth") - width) <= 3


def test_math_is_mathml_laid_out_by_the_browser(site, server, page) -> None:
    site.deck("features", FEATURES)
    section = show(page, server, "features", 1)
    inline = section.locator('math[display="inline"]')
    block = section.locator('math[display="block"]')
    expect(inline).to_have_count(1)
    expect(block).to_have_count(1)
    assert box(inline)["width"] > 40 and box(inline)["height"] > 10
    fraction = block.locator("mfrac")
    assert box(fraction)["height"] > box(inline)["height"]  # numerator above denominator
    assert block.evaluate("e => getComputedStyle(e).display").startswith("block")
    assert section.locator("script").count() == 0  # nothing to fetch or run for math
    html = Path(site.site / "features.html").read_text(encoding="utf-8")
    assert "cdn" not in html.lower() and "mathjax" not in html.lower()


def test_emoji_are_one_em_squares(site, server, page) -> None:
    site.deck("features", FEATURES)
    section = show(page, server, "features", 1)
    rocket = section.locator('.diapo-emoji[aria-label=":rocket:"]')
    expect(rocket).to_have_text("🚀")
    size = float(rocket.evaluate("e => parseFloat(getComputedStyle(e.parentNode).fontSize)"))
    measured = box(rocket)
    assert abs(measured["width"] - size) < 1 and abs(measured["height"] - size) < 1


def test_background_directives_style_the_section(site, server, page) -> None:
    site.deck("features", FEATURES)
    section = show(page, server, "features", 2)
    style = section.evaluate(
        "e => { const s = getComputedStyle(e); return [s.backgroundImage, s.backgroundSize,"
        " s.backgroundPosition, s.backgroundRepeat]; }")
    assert style[0].startswith("linear-gradient(") and style[1:] == ["50% auto", "0% 0%",
                                                                     "repeat-x"]
    raw = section.locator("div.boite")  # raw HTML, as `marp --html` shows it
    expect(raw.locator("b")).to_have_text("HTML")
    assert raw.evaluate("e => getComputedStyle(e).color") == "rgb(10, 20, 30)"


def test_several_backgrounds_side_by_side_with_filters(site, server, page) -> None:
    site.deck("features", FEATURES)
    site.image("a.png")
    site.image("b.png", (30, 200, 30))
    site.image("c.png", (30, 30, 200))
    show(page, server, "features", 3)
    figures = page.locator('.diapo-slot.diapo-current section[data-diapo-layer] figure')
    expect(figures).to_have_count(3)
    boxes = [box(figures.nth(i)) for i in range(3)]
    assert [round(b["width"]) for b in boxes] == [427, 427, 427] or \
        abs(sum(b["width"] for b in boxes) - 1280) < 2
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]  # side by side
    assert all(abs(b["height"] - 720) < 1 for b in boxes)
    filters = [figures.nth(i).evaluate("e => getComputedStyle(e).filter") for i in range(3)]
    assert filters == ["none", "blur(10px) sepia(0.5)", "grayscale(1)"]
    assert figures.nth(2).evaluate("e => getComputedStyle(e).backgroundSize") == "contain"


def test_vertical_backgrounds_and_sizes(site, server, page) -> None:
    site.deck("features", FEATURES)
    show(page, server, "features", 4)
    figures = page.locator('.diapo-slot.diapo-current section[data-diapo-layer] figure')
    boxes = [box(figures.nth(i)) for i in range(3)]
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]  # stacked
    assert abs(sum(b["height"] for b in boxes) - 720) < 2
    sizes = [figures.nth(i).evaluate("e => getComputedStyle(e).backgroundSize") for i in range(3)]
    assert sizes == ["contain", "40% auto", "auto"]
    assert figures.nth(2).evaluate("e => getComputedStyle(e).filter") == "hue-rotate(90deg)"


def test_split_background_and_inline_image_keywords(site, server, page) -> None:
    site.deck("features", FEATURES)
    site.image("d.png", size=(64, 48))
    site.image("e.png", size=(64, 48))
    section = show(page, server, "features", 5)
    layer = page.locator('.diapo-slot.diapo-current section[data-diapo-layer] .diapo-bg')
    assert abs(box(layer)["width"] - 1280 * 0.33) < 2 and abs(box(layer)["x"]) < 1
    content = box(section)
    assert abs(content["x"] - 1280 * 0.33) < 2 and abs(content["width"] - 1280 * 0.67) < 2
    images = section.locator("img")
    first = box(images.nth(0))
    assert (round(first["width"]), round(first["height"])) == (200, 100)
    assert images.nth(0).evaluate("e => getComputedStyle(e).filter") == "grayscale(1)"
    assert round(box(images.nth(1))["width"]) == 120
    assert re.match(r"drop-shadow\(.*\) invert\(1\) opacity\(0\.5\) saturate\(2\) contrast\(2\)",
                    images.nth(1).evaluate("e => getComputedStyle(e).filter"))


def test_right_split_takes_the_last_size_and_bg_width_height(site, server, page) -> None:
    site.deck("features", FEATURES)
    section = show(page, server, "features", 6)
    layer = page.locator('.diapo-slot.diapo-current section[data-diapo-layer] .diapo-bg')
    assert abs(box(layer)["width"] - 1280 * 0.4) < 2
    assert abs(box(layer)["x"] - 1280 * 0.6) < 2
    assert abs(box(section)["width"] - 1280 * 0.6) < 2 and abs(box(section)["x"]) < 1
    figure = layer.locator("figure").first
    assert figure.evaluate("e => getComputedStyle(e).backgroundSize") == "300px 200px"
