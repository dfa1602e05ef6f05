"""A second process for full builds: it shares the deck parsing and writes the presentation views.

MkDocs renders the reading pages one after the other in one process, and the presentation views
(markdown-it, one standalone page per deck) depend on none of them. So on a machine with more
than one core a full build forks one helper process when the decks are loaded (`on_files`):

1. the helper parses and scans half of the decks that are not cached yet while the plugin does
   the other half, and sends its decks back (the link checks need them all);
2. once the checks pass, the helper writes every presentation view while MkDocs renders the
   pages; `on_post_build` waits for it and reports its errors as the plugin would.

No helper for small or dirty rebuilds (nothing worth sharing), without `os.fork`, or when other
threads run: forking a threaded process is unsafe, and `mkdocs serve` rebuilds in a thread.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from diapo.deck import parse
from diapo.deck.model import Deck
from diapo.demo.report import Report
from diapo.errors import DeckError
from diapo.site import decks
from diapo.site.decks import SiteDeck

MIN_DECKS = 4  # below this, forking costs more than it saves

# What the helper needs to write the views; set before the fork, so nothing is pickled.
_VIEWS: dict[str, Any] = {}

DeckSource = tuple[Path, str]  # (path of the Markdown file, deck name)
Loaded = SiteDeck | DeckError  # a deck, or why it cannot be read


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def wanted(sources: Sequence[DeckSource], *, dirty: bool) -> bool:
    """True when a helper process would make this build faster, and is safe to fork."""
    uncached = sum(decks.cached(path, name) is None for path, name in sources)
    return (not dirty and uncached >= MIN_DECKS and cores() > 1
            and hasattr(os, "fork") and threading.active_count() == 1)


def load_all(sources: Sequence[DeckSource], helper: Helper | None) -> list[Loaded]:
    """Load every deck of `sources` (in order), with the helper's help when there is one."""
    if helper is None:
        return [_load_one(path, name) for path, name in sources]
    return helper.load(sources)


@dataclass
class Helper:
    """The helper process of one build."""

    pool: ProcessPoolExecutor
    views: Future | None = None

    @classmethod
    def start(cls, *, site_dir: Path, config: Any, report: Report | None) -> Helper:
        """A helper that will write views to `site_dir` with the plugin's options."""
        _VIEWS.update(site_dir=site_dir, config=config, report=report)
        # The process is forked at the first task, with _VIEWS as it is now.
        return cls(ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")))

    def load(self, sources: Sequence[DeckSource]) -> list[Loaded]:
        """Load `sources`: the helper takes every other deck, sent back to this process's cache."""
        theirs = self.pool.submit(_load_keyed, sources[1::2])
        mine = [_load_one(path, name) for path, name in sources[::2]]
        sent = iter(theirs.result())
        loaded: list[Loaded] = []
        for index, (path, _name) in enumerate(sources):
            if index % 2 == 0:
                loaded.append(mine[index // 2])
                continue
            key, found = next(sent)
            loaded.append(found if key is None else decks.remember(path, key, found)[1])
        return loaded

    def write_views(self, sources: Sequence[DeckSource]) -> None:
        """Start writing the presentation views of `sources` in the helper."""
        self.views = self.pool.submit(_write_views, list(sources))

    def wait(self) -> list[Path]:
        """Wait for the views (raising the helper's error, e.g. an unknown theme), then stop."""
        try:
            return self.views.result() if self.views is not None else []
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop the helper, dropping work it has not started (a failed build)."""
        self.pool.shutdown(wait=True, cancel_futures=True)


def _load_one(path: Path, name: str) -> Loaded:
    try:
        return decks.load(path, name)
    except DeckError as exc:
        return exc


def _load_keyed(sources: Sequence[DeckSource]) -> list[tuple[decks.Key | None, Loaded]]:
    """In the helper: parse and scan decks (kept in its cache for `_write_views`)."""
    results: list[tuple[decks.Key | None, Loaded]] = []
    for path, name in sources:
        try:
            results.append(decks.load_keyed(path, name))
        except DeckError as exc:
            results.append((None, exc))
    return results


def _write_views(sources: Sequence[DeckSource]) -> list[Path]:
    """In the helper: write the presentation view of every deck."""
    from diapo.site import presentation

    return [presentation.write(_deck(path, name), **_VIEWS) for path, name in sources]


def _deck(path: Path, name: str) -> Deck:
    """A deck the helper loaded itself, or parsed now (views need no scan)."""
    cached = decks.cached(path, name)
    return cached.deck if cached is not None else parse(Path(decks.display_path(path)), name=name)
