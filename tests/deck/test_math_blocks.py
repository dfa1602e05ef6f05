"""`$$` blocks in the deck's parse, as marp-core reads them with its maths plugin (each case
checked with tests/golden/batch.mjs, marp-core 5 and KaTeX, as marp-cli): a formula splits
no slide and holds no directive, wherever its containers end it."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from diapo.deck import parse
from diapo.deck.attributes import section_attributes
from diapo.site import math

CASES = [
    # (deck, slides, the slides' classes)
    ("# A\n\ntexte\n$$\nx\n$$\n\n---\n\n# B\n", 2, [None, None]),  # interrupts a paragraph
    ("$$\nx\n\n---\n\n<!-- _class: dedans -->\n\ny\n$$\n\n---\n\nfin\n", 2, [None, None]),
    ("# A\n\n$$\nx\n\n---\n\n# B\n", 1, [None]),  # unclosed: the rest of the deck
    ("Prix : 5 $ ou\n$$5\n\n---\n\nb\n", 1, [None]),
    ("- $$\n  a\n---\n\nb\n", 1, [None]),  # a line less indented than the item: taken
    ("- $$\n- <!-- _class: x -->\n", 1, [None]),
    ("- a\n  $$\n$$\n***\n", 2, [None, None]),
    ("> $$\n---\n\nb\n", 1, [None]),  # the line ending its block quote: taken
    ("> $$\n> <!-- _class: x -->\n", 1, [None]),
    ("> $$\nb\n> <!-- _class: x -->\n> $$\n", 1, [None]),  # a lazy line: still the formula
    ("> texte\n$$\n<!-- _class: dedans -->\n$$\n", 1, [None]),  # ends a lazy paragraph
    ("> $$\n> x\n\n<!-- _class: apres -->\n", 1, ["apres"]),  # a blank line ends the quote
    ("$$ | a\n--|--\n\n---\n\nb\n", 2, [None, None]),  # a table first
    ("texte\n    $$ x $$\n\n---\n\nb\n", 2, [None, None]),  # indented: paragraph text
]


@pytest.mark.parametrize(("text", "count", "classes"), CASES)
def test_formulas_split_and_direct_as_in_marp_core(text: str, count: int,
                                                    classes: list[str | None]) -> None:
    deck = parse("formules.md", text=text)
    assert len(deck.slides) == count
    assert [section_attributes(deck, s).get("data-class") for s in deck.slides] == classes


def test_the_presentations_rule_ends_a_formula_where_its_list_item_ends() -> None:
    md = math.use(MarkdownIt("commonmark"))
    tokens = md.parse("- a\n  $$\n  x\nb\n\n  y\n  $$\n")
    formulas = [t.content for t in tokens if t.type == "math_block"]
    assert formulas[0] == "x\n"  # `b` ends it (and goes with it), as in marp-core
