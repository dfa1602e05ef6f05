"""What the site needs to know about a deck's Markdown, read from the deck's own parse.

For every slide: its headings (with marp-core's ids), every link and image target with its source
line (Markdown links and images, `href`/`src` in inline or block HTML), the HTML blocks that
open a container with Markdown inside (CommonMark: an opening tag alone before a blank line), and
the block tags left open at the end of the slide. Built once per deck and cached with it.

The block structure is the deck parser's (`Slide.blocks`, one scan of the deck); markdown-it
parses only inline text here, as marp-core's would, and the TeX of `$$` blocks (its maths rule,
`math.display_block`). The reference definitions (`[x]: url`) that the deck's scanner leaves
in a paragraph are found by markdown-it's block rule, run on the paragraphs that may hold them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from html import unescape
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkDestination
from markdown_it.token import Token

from diapo.deck import comments
from diapo.deck.blocks import HEADING, HTML, MATH, PARA, TABLE, Block, split_cells
from diapo.deck.model import Deck, Slide
from diapo.errors import Location
from diapo.site import math, references
from diapo.site.slugs import Slugger, inline_text, take_fit

# `store_labels`: a reference link's token names its label (its URL is written elsewhere).
_MD = math.use(MarkdownIt("commonmark", {"html": True, "store_labels": True})
               .enable(["table", "strikethrough"]))
# Block rules run on a block's lines alone: reference definitions, which the deck's scanner
# leaves in paragraphs, and `$$` blocks' TeX; inline content is parsed on demand.
_BLOCKS = math.use(MarkdownIt("commonmark", {"html": True}).disable("inline"))
_BLOCK_SYNTAX = re.compile(r"\A\[(?:\\.|[^\]\\])*\]:")
# Inline text that may hold a link, an image, raw HTML or a formula.
_MAY_LINK = re.compile(r"[\[<$]")

# `href` / `src` of the HTML elements that point at another document or a media file.
_HTML_URL = re.compile(
    r"<(?P<tag>a|img|source|video|audio|iframe|embed|track)\b[^>]*?\s(?P<attr>href|src)\s*=\s*"
    r"(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)')",
    re.IGNORECASE,
)
# Characters that make markdown-it's inline parse of a heading differ from its plain text
# (emphasis, code, links, images, HTML, entities, escapes, strikethrough, line breaks).
_INLINE_SYNTAX = re.compile(r"[\n!&*<\[\\\]_`~]")
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
    defined = references.env(deck)
    slides = [_scan_slide(slide, path, slugger, defined) for slide in deck.slides]
    return DeckScan(slides=slides, directive_links=_directive_links(deck, path))


def _deck_path(deck: Deck) -> str:
    """The path errors name for this deck: the one the parser was given."""
    if deck.slides:
        return deck.slides[0].location.path
    return str(deck.path)


def _scan_slide(slide: Slide, path: str, slugger: Slugger,
                defined: dict[str, dict]) -> SlideScan:
    """Read the slide's blocks from the deck's block scan; only inline text is parsed here
    (`defined`: the deck's link reference definitions, in markdown-it's form)."""
    reader = _SlideReader(path, defined)
    units = [unit for block in slide.blocks for unit in reader.units(block)]
    for unit in units:  # once every reference definition of the slide is known
        reader.read(unit, slugger)
    reader.result.unclosed = list(reversed(reader.open_tags))
    return reader.result


@dataclass
class _Unit:
    """Inline text of a block (a heading, a paragraph, a table cell), a `$$` formula or an
    HTML block."""

    content: str
    start: int  # 0-based deck line of its first line
    level: int = 0  # a heading's level (0: not a heading)
    display_math: bool = False
    html: bool = False


class _SlideReader:
    """Turns a slide's blocks into its scan: headings, links, formulas, HTML containers."""

    def __init__(self, path: str, defined: dict[str, dict]) -> None:
        self.path = path
        # Reference definitions, shared by the slide's inline parses: the deck's, and those
        # spread over several lines in this slide's paragraphs.
        self.env: dict = {"references": dict(defined)}
        self.result = SlideScan()
        self.open_tags: list[str] = []

    def units(self, block: Block) -> Iterator[_Unit]:
        """What `read` takes from `block`, in source order."""
        kind = block.kind
        if kind in (HEADING, PARA):
            content = _inline_content(block)
            if (kind == PARA or block.marker) and _BLOCK_SYNTAX.search(content):  # not ATX
                yield from self._paragraph_blocks(block)
            else:
                yield _Unit(content, block.start, level=block.level)
        elif kind == TABLE:
            columns = len(split_cells(block.lines[0].strip()))
            for row in range(len(block.lines)):
                if row != 1:  # the delimiter row
                    cells = split_cells(block.lines[row].strip())[:columns]
                    line = block.start + row
                    yield from (_Unit(cell.strip(), line) for cell in cells)
        elif kind == HTML:
            yield _Unit(_blank_comments("\n".join(block.lines) + "\n"), block.start, html=True)
        elif kind == MATH:
            yield from self._paragraph_blocks(block)  # its formula, as markdown-it reads it

    def _paragraph_blocks(self, block: Block) -> Iterator[_Unit]:
        """A `$$` block, or a paragraph (or setext heading) that may hold reference
        definitions spread over lines: markdown-it's block rules for these. The block's lines
        are parsed alone, out of their containers: only the formulas and definitions count,
        the rest stays the block's text (and its last part the heading, for a setext
        heading)."""
        units = []
        for token in _BLOCKS.parse("\n".join(block.lines), self.env):
            if token.map is None:
                continue
            start = block.start + token.map[0]
            if token.type == "math_block":
                units.append(_Unit(token.content, start, display_math=True))
            elif token.type == "inline":
                units.append(_Unit(token.content, start))
        if block.level and units and not units[-1].display_math:
            units[-1].level = block.level
        return iter(units)

    def read(self, unit: _Unit, slugger: Slugger) -> None:
        """Headings, links and formulas of one unit."""
        result = self.result
        if unit.html:
            result.links.extend(_html_links(unit.content, unit.start + 1, self.path))
            if _is_opener(unit.content):
                result.openers.add(unit.start + 1)
            _track_tags(unit.content, self.open_tags)
            return
        if unit.display_math:
            result.formulas.append(Formula(unit.content, True, Location(self.path, unit.start + 1)))
            return
        if unit.level and not _INLINE_SYNTAX.search(unit.content):
            children = [Token("text", "", 0, content=unit.content)]  # what inline gives
        elif unit.level or _MAY_LINK.search(unit.content):
            children = []
            _MD.inline.parse(unit.content, _MD, self.env, children)
        else:
            return
        if unit.level:
            inline = Token("inline", "", 0, content=unit.content, children=children)
            take_fit(inline)
            text = inline_text(inline.children)
            result.headings.append(Heading(
                line=unit.start + 1, level=unit.level, text=text, slug=slugger.slug(text),
                title=inline_text(inline.children, html=False).strip(),
            ))
            children = inline.children or []
        self._inline_places(children, _Locator(unit.content, unit.start + 1))

    def _inline_places(self, children: list[Token], locate: _Locator) -> None:
        """Links, images and formulas of a unit's inline tokens, with their lines."""
        links: list[Link] = []
        open_links: list[tuple[int, Token]] = []  # a link's URL comes after its text's tokens
        for child in children:
            if child.type == "link_open":
                open_links.append((len(links), child))
                links.append(_PENDING)  # keeps the links in token order
            elif child.type == "link_close" and open_links:
                index, link_open = open_links.pop()
                links[index] = self._link(link_open, locate)
            elif child.type == "image":
                links.append(self._link(child, locate))
            elif child.type == "html_inline":
                links.extend(_html_links(_blank_comments(child.content),
                                         locate.text(child.content), self.path))
            elif child.type == "math_inline":
                line = locate.text(f"${child.content}$")
                self.result.formulas.append(Formula(child.content, False,
                                                    Location(self.path, line)))
        self.result.links.extend(link for link in links if link is not _PENDING)

    def _link(self, token: Token, locate: _Locator) -> Link:
        """A link's or an image's target (an autolink's is always external: `_PENDING`)."""
        if token.markup == "autolink" or token.info == "auto":
            return _PENDING  # <https://...>: always external
        url = str(token.attrs.get("href" if token.type == "link_open" else "src", ""))
        line = locate.line if "label" in (token.meta or {}) else locate.destination(url)
        return Link(unquote(url), Location(self.path, line), token.type == "image", False)


_PENDING = Link("", Location("", 0), False, False)  # a place kept for a link, or none


class _Locator:
    """Deck lines of a unit's inline tokens, found in its text in source order.

    Each search starts where the previous token was found, so the same URL twice is found on
    each of its lines, and a long paragraph is read once. A link's URL is matched where it is
    written as a destination (after `](`, read as markdown-it reads it), so a mention in the
    text does not count; a reference link is placed on the line of the token before it.
    """

    def __init__(self, content: str, line: int) -> None:
        self.content = content
        self.position = 0
        self.line = line  # deck line (1-based) of `position`
        self.missing: set[tuple[str, bool]] = set()  # not after `position`, so never again

    def text(self, candidate: str) -> int:
        """The line of `candidate`, written from here on."""
        return self._move(candidate, False, self._text)

    def destination(self, url: str) -> int:
        """The line of the link destination that markdown-it reads as `url`, from here on."""
        return self._move(url, True, self._destination)

    def _move(self, candidate: str, destination: bool, search: Callable[[str], int]) -> int:
        key = (candidate, destination)
        if candidate and key not in self.missing:
            index = search(candidate)
            if index < 0:
                self.missing.add(key)
            else:
                self.line += self.content.count("\n", self.position, index)
                self.position = index + 1  # the next token is further on
        return self.line

    def _text(self, candidate: str) -> int:
        return self.content.find(candidate, self.position)

    def _destination(self, url: str) -> int:
        content, end = self.content, len(self.content)
        bracket = content.find("](", self.position)
        while bracket >= 0:
            start = bracket + 2
            while start < end and content[start] in " \t\n":
                start += 1
            parsed = parseLinkDestination(content, start, end)
            if parsed.ok and _MD.normalizeLink(parsed.str) == url:
                return start
            bracket = content.find("](", bracket + 1)
        return -1


def _inline_content(block: Block) -> str:
    """The inline text markdown-it gives a heading or paragraph block."""
    return "\n".join(block.lines).strip()


def _blank_comments(text: str) -> str:
    """`text` with HTML comments replaced by as many newlines (lines keep their numbers)."""
    return comments.MATCHER.sub(lambda m: "\n" * m.group(0).count("\n"), text)


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


def _find_line(candidate: str, lines: list[str]) -> int:
    """0-based index of the first line containing `candidate`, else 0."""
    return next((number for number, line in enumerate(lines) if candidate in line), 0)


def _html_links(content: str, first_line: int, path: str) -> list[Link]:
    """Targets of `href`/`src` attributes in raw HTML starting at `first_line`."""
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
    source_lines = deck.source.split("\n")
    links: list[Link] = []
    seen: set[tuple[str, int]] = set()
    for value in values:
        found = _html_links(value, 0, path)
        for child in _MD.parseInline(value)[0].children or ():
            if child.type in ("link_open", "image"):
                url = str(child.attrs.get("href" if child.type == "link_open" else "src", ""))
                found.append(Link(url, Location(path, 0), child.type == "image", True))
        for link in found:
            line = _find_line(link.url, source_lines) + 1
            if (link.url, line) not in seen:
                seen.add((link.url, line))
                links.append(Link(link.url, Location(path, line), link.image, True))
    return links
