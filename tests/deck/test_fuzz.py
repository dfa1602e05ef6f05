"""Fuzzing: whatever the input, parse returns a Deck or raises DeckError, quickly."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from diapo.deck import parse, to_dict
from diapo.deck.model import Deck
from diapo.errors import DeckError

FRAGMENTS = [
    "---", "***", "- - -", "___", "", "", "# Titre", "## Sous-titre", "texte", "Setext", "===",
    "<!-- note -->", "<!-- paginate: true -->", "<!-- _class: lead -->", "<!-- paginate: maybe -->",
    "<!-- headingDivider: 2 -->", "<!-- header: 'a: b' -->", "<!--", "-->", "<!-- a:\n  - b -->",
    "```bash demo", "```bash demo=x", "```text expect", "```yaml file=a.yaml", "```yaml apply",
    "```bash demo hidden only=ci", '```bash demo wait="deploy/x Available"', "```", "~~~",
    "```bash demo timeout=0", "```bash demo frob", "* a", "1) b", "- c", "> q", "    code",
    "![bg left:30% blur](x.png)", "![w:10](y.png)", "| a | b |", "|---|---|", "<div>", "</div>",
    "---\npaginate: true\n---", "---\ntheme: [\n---", "\t- tab", "\r\n", "\r", "é\u00a0ü",
    "`<!-- code -->`", "\\<!-- x -->", "<pre>", "</pre>", "{x: [1, 2]}", "&amp;", "\x00",
]


def _check(deck: Deck) -> None:
    assert deck.slides, "Marp always has at least one slide"
    previous_end = 0
    for slide in deck.slides:
        assert slide.location.line >= 1 and slide.end_line >= slide.location.line - 1
        assert slide.location.line >= previous_end
        previous_end = slide.end_line
        for note in slide.notes:
            assert slide.location.line <= note.location.line <= max(slide.end_line, 1) + 1
        assert (slide.page is None) or 1 <= slide.page <= slide.total
    to_dict(deck)


def _parse_or_error(text: str) -> None:
    try:
        deck = parse("fuzz.md", text=text)
    except DeckError as exc:
        assert exc.location is not None and exc.location.path == "fuzz.md"
        assert exc.location.line >= 1
        return
    _check(deck)


@pytest.mark.timeout(120)
@settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), max_size=25))
def test_parse_never_crashes_on_markdownish_input(parts: list[str]) -> None:
    _parse_or_error("\n".join(parts))


@pytest.mark.timeout(120)
@settings(max_examples=600, deadline=None)
@given(st.binary(max_size=300))
def test_parse_never_crashes_on_arbitrary_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.md"
        path.write_bytes(data)
        try:
            deck = parse(path)
        except DeckError as exc:
            assert exc.location is not None and exc.location.line >= 1
            return
        _check(deck)


PATHOLOGICAL = [
    "a " + "<!-- x " * 5000,  # unclosed inline comments: must not rescan the paragraph
    "a <!-- x -->" + " <!-- y" * 5000,
    "- " * 3000 + "x",  # 3,000 nested list items
    "> " * 3000 + "x",
    "[" * 20000,
    "![" * 10000,
    "`" * 5000 + "b",
    "<div>" * 5000,
    " " * 100000 + "x",
    "\n".join(["* a", "  * b"] * 3000),
    "```\n" + "x\n" * 50000,  # unclosed fence: an error, found in one pass
]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", PATHOLOGICAL, ids=range(len(PATHOLOGICAL)))
def test_pathological_inputs_finish(text: str) -> None:
    _parse_or_error(text)
