"""Helpers for the presentation and PDF tests: fixture decks written with
`diapo.site.presentation.write`, a local HTTP server, Debian's Chromium through Playwright.

Test modules import the fixtures they use (`from browser import chromium, page, ...`).
"""

from __future__ import annotations

import functools
import http.server
import struct
import textwrap
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from diapo.deck import parse
from diapo.demo.fingerprint import deck_fingerprints
from diapo.demo.report import Report
from diapo.site import presentation

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 10_000
REPO_THEMES = Path(__file__).resolve().parents[2] / "theme"  # this course's own themes


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG (no imaging library needed)."""
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


class _Config(dict):
    """The bits of DiapoConfig that `write()` reads: options, and mkdocs.yml's location."""

    def __init__(self, root: Path, **options: object):
        super().__init__(theme="default", **options)
        self.config_file_path = str(root / "mkdocs.yml")


@dataclass
class Site:
    """A site folder holding presentation views of fixture decks."""

    root: Path  # the "project": docs/, theme/, site/

    @property
    def site(self) -> Path:
        return self.root / "site"

    def deck(self, name: str, markdown: str, *, report: Report | None = None,
             **options: object) -> Path:
        """Parse `markdown` as docs/<name>.md and write its presentation view."""
        source = self.root / "docs" / f"{name}.md"
        source.parent.mkdir(parents=True, exist_ok=True)
        text = textwrap.dedent(markdown).lstrip("\n")
        source.write_text(text, encoding="utf-8")
        deck = parse(source, text=text, name=name)
        if report is not None:  # as if `invoke verify` had just run on this deck
            prints = deck_fingerprints(deck)
            for result in (d for r in report.decks for d in r.demos):
                result.fingerprint = result.fingerprint or prints.get(result.id)
        return presentation.write(deck, site_dir=self.site, config=_Config(self.root, **options),
                                  report=report)

    def image(self, relative: str, rgb: tuple[int, int, int] = (220, 30, 30),
              size: tuple[int, int] = (64, 48)) -> None:
        """A PNG in the site (where the built site would have copied it from docs/)."""
        path = self.site / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png(*size, rgb))

    def theme(self, filename: str, css: str) -> None:
        """A project theme in <root>/theme/."""
        path = self.root / "theme" / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(css), encoding="utf-8")

    def course_theme(self, filename: str = "marp-ensg.css") -> None:
        """One of this repository's course themes (theme/), copied into the project."""
        self.theme(filename, (REPO_THEMES / filename).read_text(encoding="utf-8"))


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """An empty project whose presentation views the test writes."""
    (tmp_path / "site").mkdir()
    return Site(tmp_path)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 (random port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def server(site: Site) -> Iterator[str]:
    """Base URL of the fixture site."""
    with serve(site.site) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium, headless, through Playwright (one browser per test module: Playwright's
    sync API allows one instance at a time, and `invoke pdf` starts its own)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(chromium):
    """A fresh browser context (own history, storage); JS errors fail the test."""
    ctx = chromium.new_context(viewport={"width": 1280, "height": 720})
    ctx.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    ctx.on("page", lambda p: p.on("pageerror", lambda exc: errors.append(str(exc))))
    yield ctx
    ctx.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def page(context):
    """A page of the fresh context."""
    return context.new_page()
