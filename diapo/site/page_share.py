"""Reading pages rendered by the site helper while this process renders others.

MkDocs renders the pages one after the other in one process, and a deck's reading page is
the costliest part of a full build. With a helper process (`diapo.site.helper`), both
processes render reading pages: this one from the first deck on, the helper from the last
deck back, once its other work is done. Each page goes to whichever process claims it first
(`Claims`, shared memory), so neither waits for the other and no page is rendered twice.

The helper renders a page with MkDocs' own `Page.render` on its copy of the configuration
and files, forked once every `on_files` hook had run; this process adopts the result into its
page in place of rendering it (`adopt`): the HTML, the table of contents, the anchors MkDocs
validates, and the warnings logged meanwhile, logged again here so that `--strict` counts
them. A page is rendered here instead when sharing would not give the same site: a Markdown
extension given as an object (it may keep state in its plugin, as mkdocs-autorefs does), a
list of files that changed after the fork, or a plugin that changed the page's Markdown
after diapo.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

MAIN, HELPER = 1, 2  # who claimed a page; 0: nobody yet


class Claims:
    """Which process renders each deck's page: the first to claim it (shared by the fork)."""

    def __init__(self, names: Sequence[str]) -> None:
        self._index = {name: at for at, name in enumerate(names)}
        self._owner = multiprocessing.get_context("fork").Array("b", len(names))

    def take(self, name: str, who: int) -> bool:
        """Claim `name`'s page for `who`: True when it is (or already was) `who`'s."""
        at = self._index[name]
        with self._owner.get_lock():
            if self._owner[at] == 0:
                self._owner[at] = who
            return bool(self._owner[at] == who)


@dataclass(frozen=True)
class Rendered:
    """What `Page.render` leaves on a page, as the helper sends it back."""

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


def signature(files: Files) -> list[Hashable]:
    """What MkDocs checks a page's links against: every file, where it goes, whether it is
    excluded (MkDocs settles the inclusion of generated files after `on_files`; until then it
    is undetermined, which links treat as included)."""
    return [(file.src_uri, file.dest_uri, file.inclusion.is_excluded()) for file in files]


class _Collect(logging.Handler):
    def __init__(self, into: list[tuple[str, int, str]]) -> None:
        super().__init__()
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append((record.name, record.levelno, record.getMessage()))


def render(page: Page, config: MkDocsConfig, files: Files) -> Rendered:
    """In the helper: render `page` (its `markdown` set) as MkDocs does, keeping what MkDocs
    logs meanwhile instead of printing it."""
    logged: list[tuple[str, int, str]] = []
    logger = logging.getLogger("mkdocs")
    handlers, propagate = logger.handlers, logger.propagate
    logger.handlers, logger.propagate = [_Collect(logged)], False
    try:
        page.render(config, files)
    finally:
        logger.handlers, logger.propagate = handlers, propagate
    links = page.__dict__.get("links_to_anchors")  # set by render only at some log levels
    assert page.content is not None
    return Rendered(
        content=page.content, toc=page.toc, title=page._title_from_render,  # noqa: SLF001
        anchors=page.present_anchor_ids,
        links_to_anchors=None if links is None else {
            file.src_uri: anchors for file, anchors in links.items()},
        logged=logged)


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
