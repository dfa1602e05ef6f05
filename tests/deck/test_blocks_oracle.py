"""Differential tests: diapo's block scanner against markdown-it (through markdown-it-py).

Slide splitting, headings (for headingDivider and titles), fences, comment blocks and list
items (fragments) must be where markdown-it puts them, for arbitrary mixes of tricky lines.
Known deviations: a one-column table header written as a lazy line of a list item, over a
delimiter row indented into the item (about 1 in 30,000 random decks; `| x |` is left out).
A link reference definition takes at most three lines here (label, URL, title); one whose
label spans lines is read as a paragraph.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from diapo.deck import blocks

from .oracle import engine, structure

MD = engine()

LINES = [
    "", "", "", "text", "more text", "---", "***", "___", "- - -", "* * *", "   ---", "    ---",
    "--", "===", "-", "```", "```yaml", "~~~", "````", "``` a`b", "<div>", "</div>",
    "<div class=\"x\">", "<!-- note -->", "<!--", "-->", "<!-- a: b -->", "x <!-- y --> z",
    "| a | b |", "|---|---|", "| - | - |", "- item", "* item", "+ item", "1) item", "1. item",
    "2) item", "2. item", "-", "*", "> quote", ">", "> ---", "> - x", "  indented", "  - nested",
    "   * nested", "# H1", "## H2", "### H3 ###", "#nope", "<pre>", "</pre>", "\t---", "\tcode",
    "- ---", "> ```", "  ```", "<span>x</span>", "<details>", "<?php x ?>", "<!DOCTYPE html>",
    ">> nested quote", "  > quote", "10) item", "~~~~", "``` trailing", "   - - -", "\t- item",
    "<![CDATA[", "]]>", "<script>", "</script>", "text -->", "- <!-- a -->", "  <!-- b -->",
    "    <!-- code -->", "- # H", "> # H", "Setext\n---", "-|-", "\t\t---", "-\tx",
    "[r]: cible.md", "[r]: <a b.md> 'titre'", "   [r]: x", "[r]: x y", "[r]: x 't'", "[r]:",
    "/url", '"titre"', "[j]: javascript:x", "- [r]: x", "> [r]: x",
]


def _ours(text: str) -> dict[str, list]:
    found = blocks.scan(text.split("\n"))
    return {
        "hr0": [b.start for b in found if b.kind == blocks.HR and b.depth == 0],
        "headings": [(b.start, b.level) for b in found if b.kind == blocks.HEADING],
        "fences": [b.start for b in found if b.kind == blocks.FENCE],
        "comments": [b.start for b in found if b.kind == blocks.COMMENT],
        "items": [(b.start, b.marker) for b in found if b.kind == blocks.ITEM],
    }


def check(text: str) -> None:
    want = structure(MD, text)
    got = _ours(text)
    assert got == want, text


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LINES), max_size=14))
def test_scanner_agrees_with_markdown_it(lines: list[str]) -> None:
    check("\n".join(lines))


def test_seed_deck_agrees_with_markdown_it() -> None:
    from pathlib import Path

    seed = Path(__file__).parent.parent / "golden" / "fixtures" / "seed_kubernetes.md"
    check(seed.read_text("utf-8"))
