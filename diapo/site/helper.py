"""A second process for full builds: it scans the decks, renders reading pages, and writes
the presentation views.

MkDocs renders the reading pages one after the other in one process. A page needs its deck's
scan (headings, links, HTML blocks), and the presentation views (markdown-it, one standalone
page per deck) need none of the pages. So on a machine with more than one core, a full build
forks one helper process once diapo has its decks and files (the end of its `on_files`), and
hands it its `Inputs` (the parsed decks, the plugin's options, how to render a page) as the
fork's arguments, so nothing is pickled:

1. the helper scans every deck, in page order, and sends back each scan with the reading
   page's Markdown made from it; a page waits for its deck's only if the helper is behind (it
   is much faster than Python-Markdown rendering the pages);
2. then it renders reading pages from the last deck back, until it meets the pages this
   process rendered (`diapo.site.page_share`);
3. then it writes every presentation view while MkDocs writes the pages; `on_post_build`
   waits for them and reports their errors as the plugin would (if the helper died, this
   process writes them).

No helper for small or dirty rebuilds (nothing worth sharing), without `os.fork`, or when other
threads run: forking a threaded process is unsafe, and `mkdocs serve` rebuilds in a thread.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from diapo.deck.model import Deck
from diapo.demo.report import Report
from diapo.site.decks import SiteDeck
from diapo.site.page_share import HELPER, MAIN, Claims, Rendered
from diapo.site.scan import DeckScan, scan_deck

MIN_DECKS = 4  # below this, forking costs more than it saves


@dataclass(frozen=True)
class Inputs:
    """Everything the helper works from: the decks, by name, and where and how views are
    written (`presentation.write`'s options)."""

    decks: dict[str, Deck]  # in page order
    site_dir: Path
    config: Any  # the plugin's DiapoConfig
    report: Report | None
    # Renders a deck's reading page from its slides' Markdown, in the helper (None: the
    # helper renders no page); `claims` says which process renders each.
    render: Callable[[str, str], Rendered] | None = None
    claims: Claims | None = None


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
    claims: Claims | None
    views: Future | None = None
    pages: dict[str, Future] = field(default_factory=dict)

    @classmethod
    def start(cls, *, inputs: Inputs) -> Helper:
        """A helper that works from `inputs`. The process is forked at the first task and
        gets `inputs` as its initializer's arguments: fork passes them without pickling."""
        return cls(ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                       initializer=_adopt, initargs=(inputs,)),
                   inputs.claims)

    def scan(self, loaded: Sequence[SiteDeck]) -> dict[str, Callable[[], str]]:
        """Have the helper scan the decks not scanned yet, in this order, and write their
        reading pages' Markdown (`reading.render`, without header): how to get each, by name."""
        readings: dict[str, Callable[[], str]] = {}
        for site_deck in loaded:
            if not site_deck.scanned:
                scan, readings[site_deck.deck.name] = _parts(
                    self.pool.submit(_scan, site_deck.deck.name))
                site_deck.expect(scan)
        return readings

    def write_views(self) -> None:
        """Have the helper write the presentation view of every deck (after the scans)."""
        self.views = self.pool.submit(_write_views)

    def render_pages(self, names: Sequence[str]) -> None:
        """Have the helper render the reading pages of `names` (after the scans), last first,
        each unless this process has claimed it (`page`)."""
        if self.claims is not None:
            self.pages = {name: self.pool.submit(_render, name) for name in reversed(names)}

    def page(self, name: str) -> Future[Rendered | None] | None:
        """Claim `name`'s page for this process: None when it is this process's to render,
        else the helper's rendering of it."""
        if self.claims is None or self.claims.take(name, MAIN):
            return None
        return self.pages[name]

    def keep_pages(self) -> None:
        """Render every page in this process (the helper's renderings would differ): the
        helper stops rendering, and what it has rendered is not used."""
        if self.claims is not None:
            for name in self.pages:
                self.claims.take(name, MAIN)
            self.claims = None

    def wait(self) -> list[Path]:
        """Wait for the views (raising the helper's error, e.g. an unknown theme), then stop."""
        try:
            return self.views.result() if self.views is not None else []
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop the helper, dropping work it has not started (a failed build)."""
        self.pool.shutdown(wait=True, cancel_futures=True)


def _parts(done: Future[tuple[DeckScan, str]]) -> tuple[Callable[[], DeckScan],
                                                         Callable[[], str]]:
    """How to get each part of a `_scan` result (waiting for it)."""
    return (lambda: done.result()[0]), (lambda: done.result()[1])


# In the helper process only: its inputs, set once by the pool's initializer, and the
# reading Markdown of the decks it scanned, by name.
_inputs: Inputs | None = None
_slides: dict[str, str] = {}


def _adopt(inputs: Inputs) -> None:
    """In the helper, first: keep the inputs the fork handed over."""
    global _inputs  # noqa: PLW0603 - a worker's own state, set once at its start
    _inputs = inputs


def _given() -> Inputs:
    assert _inputs is not None, "the helper's initializer has not run"
    return _inputs


def _scan(name: str) -> tuple[DeckScan, str]:
    """In the helper: the scan of a deck, and its reading page's Markdown."""
    from diapo.site import badges, reading

    inputs = _given()
    deck = inputs.decks[name]
    scan = scan_deck(deck)
    _slides[name] = slides = reading.render(deck, scan, badges.proofs(deck, inputs.report))
    return scan, slides


def _render(name: str) -> Rendered | None:
    """In the helper: the reading page of a deck it scanned, unless this process has claimed
    it (None)."""
    inputs = _given()
    slides = _slides.get(name)
    if (slides is None or inputs.render is None or inputs.claims is None
            or not inputs.claims.take(name, HELPER)):
        return None
    return inputs.render(name, slides)


def _write_views() -> list[Path]:
    """In the helper: write the presentation view of every deck."""
    from diapo.site import presentation

    inputs = _given()
    names = frozenset(inputs.decks)
    return [presentation.write(deck, site_dir=inputs.site_dir, config=inputs.config,
                               report=inputs.report, deck_names=names)
            for deck in inputs.decks.values()]
