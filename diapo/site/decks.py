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
    """Parse and scan the deck at `path` (named `name`), or reuse the cached result.

    Raises `DeckError` for an invalid deck.
    """
    return load_keyed(path, name)[1]


def load_keyed(path: Path, name: str) -> tuple[Key, SiteDeck]:
    """`load`, with the file state the result belongs to (for `remember` in another process)."""
    key = _key(path, name)  # taken before reading: a change while parsing is seen next time
    entry = _CACHE.get(path.resolve())
    if entry is not None and entry[0] == key:
        return entry
    deck = parse(Path(key[3]), name=name)
    return remember(path, key, SiteDeck(deck, scan_deck(deck)))


def cached(path: Path, name: str) -> SiteDeck | None:
    """The cached deck at `path`, if the file has not changed since it was loaded."""
    entry = _CACHE.get(path.resolve())
    return entry[1] if entry is not None and entry[0] == _key(path, name) else None


def remember(path: Path, key: Key, loaded: SiteDeck) -> tuple[Key, SiteDeck]:
    """Cache `loaded`, parsed from `path` in the state `key` (here or in the site helper)."""
    _CACHE[path.resolve()] = entry = (key, loaded)
    return entry


def _key(path: Path, name: str) -> Key:
    """What must not change for a cached deck to be reused: the file's state, name and path."""
    path = path.resolve()
    stat = path.stat()
    return (stat.st_mtime_ns, stat.st_size, name, display_path(path))


def clear() -> None:
    """Forget every cached deck (tests, benchmarks)."""
    _CACHE.clear()
