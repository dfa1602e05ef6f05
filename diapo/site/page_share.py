"""Reading pages rendered by the site helper while this process renders others.

MkDocs renders the pages one after the other in one process, and a deck's reading page is
the costliest part of a full build. With a helper process (`diapo.site.helper`), both
processes render reading pages: this one from the first deck on, the helper from the last
deck back, once it has scanned the decks. Each page goes to whichever process claims it first
(`Claims`, shared memory), so neither waits for the other.

The helper renders a page with MkDocs' own `Page.render` on its copy of the configuration
and files, forked once diapo's `on_files` had run; this process adopts the result into its
page in place of rendering it (`adopt`): the HTML, the table of contents, the anchors MkDocs
validates, and what MkDocs logged meanwhile, logged again here so that `--strict` counts it.
A page is rendered here instead (and the helper's rendering dropped) when sharing would not
give the same site: a Markdown extension given as an object (it may keep state in its plugin,
as mkdocs-autorefs does), files or Markdown settings changed after the fork (`signature`), a
page whose Markdown is not the one the helper rendered (a later plugin changed it), or a
helper that failed.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

MAIN, HELPER = 1, 2  # who claimed a page; 0: nobody yet
LOCK_WAIT = 10  # seconds; a helper killed while holding the lock must not block the build


class Claims:
    """Which process renders each deck's page: the first to claim it (shared by the fork)."""

    def __init__(self, names: Sequence[str]) -> None:
        self._index = {name: at for at, name in enumerate(names)}
        self._owner = multiprocessing.get_context("fork").Array("b", len(names))

    def take(self, name: str, who: int) -> bool:
        """Claim `name`'s page for `who`: True when it is (or already was) `who`'s. A lock
        left held (its holder killed) gives the page to this process."""
        at, lock = self._index[name], self._owner.get_lock()
        if not lock.acquire(timeout=LOCK_WAIT):
            return who == MAIN
        try:
            if self._owner[at] == 0:
                self._owner[at] = who
            return bool(self._owner[at] == who)
        finally:
            lock.release()


@dataclass(frozen=True)
class Rendered:
    """What `Page.render` leaves on a page, as the helper sends it back."""

    markdown: str  # what was rendered: adopted only by a page whose Markdown is the same
    content: str
    toc: Any  # mkdocs.structure.toc.TableOfContents
    title: str | None  # the title found in the page (`Page._title_from_render`)
    anchors: set[str] | None
    links_to_anchors: dict[str, dict[str, str]] | None  # by the linked file's src_uri
    logged: list[tuple[str, int, str]]  # logger name, level, message


def shareable(config: MkDocsConfig, own: Iterable[object]) -> bool:
    """True when the helper may render pages for this configuration: every Markdown
    extension is named (or is one of diapo's own, `own`), so it keeps no state elsewhere."""
    mine = {id(extension) for extension in own}
    return all(isinstance(extension, str) or id(extension) in mine
               for extension in config.markdown_extensions)


def signature(config: MkDocsConfig, files: Files) -> list[Hashable]:
    """What a page's rendering depends on besides its Markdown: the Markdown extensions and
    their settings, and every file MkDocs checks links against, with its URL and whether it
    is excluded (MkDocs settles the inclusion of generated files after `on_files`; until
    then it is undetermined, which links treat as included)."""
    settings = repr((config.markdown_extensions, config.mdx_configs))
    return [settings, *((file.src_uri, file.dest_uri, file.url, file.inclusion.is_excluded())
                        for file in files)]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.logged: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
        self.logged.append((record.name, record.levelno, message))


@contextmanager
def _collected() -> Iterator[_Collect]:
    """What MkDocs logs in the block, kept instead of printed."""
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    handlers, propagate = logger.handlers, logger.propagate
    logger.handlers, logger.propagate = [collect], False
    try:
        yield collect
    finally:
        logger.handlers, logger.propagate = handlers, propagate


def render(file: File, config: MkDocsConfig, files: Files,
           markdown: Callable[[Page], str]) -> Rendered:
    """In the helper: the page of `file` rendered as MkDocs does, its Markdown given by
    `markdown(page)`, with what MkDocs logs meanwhile kept instead of printed."""
    with _collected():  # making the page logs what this process logged when it made its own
        page = Page(None, file, config)
    page.markdown = text = markdown(page)
    with _collected() as collect:
        page.render(config, files)
    links = page.__dict__.get("links_to_anchors")  # set by render only at some log levels
    assert page.content is not None
    return Rendered(
        markdown=text, content=page.content, toc=page.toc,
        title=page._title_from_render,  # noqa: SLF001
        anchors=page.present_anchor_ids,
        links_to_anchors=None if links is None else {
            linked.src_uri: anchors for linked, anchors in links.items()},
        logged=collect.logged)


def adopt(page: Page, rendered: Rendered, files: Files) -> None:
    """In this process: leave on `page` what rendering it would have, and log again what
    the helper's rendering logged."""
    page.content = rendered.content
    page.toc = rendered.toc
    page._title_from_render = rendered.title  # noqa: SLF001 - what render sets, as render does
    page.present_anchor_ids = rendered.anchors
    if rendered.links_to_anchors is not None:
        page.links_to_anchors = {files.src_uris[uri]: anchors
                                 for uri, anchors in rendered.links_to_anchors.items()}
    for name, level, message in rendered.logged:
        logging.getLogger(name).log(level, message)
