"""A Python-Markdown extension that points a deck's links at reading pages.

MkDocs rewrites Markdown links to `.md` files and images into page URLs, but a deck links to
presentation files (`cloud.html`, `kubernetes.html#12`, `./#2`) and writes raw HTML that MkDocs
leaves alone. While a deck's page renders, the plugin sets `rewriter` to a `LinkRewriter`:

- a tree processor (before MkDocs' `relpath`) turns Markdown links into `.md` links, which
  MkDocs then resolves, checks and makes relative;
- a postprocessor (before the raw HTML is put back) rewrites `href`/`src` in raw HTML to their
  final URL, relative to the page;
- `$…$` and `$$…$$` math becomes MathML (`diapo.site.math`), and `:shortcode:` emoji the
  emoji (`diapo.site.emoji`), as on the slides;
- a backslash escapes any ASCII punctuation, as in CommonMark.

MkDocs makes a new `Markdown` for every page, after `on_page_markdown`: the processors are
registered for deck pages only, and math and emoji only when the page's text can hold them
(Python-Markdown tries every inline pattern on every piece of text).
"""

from __future__ import annotations

import re
import string
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markdown import Extension, Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.inlinepatterns import InlineProcessor
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor, UnescapeTreeprocessor
from markdown.util import Registry

from diapo.site import emoji, math

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
        if self.rewriter is None:  # not a deck's page
            return
        md.treeprocessors.register(_TreeLinks(md, self), "diapo_links", 3)  # before relpath (0)
        md.postprocessors.register(_RawLinks(md, self), "diapo_raw_links", 35)  # before raw_html
        # After pymdownx.snippets (32) has included its files: the text is the page's.
        md.preprocessors.register(_DeckText(md, self), "diapo_deck_text", 31)


class _DeckText(Preprocessor):
    """Fits the Markdown instance to the text it converts, before it is parsed: math and emoji
    only in a deck's text that can hold them, and CommonMark's backslash escapes.

    Checked at every conversion, so an instance another extension keeps after the deck's page
    (while `rewriter` was set) converts its later texts as before.
    """

    def __init__(self, md: Markdown, ext: DeckLinksExtension) -> None:
        super().__init__(md)
        self.ext = ext
        self.escapes: list[str] | None = None  # the instance's own, once every extension ran

    def run(self, lines: list[str]) -> list[str]:
        md, ext = self.md, self.ext
        deck = ext.rewriter is not None
        text = "\n".join(lines) if deck else ""
        maths = deck and "$" in text
        # After inline code (190), before backslash escapes (180) eat TeX's `\{`, `\\`.
        _keep(md.inlinePatterns, "diapo_math", 189.9, maths,
              lambda: _MathInline(math.INLINE.pattern, md, ext))
        _keep(md.parser.blockprocessors, "diapo_math_block", 95, maths,
              lambda: _MathBlock(md.parser, ext))
        # Before pymdownx.emoji (75) when a course uses it, so decks read as on slides.
        _keep(md.inlinePatterns, "diapo_emoji", 76,
              deck and emoji.SHORTCODE.search(text) is not None,
              lambda: _Emoji(emoji.SHORTCODE.pattern, md, ext))
        # A backslash escapes any ASCII punctuation in CommonMark, as on the slides (`\<!--`,
        # `\$`, `\&` show the character); Python-Markdown escapes only some and shows the
        # backslash before the others.
        if self.escapes is None:
            self.escapes = list(md.ESCAPED_CHARS)
        md.ESCAPED_CHARS[:] = self.escapes + (
            [c for c in string.punctuation if c not in self.escapes] if deck else [])
        return lines


def _keep(registry: Registry, name: str, priority: float, wanted: bool,
          make: Callable[[], Any]) -> None:
    """Register `make()` as `name` in `registry` when `wanted`, else take it out (Python-Markdown
    tries every inline pattern on every piece of text: one a page cannot use costs time)."""
    if not wanted:
        registry.deregister(name, strict=False)
    elif name not in registry:
        registry.register(make(), name, priority)


class _TreeLinks(Treeprocessor):
    def __init__(self, md: Markdown, ext: DeckLinksExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root):  # type: ignore[no-untyped-def]
        rewriter = self.ext.rewriter
        if rewriter is None:
            return None
        # Backslash escapes are still placeholders here (Python-Markdown puts the characters
        # back at priority 0): the rewriter reads the URL as written.
        unescape = next((p.unescape for p in self.md.treeprocessors
                         if isinstance(p, UnescapeTreeprocessor)), str)
        for element in root.iter("a"):
            href = element.get("href")
            if href:
                new = rewriter.markdown_href(unescape(href))
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


class _DeckInline(InlineProcessor):
    """An inline pattern that applies to decks only (while the extension has a rewriter):
    `replace` gives the HTML a match becomes, or None to leave the text as it is."""

    def __init__(self, pattern: str, md: Markdown, ext: DeckLinksExtension) -> None:
        super().__init__(pattern, md)
        self.ext = ext

    def replace(self, m: re.Match[str]) -> str | None:
        raise NotImplementedError

    def handleMatch(self, m: re.Match[str], data: str):  # type: ignore[no-untyped-def, override]
        found = self.replace(m) if self.ext.rewriter is not None else None
        if found is None:
            return None, None, None
        return self.md.htmlStash.store(found), m.start(0), m.end(0)


class _MathInline(_DeckInline):
    """`$…$` in a deck's paragraph: inline MathML."""

    def replace(self, m: re.Match[str]) -> str | None:
        return math.mathml(m.group("tex"))


class _MathBlock(BlockProcessor):
    """`$$` … `$$` in a deck (its own paragraph, or several): display MathML."""

    def __init__(self, parser, ext: DeckLinksExtension) -> None:  # noqa: ANN001
        super().__init__(parser)
        self.ext = ext

    def test(self, parent: etree.Element, block: str) -> bool:
        return self.ext.rewriter is not None and block.lstrip().startswith("$$")

    def run(self, parent: etree.Element, blocks: list[str]) -> bool:
        first = blocks[0].lstrip()[2:]
        for end, block in enumerate(blocks):
            closing = (first if end == 0 else block).rstrip()
            if closing.endswith("$$") and (end > 0 or len(closing) >= 2):
                break
        else:
            return False  # never closed: ordinary text
        tex = "\n\n".join([first, *blocks[1:end + 1]]).rstrip()[:-2]
        del blocks[:end + 1]
        holder = etree.SubElement(parent, "div", {"class": "diapo-math"})
        holder.text = self.parser.md.htmlStash.store(math.mathml(tex, display=True))
        return True


class _Emoji(_DeckInline):
    """`:rocket:` in a deck's text: the emoji, as on the slides (unknown names stay text)."""

    def replace(self, m: re.Match[str]) -> str | None:
        char = emoji.character(m.group(0))
        return None if char is None else emoji.span(m.group(0), char)
