"""Link reference definitions (`[label]: url "title"`), collected once for the whole deck.

Marp parses the deck as one Markdown document, so `[texte][label]` and `![w:200][logo]` work on
any slide whatever slide defines the label. Definitions written on one line are blocks of the
deck's scan (`blocks.REFERENCE`); one spread over several lines is left to the renderers.
"""

from __future__ import annotations

import re

from diapo.deck.blocks import REFERENCE, REFERENCE_LINE, Block
from diapo.deck.model import Reference
from diapo.errors import at

_BLANKS = re.compile(r"\s+")


def normalize(label: str) -> str:
    """A label as markdown-it compares them: trimmed, blanks collapsed, case folded."""
    return _BLANKS.sub(" ", label.strip()).lower().upper()


def collect(blocks: list[Block], path: str) -> dict[str, Reference]:
    """The definitions among `blocks` by normalized label; the first of a label wins."""
    found: dict[str, Reference] = {}
    for block in blocks:
        if block.kind != REFERENCE:
            continue
        m = REFERENCE_LINE.match(block.lines[0])
        if m is None:  # the scanner matched this very pattern
            continue
        label = normalize(m.group("label"))
        if label in found:
            continue
        dest, title = m.group("dest"), m.group("title")
        found[label] = Reference(
            url=dest[1:-1] if dest.startswith("<") else dest,
            title=title[1:-1] if title else None,
            location=at(path, block.start + 1),
        )
    return found
