"""The presentation view's slide DOM against marp-core's own rendering of the same decks.

tests/golden/expected/<deck>.json holds, per slide, what marp-core rendered (render.mjs): the
advanced background layer (direction, split, every figure's style), the content section's
style, inline images' styles, fitting headings and emoji. diapo's own DOM is different (a
`data-diapo-layer` section, its own attributes), so what is compared is what the browser draws
from it: the same CSS declarations on the same boxes.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from diapo.deck import parse
from diapo.site import presentation
from diapo.site.presentation import _Proof, _slot
from diapo.site.slides_html import SlideRenderer

GOLDEN = Path(__file__).parent.parent / "golden"
FIXTURES = sorted((GOLDEN / "fixtures").glob("*.md"))


def declarations(style: str | None, *, custom: bool = False) -> dict[str, str]:
    """`a:b;c:d` as a dict (custom properties `--x` left out unless `custom`)."""
    found = {}
    for part in re.split(r";(?![^(]*\))", style or ""):
        name, _, value = part.partition(":")
        name, value = name.strip(), value.strip()
        if name and (custom or not name.startswith("--")):
            found[name] = value
    return found


def diapo_dom(deck, slide) -> dict:
    """The same facts as render.mjs's `dom()`, read from diapo's slide HTML."""
    renderer = SlideRenderer(deck)
    html = _slot(slide, renderer.render(slide), renderer, _Proof(deck, None))
    layer = re.search(r'<section data-diapo-layer="background"([^>]*)>(.*?)</section>', html, re.S)
    content = re.findall(r"<section(?![^>]*data-diapo-layer)([^>]*)>", html)[0]
    body = html.split(content, 1)[1]
    style = re.search(r'\sstyle="([^"]*)"', content)
    background = None
    frame = re.search(r'<div class="diapo-frame" style="([^"]*)"', html)
    if layer:
        split = re.search(r'data-diapo-split="([^"]*)"', layer.group(1))
        background = {
            "direction": "vertical" if 'data-direction="vertical"' in layer.group(2)
            else "horizontal",
            "split": split.group(1) if split else None,
            "split_size": declarations(unescape(frame.group(1)) if frame else None,
                                       custom=True).get("--diapo-split"),
            "figures": [declarations(unescape(f))
                        for f in re.findall(r'<figure style="([^"]*)"', layer.group(2))],
        }
    return {
        "background": background,
        "style": declarations(unescape(style.group(1)) if style else None),
        "images": [declarations(unescape(s))
                   for s in re.findall(r'<img [^>]*?style="([^"]*)"', body)],
        "fit": len(re.findall(r"<h[1-6][^>]*data-diapo-fit", body)),
        "emoji": re.findall(r'<span class="diapo-emoji"[^>]*>([^<]*)</span>', body),
    }


def marp_dom(dom: dict) -> dict:
    background = dom["background"]
    split = declarations(dom["style"], custom=True).get("--marpit-advanced-background-split")
    return {
        "background": background and {**background, "split_size": split, "figures": [
            declarations(f) for f in background["figures"]]},
        "style": declarations(dom["style"]),
        "images": [declarations(s) for s in dom["images"]],
        "fit": dom["fit"],
        "emoji": dom["emoji"],
    }


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_slides_draw_what_marp_core_draws(fixture: Path) -> None:
    expected = json.loads((GOLDEN / "expected" / f"{fixture.stem}.json").read_text("utf-8"))
    deck = parse(fixture)
    for slide, want in zip(deck.slides, expected["slides"]):
        got = diapo_dom(deck, slide)
        marp = marp_dom(want["dom"])
        got["emoji"] = [e.replace("\ufe0f", "") for e in got["emoji"]]
        marp["emoji"] = [e.replace("\ufe0f", "") for e in marp["emoji"]]
        assert got == marp, f"{fixture.name}, slide {slide.number}"


def test_the_features_deck_uses_every_background_form() -> None:
    """The comparison above is only as good as its fixture: it must hold each form."""
    dom = [s["dom"] for s in json.loads(
        (GOLDEN / "expected" / "features.json").read_text("utf-8"))["slides"]]
    backgrounds = [d["background"] for d in dom if d["background"]]
    assert {b["direction"] for b in backgrounds} == {"horizontal", "vertical"}
    assert {b["split"] for b in backgrounds} == {None, "left", "right"}
    assert max(len(b["figures"]) for b in backgrounds) == 3
    assert sum(d["fit"] for d in dom) == 2 and any(d["emoji"] for d in dom)
    assert presentation  # the module under test


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_shipped_sections_carry_marp_core_attributes(fixture: Path) -> None:
    """The `<section>` of the presentation view has the data-* attributes marp-core gives it."""
    expected = json.loads((GOLDEN / "expected" / f"{fixture.stem}.json").read_text("utf-8"))
    deck = parse(fixture)
    renderer = SlideRenderer(deck)
    for slide, want in zip(deck.slides, expected["slides"]):
        html = _slot(slide, renderer.render(slide), renderer, _Proof(deck, None))
        tag = re.findall(r"<section(?![^>]*data-diapo-layer)([^>]*)>", html)[0]
        got = {k: unescape(v) for k, v in re.findall(r'\s(data-[\w-]+)="([^"]*)"', tag)
               if not k.startswith("data-diapo-")}
        marp = {k: v for k, v in want["attributes"].items()
                if not k.startswith(("data-marpit-scope-", "data-marpit-advanced-background"))}
        assert got == marp, f"{fixture.name}, slide {slide.number}"
