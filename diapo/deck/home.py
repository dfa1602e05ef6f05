"""Whether `docs/index.md` is a deck (marp-cli's home deck) or a hand-written home page.

The site, `invoke verify` and `invoke pdf` ask the same question through `is_home_deck`, so a
home deck's demos are verified exactly when its slides are published.
"""

from __future__ import annotations

import re
from pathlib import Path

from diapo.deck.model import Deck

MARKER = "<!-- diapo:decks -->"  # where a hand-written docs/index.md wants the deck list
_MARP = re.compile(r"---[ \t]*\r?\n(?:(?!---)[^\n]*\n)*?marp\s*:\s*true\b")


def marp_front_matter(path: Path) -> bool:
    """True when the file starts with front-matter saying `marp: true` (a Marp deck)."""
    try:
        head = path.read_text(encoding="utf-8-sig")[:4096]
    except OSError:
        return False
    return bool(_MARP.match(head))


def is_home_deck(deck: Deck) -> bool:
    """Whether `docs/index.md` is a deck rather than a home page.

    A deck says `marp: true`, or has directives or several slides; a home page asking for the
    deck list (`MARKER`) never is one.
    """
    if MARKER in deck.source:
        return False
    return bool(deck.front_matter.get("marp") in (True, "true") or deck.directives
                or len(deck.slides) > 1)
