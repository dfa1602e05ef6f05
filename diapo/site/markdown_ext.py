"""A Python-Markdown extension that points a deck's links at reading pages.

MkDocs rewrites Markdown links to `.md` files and images into page URLs, but a deck links to
presentation files (`cloud.html`, `kubernetes.html#12`, `./#2`) and writes raw HTML that MkDocs
leaves alone. While a deck's page renders, the plugin sets `rewriter` to a `LinkRewriter`:

- a tree processor (before MkDocs' `relpath`) turns Markdown links into `.md` links, which
  MkDocs then resolves, checks and makes relative;
- a postprocessor (before the raw HTML is put back) rewrites `href`/`src` in raw HTML to their
  final URL, relative to the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

# Tags and attributes rewritten in raw HTML (escaped code never contains a literal `<a `).
_RAW_URL = re.compile(
    r"(?P<head><(?:a|img|source|video|audio|iframe|embed|track)\b[^>]*?\s(?:href|src)\s*=\s*)"
    r"(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)')",
    re.IGNORECASE,
)


@dataclass
class LinkRewriter:
    """How the current page's links change: both callbacks return None to keep a URL."""

    markdown_href: Callable[[str], str | None]  # Markdown link -> source-relative URL
    raw_href: Callable[[str], str | None]  # raw HTML URL (unescaped) -> page-relative URL


class DeckLinksExtension(Extension):
    """Registered once in `markdown_extensions`; active only while `rewriter` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.rewriter: LinkRewriter | None = None

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(_TreeLinks(md, self), "diapo_links", 3)  # before relpath (0)
        md.postprocessors.register(_RawLinks(md, self), "diapo_raw_links", 35)  # before raw_html


class _TreeLinks(Treeprocessor):
    def __init__(self, md: Markdown, ext: DeckLinksExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root):  # type: ignore[no-untyped-def]
        rewriter = self.ext.rewriter
        if rewriter is None:
            return None
        for element in root.iter("a"):
            href = element.get("href")
            if href:
                new = rewriter.markdown_href(href)
                if new is not None:
                    element.set("href", new)
        return None


class _RawLinks(Postprocessor):
    def __init__(self, md: Markdown, ext: DeckLinksExtension) -> None:
        super().__init__(md)
        self.ext = ext
        # toc re-runs the postprocessors on every heading: rewrite each stashed block once.
        self._stash_id = 0
        self._done = 0

    def run(self, text: str) -> str:
        rewriter = self.ext.rewriter
        if rewriter is None:
            return text
        from html import escape, unescape

        def replace(match: re.Match[str]) -> str:
            raw = match.group("dq") if match.group("dq") is not None else match.group("sq")
            new = rewriter.raw_href(unescape(raw))
            if new is None:
                return match.group(0)
            return f'{match.group("head")}"{escape(new, quote=True)}"'

        blocks = self.md.htmlStash.rawHtmlBlocks
        if id(blocks) != self._stash_id:  # a new document: its stash is a new list
            self._stash_id, self._done = id(blocks), 0
        for index in range(self._done, len(blocks)):
            if isinstance(blocks[index], str):
                blocks[index] = _RAW_URL.sub(replace, blocks[index])
        self._done = len(blocks)
        return text
