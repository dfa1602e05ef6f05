"""`$$` blocks as marp-core reads them (`tests/golden/fixtures/math_blocks.md`, checked against
marp-core with its maths plugin): a formula that interrupts a paragraph, one whose blank lines
hold a `---`, one in a list and in a block quote, and an unclosed one that takes the rest of
the deck. The deck's slides, its presentation view and its reading page agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sitekit import MKDOCS_YML, Project

from diapo.deck import parse

DECK = Path(__file__).parents[1] / "golden" / "fixtures" / "math_blocks.md"
MATH = '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">'


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = Project(tmp_path_factory.mktemp("maths") / "course")
    project.write("mkdocs.yml", MKDOCS_YML.format(presentation="true", reading_notes="false"))
    project.write("docs/formules.md", DECK.read_text(encoding="utf-8"))
    project.build()
    return project


def _slides(html: str, opening: str) -> list[str]:
    return html.split(opening)[1:]


def test_the_deck_has_marp_cores_slides() -> None:
    deck = parse(DECK)
    assert len(deck.slides) == 6  # the `---` inside formulas split nothing
    assert [s.notes[0].text for s in deck.slides if s.notes] == ["Note après la formule",
                                                                 "Note du présentateur"]


@pytest.mark.parametrize(("page", "opening"), [("formules.html", "data-diapo-scope="),
                                               ("formules/index.html", 'class="diapo-slide"')])
def test_both_views_draw_the_formulas_where_marp_does(built: Project, page: str,
                                                      opening: str) -> None:
    slides = _slides(built.html(page), opening)
    assert len(slides) == 6
    first = slides[0]
    assert re.search(r"<p>texte</p>\s*(<div class=\"diapo-math\">)?" + re.escape(MATH), first)
    assert "suite" in first and "$$" not in first
    second = slides[1]
    assert second.count(MATH) == 1 and "<hr" not in second  # a and b, one formula
    listed, quoted, alone = slides[2:5]
    assert MATH in quoted.split("<blockquote>")[1].split("</blockquote>")[0]
    assert MATH in alone
    item = listed.split("<li>")[1].split("</li>")[0]
    # In a list item, the reading page keeps the formula's text in the item (Python-Markdown
    # would take it out of the list); the presentation draws it there.
    assert "y" in item and (MATH in item or page.endswith("index.html"))
    last = slides[5].split("</section>")[0]
    assert MATH in last and "avalee" not in last  # the rest of the deck, one formula
    assert "<h1" not in last.split("Fin</h1>")[1]  # "# Avalée" is TeX there
