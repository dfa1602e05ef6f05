"""What the site needs to know about a deck's Markdown, read with markdown-it as Marp reads it.

For every slide: its headings (with marp-core's ids), every link and image target with its source
line (Markdown links and images, `href`/`src` in inline or block HTML), the HTML blocks that
open a container with Markdown inside (CommonMark: an opening tag alone before a blank line), and
the block tags left open at the end of the slide. Built once per deck and cached with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from markdown_it import MarkdownIt
from markdown_it.token import Token

from diapo.deck.model import Deck, Slide
from diapo.errors import Location
from diapo.site import math
from diapo.site.slugs import Slugger, inline_text, take_fit

_MD = math.use(MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]))
# Block structure only: inline content is parsed on demand (headings, text with links, HTML
# or math).
_BLOCKS = math.use(MarkdownIt("commonmark", {"html": True}).enable("table").disable("inline"))

# `href` / `src` of the HTML elements that point at another document or a media file.
_HTML_URL = re.compile(
    r"<(?P<tag>a|img|source|video|audio|iframe|embed|track)\b[^>]*?\s(?P<attr>href|src)\s*=\s*"
    r"(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)')",
    re.IGNORECASE,
)
# Characters that make markdown-it's inline parse of a heading differ from its plain text
# (emphasis, code, links, images, HTML, entities, escapes, strikethrough, line breaks).
_INLINE_SYNTAX = re.compile(r"[\n!&*<\[\\\]_`~]")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# An opening block tag alone on its line (possibly followed by the blank line that ends it).
_OPENER = re.compile(r"\s{0,3}<(?P<tag>[A-Za-z][A-Za-z0-9-]*)(?P<attrs>(?:\s[^<>]*)?)>\s*$")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)\b[^<>]*?(/?)>")
_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
CONTAINERS = frozenset(
    "address article aside blockquote center details dialog div dl fieldset figure footer form "
    "header main nav section table ul ol".split()
)


@dataclass(frozen=True)
class Heading:
    """A heading of a slide: 1-based source line, level, inline text and marp-core id."""

    line: int
    level: int
    text: str  # text marp-core slugs (inline HTML tags included)
    slug: str
    setext: bool = False
    title: str = ""  # plain text for tables of contents (no HTML)


@dataclass(frozen=True)
class Link:
    """A link or image target as written (percent-decoded by markdown-it's rules)."""

    url: str
    location: Location
    image: bool  # an image (Markdown image or <img>/<source>/... src)
    html: bool  # written in raw HTML (not touched by MkDocs' link rewriting)


@dataclass(frozen=True)
class Formula:
    """A `$…$` or `$$…$$` formula of a slide, with its TeX and source line."""

    tex: str
    display: bool
    location: Location


@dataclass
class SlideScan:
    """The scan of one slide."""

    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    formulas: list[Formula] = field(default_factory=list)
    openers: set[int] = field(default_factory=set)  # lines of `<div ...>` with Markdown inside
    unclosed: list[str] = field(default_factory=list)  # block tags still open at the end


@dataclass
class DeckScan:
    """The scan of a deck: one `SlideScan` per slide, plus links in header/footer directives."""

    slides: list[SlideScan]
    directive_links: list[Link]

    @cached_property
    def slugs(self) -> frozenset[str]:
        """Every heading id of the deck."""
        return frozenset(h.slug for s in self.slides for h in s.headings)


def scan_deck(deck: Deck) -> DeckScan:
    """Scan every slide of `deck` (headings are slugged across the whole deck, as Marp does)."""
    slugger = Slugger(len(deck.slides))
    path = _deck_path(deck)
    slides = [_scan_slide(slide, path, slugger) for slide in deck.slides]
    return DeckScan(slides=slides, directive_links=_directive_links(deck, path))


def _deck_path(deck: Deck) -> str:
    """The path errors name for this deck: the one the parser was given."""
    if deck.slides:
        return deck.slides[0].location.path
    return str(deck.path)


def _scan_slide(slide: Slide, path: str, slugger: Slugger) -> SlideScan:
    lines = slide.source.splitlines()
    first = slide.location.line
    result = SlideScan()
    env: dict = {}
    tokens = _BLOCKS.parse(slide.source, env)
    open_tags: list[str] = []
    for index, token in enumerate(tokens):
        if token.type != "inline":
            continue
        heading = tokens[index - 1].type == "heading_open"
        if heading and not _INLINE_SYNTAX.search(token.content):
            token.children = [Token("text", "", 0, content=token.content)]  # what inline gives
        elif heading or "[" in token.content or "<" in token.content or "$" in token.content:
            token.children = []
            _MD.inline.parse(token.content, _MD, env, token.children)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            inline = tokens[index + 1]
            take_fit(inline)
            text = inline_text(inline.children)
            result.headings.append(Heading(
                line=first + token.map[0], level=int(token.tag[1]), text=text,
                slug=slugger.slug(text), setext=token.markup in ("=", "-"),
                title=inline_text(inline.children, html=False).strip(),
            ))
        elif token.type == "inline" and token.map and token.children:
            result.links.extend(_inline_links(token, lines, first, path))
            result.formulas.extend(
                Formula(child.content, False, Location(path, first + _find_line(
                    [child.content], lines, token.map[0], token.map[1])))
                for child in token.children if child.type == "math_inline")
        elif token.type == "math_block" and token.map:
            result.formulas.append(Formula(token.content, True,
                                           Location(path, first + token.map[0])))
        elif token.type == "html_block" and token.map:
            block_first = first + token.map[0]
            content = _blank_comments(token.content)
            result.links.extend(_html_links(content, block_first, path))
            if _is_opener(content):
                result.openers.add(block_first)
            _track_tags(content, open_tags)
    result.unclosed = [tag for tag in reversed(open_tags)]
    return result


def _blank_comments(text: str) -> str:
    """`text` with HTML comments replaced by as many newlines (lines keep their numbers)."""
    return _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def _is_opener(content: str) -> bool:
    """True for an HTML block that is only an opening container tag (Markdown follows)."""
    match = _OPENER.match(content.rstrip("\n"))
    return bool(
        match
        and "\n" not in content.rstrip("\n")
        and match.group("tag").lower() in CONTAINERS
        and "markdown" not in match.group("attrs").lower()
    )


def _track_tags(content: str, stack: list[str]) -> None:
    """Follow opening and closing container tags of an HTML block on `stack`."""
    for closing, name, self_closing in _TAG.findall(content):
        name = name.lower()
        if name not in CONTAINERS or name in _VOID or self_closing:
            continue
        if not closing:
            stack.append(name)
        elif name in stack:
            while stack and stack.pop() != name:
                pass


def _find_line(candidates: list[str], lines: list[str], start: int, end: int) -> int:
    """0-based index of the first line in [start, end) containing a candidate, else start."""
    for number in range(start, min(end, len(lines))):
        if any(c and c in lines[number] for c in candidates):
            return number
    return start


def _inline_links(inline: Token, lines: list[str], first: int, path: str) -> list[Link]:
    from urllib.parse import unquote

    start, end = inline.map  # type: ignore[misc]  # inline tokens always carry their lines
    links = []
    for child in inline.children or ():
        if child.type in ("link_open", "image"):
            attr = "href" if child.type == "link_open" else "src"
            url = str(child.attrs.get(attr, ""))
            if child.markup == "autolink" or child.info == "auto":
                continue  # <https://...>: always external
            decoded = unquote(url)
            line = _find_line([url, decoded], lines, start, end)
            links.append(Link(decoded, Location(path, first + line), child.type == "image", False))
        elif child.type == "html_inline":
            line = _find_line([child.content], lines, start, end)
            links.extend(_html_links(_blank_comments(child.content), first + line, path))
    return links


def _html_links(content: str, first_line: int, path: str) -> list[Link]:
    """Targets of `href`/`src` attributes in raw HTML starting at `first_line`."""
    from html import unescape

    links = []
    for match in _HTML_URL.finditer(content):
        url = unescape(match.group("dq") if match.group("dq") is not None else match.group("sq"))
        line = first_line + content.count("\n", 0, match.start())
        image = match.group("attr").lower() == "src"
        links.append(Link(url, Location(path, line), image, True))
    return links


def _directive_links(deck: Deck, path: str) -> list[Link]:
    """Links in `header` / `footer` directives (global or per slide), located in the source."""
    values: list[str] = []
    for directives in (deck.directives, *(s.directives for s in deck.slides)):
        for key in ("header", "footer", "_header", "_footer"):
            value = directives.get(key)
            if isinstance(value, str) and value not in values:
                values.append(value)
    source_lines = deck.source.splitlines()
    links: list[Link] = []
    seen: set[tuple[str, int]] = set()
    for value in values:
        found = _html_links(value, 0, path)
        for child in _MD.parseInline(value)[0].children or ():
            if child.type in ("link_open", "image"):
                url = str(child.attrs.get("href" if child.type == "link_open" else "src", ""))
                found.append(Link(url, Location(path, 0), child.type == "image", True))
        for link in found:
            line = _find_line([link.url], source_lines, 0, len(source_lines)) + 1
            if (link.url, line) not in seen:
                seen.add((link.url, line))
                links.append(Link(link.url, Location(path, line), link.image, True))
    return links
