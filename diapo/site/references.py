"""The deck's link reference definitions in the form markdown-it's inline parser reads them.

Marp parses a deck as one document: a label defined on any slide serves them all. The site
parses slide by slide, so each parse starts from the whole deck's definitions.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

from diapo.deck.blocks import REFERENCE
from diapo.deck.model import Deck

_MD = MarkdownIt("commonmark")


def env(deck: Deck) -> dict[str, dict]:
    """markdown-it's `env["references"]` for the deck's one-line definitions (first wins)."""
    lines = [block.lines[0] for slide in deck.slides for block in slide.blocks
             if block.kind == REFERENCE]
    if not lines:
        return {}
    parsed: dict = {}
    _MD.parse("\n\n".join(lines), parsed)  # the reference rule fills `references`
    return dict(parsed.get("references", {}))
