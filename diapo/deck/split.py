"""Slide splitting: top-level thematic breaks, and headings when `headingDivider` is set.

Marpit splits markdown-it's tokens on `hr` tokens of nesting level 0. With `headingDivider`,
it first inserts a hidden `hr` before every heading of a chosen level (at any nesting level)
once any visible token came before it in the deck - so a `---` followed by such a heading
gives an empty slide, exactly as in Marp.
"""

from __future__ import annotations

from dataclasses import dataclass

from diapo.deck.blocks import COMMENT, HEADING, HR, REFERENCE, STYLE, Block

# Blocks that give Marp no visible token (headingDivider splits only after a visible one).
_HIDDEN = frozenset({COMMENT, REFERENCE, STYLE})


@dataclass(slots=True)
class Range:
    """A slide's lines `[start, end)` (0-based), without its separating `---` line."""

    start: int
    end: int
    blocks: list[Block]


def divider_levels(value: object) -> frozenset[int]:
    """Heading levels that start a slide for a validated `headingDivider` value."""
    if value is False or value is None:
        return frozenset()
    if isinstance(value, list):
        return frozenset(value)
    return frozenset(range(1, int(value) + 1))  # type: ignore[call-overload]


def split(blocks: list[Block], body_start: int, body_end: int,
          levels: frozenset[int] = frozenset()) -> list[Range]:
    """Cut the deck body into slide ranges."""
    ranges: list[Range] = []
    start = body_start
    current: list[Block] = []
    visible = False
    for block in blocks:
        kind = block.kind
        if kind == HR and block.depth == 0:
            ranges.append(Range(start, block.start, current))
            start, current, visible = block.end, [], True
            continue
        if kind == HEADING and block.level in levels and visible:
            ranges.append(Range(start, block.start, current))
            start, current = block.start, []
        if kind not in _HIDDEN:
            visible = True
        current.append(block)
    ranges.append(Range(start, body_end, current))
    return ranges
