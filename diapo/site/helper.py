"""A second process for full builds: it scans the decks and writes the presentation views.

MkDocs renders the reading pages one after the other in one process. A page needs its deck's
scan (headings, links, HTML blocks), and the presentation views (markdown-it, one standalone
page per deck) need none of the pages. So on a machine with more than one core, a full build
forks one helper process once the decks are parsed (`on_files`), which inherits them:

1. the helper scans every deck, in page order, and sends each scan back; a page waits for its
   deck's scan only if the helper is behind (it is much faster than the pages);
2. then it writes every presentation view while MkDocs goes on with the pages;
   `on_post_build` waits for it and reports its errors as the plugin would.

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

from diapo.deck.model import Deck
from diapo.demo.report import Report
from diapo.site import decks
from diapo.site.decks import SiteDeck
from diapo.site.scan import DeckScan, scan_deck

MIN_DECKS = 4  # below this, forking costs more than it saves

# What the helper needs to write the views; set before the fork, so nothing is pickled.
_VIEWS: dict[str, Any] = {}

DeckSource = tuple[Path, str]  # (path of the Markdown file, deck name)


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def wanted(loaded: Sequence[SiteDeck], *, dirty: bool) -> bool:
    """True when a helper process would make this build faster, and is safe to fork."""
    return (not dirty and sum(not deck.scanned for deck in loaded) >= MIN_DECKS
            and cores() > 1 and hasattr(os, "fork") and threading.active_count() == 1)


@dataclass
class Helper:
    """The helper process of one build."""

    pool: ProcessPoolExecutor
    views: Future | None = None

    @classmethod
    def start(cls, *, site_dir: Path, config: Any, report: Report | None,
              deck_names: frozenset[str] = frozenset()) -> Helper:
        """A helper that will write views to `site_dir` with the plugin's options."""
        _VIEWS.update(site_dir=site_dir, config=config, report=report, deck_names=deck_names)
        # The process is forked at the first task: it gets _VIEWS and the parsed decks then.
        return cls(ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")))

    def scan(self, loaded: Sequence[tuple[Path, SiteDeck]]) -> None:
        """Have the helper scan the decks not scanned yet, in this order."""
        for path, site_deck in loaded:
            if not site_deck.scanned:
                site_deck.expect(self.pool.submit(_scan, path, site_deck.deck.name).result)

    def write_views(self, sources: Sequence[DeckSource]) -> None:
        """Have the helper write the presentation views of `sources` (after the scans)."""
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


def _scan(path: Path, name: str) -> DeckScan:
    """In the helper: the scan of a deck."""
    return scan_deck(_deck(path, name))


def _write_views(sources: Sequence[DeckSource]) -> list[Path]:
    """In the helper: write the presentation view of every deck."""
    from diapo.site import presentation

    return [presentation.write(_deck(path, name), **_VIEWS) for path, name in sources]


def _deck(path: Path, name: str) -> Deck:
    """A deck parsed before the fork (inherited cache), or parsed now if the file changed."""
    return decks.load(path, name).deck
