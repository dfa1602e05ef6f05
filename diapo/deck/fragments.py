"""Fragmented lists: Marp reveals items of `*` bullet lists and `1)` ordered lists one by one."""

from __future__ import annotations

from diapo.deck.blocks import ITEM, Block

FRAGMENT_MARKERS = ("*", ")")


def count(blocks: list[Block]) -> int:
    """Number of fragmented list items among `blocks` (nested lists included)."""
    return len([b for b in blocks if b.kind == ITEM and b.marker in FRAGMENT_MARKERS])
