"""diapo's parse against marp-core's own output (tests/golden/expected, made by render.mjs)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from diapo.deck import parse
from diapo.deck.attributes import section_attributes

GOLDEN = Path(__file__).parent.parent / "golden"
FIXTURES = sorted((GOLDEN / "fixtures").glob("*.md"))
IGNORED = ("data-marpit-scope-", "data-marpit-advanced-background")


def _expected(fixture: Path) -> dict:
    return json.loads((GOLDEN / "expected" / f"{fixture.stem}.json").read_text("utf-8"))


def test_enough_fixtures() -> None:
    assert len(FIXTURES) >= 13
    for fixture in FIXTURES:
        assert (GOLDEN / "expected" / f"{fixture.stem}.json").is_file(), fixture.name


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_slides_attributes_and_notes_match_marp(fixture: Path) -> None:
    expected = _expected(fixture)
    deck = parse(fixture)
    assert len(deck.slides) == expected["count"]
    for slide, want in zip(deck.slides, expected["slides"]):
        marp = {k: v for k, v in want["attributes"].items() if not k.startswith(IGNORED)}
        assert section_attributes(deck, slide) == marp, f"slide {slide.number}"
        assert [n.text for n in slide.notes] == want["notes"], f"slide {slide.number}"


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_image_keywords_match_marp(fixture: Path) -> None:
    expected = _expected(fixture)
    deck = parse(fixture)
    for slide, want in zip(deck.slides, expected["slides"]):
        got = [{
            "src": quote(i.src, safe=";/?:@&=+$,-_.!~*'()#%"),  # markdown-it's normalizeLink
            "background": i.background, "width": i.width, "height": i.height,
            "size": i.size, "split": i.split, "split_size": i.split_size,
            "vertical": i.vertical, "filters": i.filters, "alt": i.alt,
        } for i in slide.images]
        assert got == _marp_images(want["images"]), f"slide {slide.number}"


def _marp_images(images: list[dict]) -> list[dict]:
    """marp-core's images with its CSS escaping of filter arguments undone."""
    import re

    def unescape(value: str) -> str:
        return re.sub(r"\\([0-9a-f]+) ", lambda m: chr(int(m.group(1), 16)), value)

    return [{**i, "filters": {k: unescape(v) for k, v in i["filters"].items()}} for i in images]
