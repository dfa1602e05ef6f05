"""Render one slide's Markdown to the HTML Marp would put in its `<section>`.

Python-Markdown with the extensions a Marp deck needs, plus a few small processors that make
its output follow Marp (markdown-it) where it matters on a slide:

- fenced code is taken out first and highlighted with Pygments; each block is matched with
  the deck's `Fence` so a caller can decorate demo blocks (badges);
- block HTML (`<div class="left">` followed by a blank line and Markdown) gets
  `markdown="1"`, so md_in_html renders the Markdown inside, as CommonMark does;
- `*` bullets and `1)` ordered lists are fragmented lists: their items get
  `data-marpit-fragment="N"` (N counts the slide's fragments in document order);
- headings get Marp's slugs (Unicode kept, `-1`, `-2` for duplicates across the deck);
- Markdown images carry Marp keywords in their alt text: sizes and filters become styles,
  `bg` images are taken out of the flow and returned as the slide's backgrounds;
- `<style>` / `<style scoped>` blocks are taken out and returned for the caller to scope.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import markdown
from markdown.extensions import Extension
from markdown.extensions.sane_lists import SaneOListProcessor, SaneUListProcessor
from markdown.extensions.toc import unescape
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

from diapo.deck.model import Deck, Fence, Image, Slide
from diapo.site.image_style import image_style
from diapo.site.slugs import Slugger

FRAGMENT_ATTR = "data-marpit-fragment"
_PENDING = "data-diapo-fragment-pending"
_STASH_RE = re.compile(r"\x02wzxhzdk:(\d+)\x03")
_FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_BLOCK_TAG = re.compile(
    r"^( {0,3})<(div|section|article|aside|figure|details|blockquote|nav|main|center|header|"
    r"footer|summary|figcaption)\b((?:(?!\bmarkdown=)[^>])*)>\s*$",
    re.I,
)
_STYLE_RE = re.compile(r"^ {0,3}<style(\s+scoped)?\s*>(.*?)</style>\s*$", re.S | re.I | re.M)
def scan_fences(lines: list[str]) -> list[tuple[int, int, str, str]]:
    """Top-level fenced code blocks as (first line, last line, info, text), 0-based lines."""
    found, i = [], 0
    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i])
        if not match or (match.group(2)[0] == "`" and "`" in match.group(3)):
            i += 1
            continue
        indent, marker, info = len(match.group(1)), match.group(2), match.group(3).strip()
        close = re.compile(rf"^ {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}\s*$")
        body, j = [], i + 1
        while j < len(lines) and not close.match(lines[j]):
            body.append(re.sub(rf"^ {{0,{indent}}}", "", lines[j]))
            j += 1
        found.append((i, min(j, len(lines) - 1), info, "\n".join(body) + ("\n" if body else "")))
        i = j + 1
    return found


def highlight_code(lang: str, code: str) -> str:
    """Pygments HTML for `code` (`<div class="highlight"><pre>...`), plain text if unknown."""
    return highlight(code, *_highlighter(lang))


@lru_cache(maxsize=128)
def _highlighter(lang: str) -> tuple[Lexer, HtmlFormatter]:
    """Lexer and formatter for a language (building a formatter is costly: cached)."""
    try:
        lexer = get_lexer_by_name(lang) if lang else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    return lexer, HtmlFormatter(cssclass=f"highlight language-{lang or 'text'}", wrapcode=True)


def pygments_css(scope: str) -> str:
    """Stylesheet for the highlighted code blocks, limited to `scope`."""
    return HtmlFormatter(style="friendly").get_style_defs(f"{scope} .highlight")


@dataclass
class RenderedSlide:
    """What `SlideRenderer.render` produces for one slide."""

    html: str  # the section's inner HTML (without header / footer)
    backgrounds: list[Image] = field(default_factory=list)
    styles: list[tuple[str, bool]] = field(default_factory=list)  # (css, scoped)
    fragments: int = 0


class _State:
    """Per-slide data shared by the processors of one Markdown instance."""

    def __init__(self, slugger: Slugger):
        self.slugger = slugger
        self.slide: Slide | None = None
        self.decorate: Callable[[Fence | None, str], str] | None = None
        self.backgrounds: list[Image] = []
        self.fragments = 0
        self.used_fences: set[int] = set()
        self.used_images: set[int] = set()

    def reset(self, slide: Slide, decorate: Callable[[Fence | None, str], str] | None) -> None:
        self.slide, self.decorate = slide, decorate
        self.backgrounds, self.fragments = [], 0
        self.used_fences, self.used_images = set(), set()

    def fence_for(self, info: str, text: str) -> Fence | None:
        """The deck's Fence for a block found while rendering (first unused, same text)."""
        for k, fence in enumerate(self.slide.fences if self.slide else []):
            if k not in self.used_fences and fence.text.rstrip("\n") == text.rstrip("\n") \
                    and fence.info.strip() == info:
                self.used_fences.add(k)
                return fence
        return None

    def image_for(self, src: str) -> Image | None:
        """The deck's Image (with parsed Marp keywords) for a rendered `<img src>`."""
        for k, image in enumerate(self.slide.images if self.slide else []):
            if k not in self.used_images and image.src == src:
                self.used_images.add(k)
                return image
        return None


class _FencePreprocessor(Preprocessor):
    """Highlight fenced code blocks and stash them before anything else parses the text."""

    def __init__(self, md: markdown.Markdown, state: _State):
        super().__init__(md)
        self.state = state

    def run(self, lines: list[str]) -> list[str]:
        out, last = [], 0
        for start, end, info, text in scan_fences(lines):
            out.extend(lines[last:start])
            lang = info.split()[0] if info else ""
            code = highlight_code(lang, text)
            fence = self.state.fence_for(info, text)
            if self.state.decorate:
                code = self.state.decorate(fence, code)
            out.extend(["", self.md.htmlStash.store(code), ""])
            last = end + 1
        out.extend(lines[last:])
        return out


class _HtmlBlockPreprocessor(Preprocessor):
    """Add `markdown="1"` to block HTML tags alone on their line (CommonMark renders Markdown
    after such a tag once a blank line follows; md_in_html needs the attribute)."""

    def run(self, lines: list[str]) -> list[str]:
        return [_BLOCK_TAG.sub(r'\1<\2\3 markdown="1">', line) for line in lines]


class _FragmentUList(SaneUListProcessor):
    """`*` bullets: a fragmented list in Marp."""

    def __init__(self, parser):
        super().__init__(parser)
        self.RE = re.compile(r"^[ ]{0,%d}[*][ ]+(.*)" % (self.tab_length - 1))

    def run(self, parent, blocks):
        _mark_new_items(self, parent, lambda: super(_FragmentUList, self).run(parent, blocks))


class _FragmentOList(SaneOListProcessor):
    """`1)` ordered lists: a fragmented list in Marp."""

    def __init__(self, parser):
        super().__init__(parser)
        tab = self.tab_length - 1
        self.RE = re.compile(r"^[ ]{0,%d}\d+\)[ ]+(.*)" % tab)
        self.CHILD_RE = re.compile(r"^[ ]{0,%d}((\d+[.)]))[ ]+(.*)" % tab)
        self.INDENT_RE = re.compile(r"^[ ]{%d,%d}((\d+[.)])|[*+-])[ ]+.*"
                                    % (self.tab_length, self.tab_length * 2 - 1))

    def run(self, parent, blocks):
        _mark_new_items(self, parent, lambda: super(_FragmentOList, self).run(parent, blocks))


def _mark_new_items(proc, parent: etree.Element, run: Callable[[], None]) -> None:
    """Run a list processor and mark the `<li>` it created as (pending) fragments."""
    sibling = proc.lastChild(parent)
    if sibling is not None and sibling.tag in proc.SIBLING_TAGS:
        lst, before = sibling, len(sibling)
    elif parent.tag in ("ol", "ul"):
        lst, before = parent, len(parent)
    else:
        lst, before = None, 0
    run()
    lst = lst if lst is not None else proc.lastChild(parent)
    for li in list(lst)[before:] if lst is not None else []:
        li.set(_PENDING, "1")


class _SlideTreeprocessor(Treeprocessor):
    """Fragments numbering, Marp heading slugs, Marp image keywords."""

    def __init__(self, md: markdown.Markdown, state: _State):
        super().__init__(md)
        self.state = state

    def run(self, root: etree.Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        for el in list(root.iter()):
            if el.get(_PENDING):
                del el.attrib[_PENDING]
                self.state.fragments += 1
                el.set(FRAGMENT_ATTR, str(self.state.fragments))
            elif el.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and "id" not in el.attrib:
                text = unescape(self._unstash("".join(el.itertext())))
                el.set("id", self.state.slugger.slug(text))
            elif el.tag == "img":
                self._image(el, parents)

    def _unstash(self, text: str) -> str:
        """Heading text with inline raw HTML put back (Marp slugs `html_inline` text too)."""
        blocks = self.md.htmlStash.rawHtmlBlocks
        return _STASH_RE.sub(lambda m: str(blocks[int(m.group(1))]), text)

    def _image(self, el: etree.Element, parents: dict) -> None:
        image = self.state.image_for(el.get("src", ""))
        if image is None:
            return
        if image.background:
            self.state.backgrounds.append(image)
            parent = parents.get(el)
            if parent is not None:
                _remove_keep_tail(parent, el)
                if parent.tag == "p" and not len(parent) and not (parent.text or "").strip():
                    grand = parents.get(parent)
                    if grand is not None:
                        _remove_keep_tail(grand, parent)
            return
        el.set("alt", image.alt)
        style = image_style(image)
        if style:
            el.set("style", style)


def _remove_keep_tail(parent: etree.Element, child: etree.Element) -> None:
    """Remove `child` from `parent` without losing the text that follows it."""
    tail = (child.tail or "").strip()
    index = list(parent).index(child)
    parent.remove(child)
    if tail:
        if index:
            prev = parent[index - 1]
            prev.tail = (prev.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail


def css_filters(image: Image) -> str:
    """The CSS `filter` value for an image's Marp filter keywords."""
    return " ".join(f"{name}({value})" for name, value in image.filters.items())


class _SlideExtension(Extension):
    def __init__(self, state: _State):
        super().__init__()
        self.state = state

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.register(_FencePreprocessor(md, self.state), "diapo_fences", 27)
        md.preprocessors.register(_HtmlBlockPreprocessor(md), "diapo_html_blocks", 26)
        md.parser.blockprocessors.register(_FragmentUList(md.parser), "diapo_fragment_ul", 31)
        md.parser.blockprocessors.register(_FragmentOList(md.parser), "diapo_fragment_ol", 41)
        md.parser.blockprocessors.register(SaneUListProcessor(md.parser), "ulist", 30)
        md.parser.blockprocessors.register(SaneOListProcessor(md.parser), "olist", 40)
        md.treeprocessors.register(_SlideTreeprocessor(md, self.state), "diapo_slide", 4)


def new_markdown(extensions: list | None = None, tab_length: int = 2) -> markdown.Markdown:
    """A Python-Markdown instance with the extensions Marp decks rely on.

    `tab_length=2` nests lists indented by two spaces, as CommonMark (and so Marp) does.
    """
    return markdown.Markdown(
        # as marp-core's markdown-it: breaks, linkify, tables, ~~strikethrough~~ (no ~sub~)
        extensions=[*(extensions or []), "md_in_html", "attr_list", "tables", "nl2br",
                    "pymdownx.magiclink", "pymdownx.tilde"],
        extension_configs={"pymdownx.tilde": {"subscript": False}},
        tab_length=tab_length,
        output_format="html",
    )


class SlideRenderer:
    """Renders the slides of one deck (one Markdown instance, deck-wide heading slugs)."""

    def __init__(self, deck: Deck):
        self.deck = deck
        self._state = _State(Slugger(len(deck.slides)))
        self._md = new_markdown([_SlideExtension(self._state)])
        self._inline_md = new_markdown()
        self._inline_cache: dict[str, str] = {}

    def render(self, slide: Slide,
               decorate: Callable[[Fence | None, str], str] | None = None) -> RenderedSlide:
        """HTML of `slide`'s content; `decorate(fence, code_html)` may wrap each code block."""
        content, styles = extract_styles(slide.content)
        self._md.reset()
        self._state.reset(slide, decorate)
        body = self._md.convert(content)
        return RenderedSlide(body, list(self._state.backgrounds), styles, self._state.fragments)

    def inline(self, text: str) -> str:
        """A header / footer directive: inline Markdown, HTML allowed (as Marp renders it)."""
        text = str(text)
        if text in self._inline_cache:
            return self._inline_cache[text]
        self._inline_md.reset()
        out = self._inline_md.convert(str(text)).strip()
        if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
            out = out[3:-4]
        self._inline_cache[text] = out
        return out


def extract_styles(content: str) -> tuple[str, list[tuple[str, bool]]]:
    """Take `<style>` / `<style scoped>` blocks out of a slide (not those shown in code)."""
    lines = content.split("\n")
    fenced = set()
    for start, end, _info, _text in scan_fences(lines):
        fenced.update(range(start, end + 1))
    styles: list[tuple[str, bool]] = []
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1

    def line_of(index: int) -> int:
        return max(i for i, off in enumerate(offsets) if off <= index)

    def keep(match: re.Match[str]) -> str:
        if line_of(match.start()) in fenced:
            return match.group(0)
        styles.append((match.group(2), bool(match.group(1))))
        return ""

    return _STYLE_RE.sub(keep, content), styles


def escape(text: str) -> str:
    """HTML-escape text for element content and attribute values."""
    return html.escape(str(text), quote=True)
