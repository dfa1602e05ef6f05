"""Decks as the site sees them: parsed once and cached by file state across rebuilds.

`mkdocs serve` builds a fresh plugin on every rebuild, so the cache lives in this module: a
rebuild after one deck changed re-parses that deck only. A deck's scan (headings, links, HTML
blocks: `diapo.site.scan`) is computed when first needed, or by the site helper of a full
build (`diapo.site.helper`) while this process renders pages.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import CancelledError
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TypeVar

from diapo.deck import parse
from diapo.deck.model import Deck
from diapo.site.scan import DeckScan, scan_deck

T = TypeVar("T")


def from_helper(pending: Callable[[], T]) -> T | None:
    """The site helper's result, or None when the helper stopped before giving it (the caller
    then does the work itself)."""
    try:
        return pending()
    except (CancelledError, BrokenProcessPool):
        return None


class SiteDeck:
    """A parsed deck and its scan."""

    def __init__(self, deck: Deck) -> None:
        self.deck = deck
        self._scan: DeckScan | None = None
        self._pending: Callable[[], DeckScan] | None = None

    @property
    def scanned(self) -> bool:
        """True once the scan is known (no work left for a helper)."""
        return self._scan is not None

    def expect(self, pending: Callable[[], DeckScan]) -> None:
        """The scan will come from `pending()` (the helper's result) instead of being computed."""
        self._pending = pending

    @property
    def scan(self) -> DeckScan:
        """The deck's scan: the helper's when one computes it, else computed here, once."""
        if self._scan is None:
            pending, self._pending = self._pending, None
            if pending is not None:
                self._scan = from_helper(pending)
            if self._scan is None:
                self._scan = scan_deck(self.deck)
        return self._scan


Key = tuple[int, int, str, str]  # mtime, size, name, shown path
_CACHE: dict[Path, tuple[Key, SiteDeck]] = {}


def display_path(path: Path) -> str:
    """The path errors show: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if relative.startswith("..") else relative


def load(path: Path, name: str) -> SiteDeck:
    """Parse the deck at `path` (named `name`), or reuse the cached result.

    Raises `DeckError` for an invalid deck.
    """
    path = path.resolve()
    key = _key(path, name)  # taken before reading: a change while parsing is seen next time
    entry = _CACHE.get(path)
    if entry is not None and entry[0] == key:
        return entry[1]
    loaded = SiteDeck(parse(Path(key[3]), name=name))
    _CACHE[path] = (key, loaded)
    return loaded


def _key(path: Path, name: str) -> Key:
    """What must not change for a cached deck to be reused: the file's state, name and path
    (`path` resolved)."""
    stat = path.stat()
    return (stat.st_mtime_ns, stat.st_size, name, display_path(path))


def clear() -> None:
    """Forget every cached deck (tests, benchmarks)."""
    _CACHE.clear()
