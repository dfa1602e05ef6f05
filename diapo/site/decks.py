"""Decks as the site sees them: parsed and scanned once, cached by file state across rebuilds.

`mkdocs serve` builds a fresh plugin on every rebuild, so the cache lives in this module: a
rebuild after one deck changed re-parses that deck only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from diapo.deck import parse
from diapo.deck.model import Deck
from diapo.site.scan import DeckScan, scan_deck


@dataclass(frozen=True)
class SiteDeck:
    """A parsed deck with its scan."""

    deck: Deck
    scan: DeckScan


_CACHE: dict[Path, tuple[tuple[int, int, str, str], SiteDeck]] = {}


def display_path(path: Path) -> str:
    """The path errors show: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if relative.startswith("..") else relative


def load(path: Path, name: str) -> SiteDeck:
    """Parse and scan the deck at `path` (named `name`), or reuse the cached result.

    Raises `DeckError` for an invalid deck.
    """
    path = path.resolve()
    shown = display_path(path)
    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size, name, shown)
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    deck = parse(Path(shown), name=name)
    loaded = SiteDeck(deck, scan_deck(deck))
    _CACHE[path] = (key, loaded)
    return loaded


def clear() -> None:
    """Forget every cached deck (tests, benchmarks)."""
    _CACHE.clear()
