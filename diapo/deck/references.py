"""Link reference definitions (`[label]: url "title"`), collected once for the whole deck.

Marp parses the deck as one Markdown document, so `[texte][label]` and `![w:200][logo]` work on
any slide whatever slide defines the label. Definitions are blocks of the deck's scan
(`blocks.REFERENCE`: up to three lines, the URL and the title each may be on the next); a
label that itself spans lines is left to the renderers.
"""

from __future__ import annotations

from markdown_it.common.utils import normalizeReference

from diapo.deck.blocks import REFERENCE, Block, parse_reference
from diapo.deck.model import Reference
from diapo.errors import at


def collect(blocks: list[Block], path: str) -> dict[str, Reference]:
    """The definitions among `blocks` by label, normalized as markdown-it compares them
    (`normalizeReference`); the first of a label wins."""
    found: dict[str, Reference] = {}
    for block in blocks:
        if block.kind != REFERENCE:
            continue
        parsed = parse_reference("\n".join(block.lines))
        if parsed is not None:  # (always: the scanner made the block from this very parse)
            label, url, title, _lines = parsed
            found.setdefault(normalizeReference(label),
                             Reference(url, title, at(path, block.start + 1)))
    return found
