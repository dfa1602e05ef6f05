"""Render one slide's Markdown to the HTML Marp would put in its `<section>`.

The parser is markdown-it (markdown-it-py), configured like marp-core's (CommonMark, HTML
allowed, `breaks`, tables, strikethrough), so block HTML such as `<div class="left">` followed
by a blank line and Markdown renders as in Marp. A few passes over its tokens do what Marpit's
plugins do on a slide:

- fenced code is highlighted with Pygments; each block is paired with the deck's `Fence` that
  opens on its line, so a caller can decorate demo blocks (badges);
- items of `*` bullets and `1)` ordered lists are fragments: `data-marpit-fragment="N"`
  (N counts the slide's fragments in document order);
- headings get marp-core's slugs (`diapo.site.slugs`: Unicode kept, `-1`, `-2` for
  duplicates across the deck);
- Markdown images carry Marp keywords in their alt text (parsed by the deck parser into
  `Image`): sizes and filters become styles, `bg` images leave the flow and are returned as
  the slide's backgrounds;
- `<style>` / `<style scoped>` blocks are taken out and returned for the caller to scope
  (an HTML block opening with `<style`, whatever its other attributes, as Marpit takes it);
- a heading holding `<!-- fit -->` is marked to be scaled to the slide's width (the
  presentation script measures it, as marp-core's fitting header does).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

from diapo.deck.blocks import STYLE_OPENING
from diapo.deck.model import Deck, Fence, Image, Slide
from diapo.site import emoji, math, references
from diapo.site.image_style import image_style
from diapo.site.slugs import Slugger, inline_text, take_fit

FRAGMENT_ATTR = "data-marpit-fragment"
FIT_ATTR = "data-diapo-fit"  # a `<!-- fit -->` heading
# Marpit's `<style>` blocks: an HTML block opening with `<style` is taken whole (even unclosed);
# its CSS is the first element's, `scoped` if that word is among its attributes.
STYLE_ELEMENT = re.compile(r"<style([\s\S]*?)>([\s\S]*?)</style>", re.I)
_SCOPED = re.compile(r"\bscoped\b", re.I)
_FRAGMENTED_MARKUP = {"bullet_list_open": "*", "ordered_list_open": ")"}

Decorate = Callable[[Fence | None, str], str]


@lru_cache(maxsize=1024)
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


@lru_cache(maxsize=8)
def pygments_css(scope: str) -> str:
    """Stylesheet for the highlighted code blocks, limited to `scope`."""
    return HtmlFormatter(style="friendly").get_style_defs(f"{scope} .highlight")


def new_markdown() -> MarkdownIt:
    """markdown-it as marp-core sets it up: CommonMark, HTML, breaks, tables, ~~strike~~,
    `$…$` / `$$…$$` math (as MathML) and emoji shortcodes."""
    md = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable(
        ["table", "strikethrough"])
    math.use(md)
    md.add_render_rule("math_inline", lambda self, tokens, idx, options, env: math.mathml(
        tokens[idx].content))
    md.add_render_rule("math_block", lambda self, tokens, idx, options, env: math.mathml(
        tokens[idx].content, display=True) + "\n")
    md.core.ruler.push("diapo_emoji", _emoji_rule)
    return md


def _emoji_rule(state: StateCore) -> None:
    """markdown-it core rule: `:shortcode:` and emoji characters in text become emoji HTML
    (as marp-core's markdown-it-emoji and Twemoji)."""
    for token in state.tokens:
        if token.type != "inline" or not token.children or token.content.isascii() and (
                ":" not in token.content):
            continue
        children: list[Token] = []
        for child in token.children:
            if child.type != "text" or child.content.isascii() and ":" not in child.content:
                children.append(child)
                continue
            for piece, is_html in emoji.replace(child.content):
                children.append(Token("html_inline" if is_html else "text", "", 0,
                                      content=piece))
        token.children = children


@dataclass
class RenderedSlide:
    """What `SlideRenderer.render` produces for one slide."""

    html: str  # the section's inner HTML (without header / footer)
    backgrounds: list[Image] = field(default_factory=list)
    styles: list[tuple[str, bool]] = field(default_factory=list)  # (css, scoped)
    fragments: int = 0


class _Matcher:
    """Finds the deck parser's Fence / Image objects of what markdown-it found, by position.

    markdown-it parses the slide's `content`, whose lines `Slide.source_line` places in the
    deck, where the parser recorded each fence's and image's line.
    """

    def __init__(self, slide: Slide):
        self.slide = slide
        self.fences = {fence.location.line: fence for fence in slide.fences if fence.shown}
        # markdown-it draws an image nested in another's alt text as text: never a token.
        self.images = [image for image in slide.images if not image.nested]
        self.length = slide.content.count("\n")  # lines of `content`

    def fence(self, token: Token) -> Fence | None:
        """The Fence that opens on the fence token's first line."""
        return self.fences.get(self.slide.source_line(token.map[0])) if token.map else None

    def image(self, src: str, inline: Token) -> Image | None:
        """The next image of `src` on the deck lines of an inline token (from its first line
        to the line before the next content line: what comes between was cut)."""
        if not inline.map:
            return None
        first = self.slide.source_line(inline.map[0])
        end = inline.map[1]
        last = self.slide.source_line(end) - 1 if end < self.length else self.slide.end_line
        for k, image in enumerate(self.images):
            if first <= image.location.line <= last and unquote(image.src) == unquote(src):
                return self.images.pop(k)
        return None


class SlideRenderer:
    """Renders the slides of one deck (one parser, deck-wide heading slugs)."""

    def __init__(self, deck: Deck, href: Callable[[str], str | None] | None = None):
        """`href(url)`: the URL a link is given instead of `url` (None keeps it)."""
        self.deck = deck
        self._href = href
        self._slugger = Slugger(len(deck.slides))
        self._md = new_markdown()
        self._md.add_render_rule("fence", _render_fence)
        self._inline_cache: dict[str, str] = {}
        self._references = references.env(deck)

    def render(self, slide: Slide, decorate: Decorate | None = None) -> RenderedSlide:
        """HTML of `slide`'s content; `decorate(fence, code_html)` may wrap each code block."""
        env = {"matcher": _Matcher(slide), "decorate": decorate,
               "references": dict(self._references)}
        tokens = self._md.parse(slide.content, env)
        styles = _take_styles(tokens)
        fragments = _number_fragments(tokens)
        backgrounds: list[Image] = []
        for i, token in enumerate(tokens):
            if token.type == "heading_open" and not token.attrGet("id"):
                fitted = take_fit(tokens[i + 1])
                token.attrSet("id", self._slugger.slug(inline_text(tokens[i + 1].children)))
                if fitted:
                    _fit_heading(token, tokens[i + 1])
            elif token.type == "inline" and token.children:
                backgrounds += _images(token, env["matcher"])  # type: ignore[arg-type]
                self._links(token.children)
        tokens = _drop_empty_paragraphs(tokens)
        body = self._md.renderer.render(tokens, self._md.options, env)
        return RenderedSlide(body, backgrounds, styles, fragments)

    def inline(self, text: str) -> str:
        """A header / footer directive: inline Markdown, HTML allowed (as Marp renders it)."""
        text = str(text)
        if text not in self._inline_cache:
            tokens = self._md.parseInline(text)
            for token in tokens:
                self._links(token.children or [])
            self._inline_cache[text] = self._md.renderer.render(tokens, self._md.options, {})
        return self._inline_cache[text]

    def _links(self, children: list[Token]) -> None:
        """Give Markdown links the URL the presentation view uses (`x.md` -> `x.html`)."""
        if self._href is None:
            return
        for child in children:
            if child.type == "link_open":
                new = self._href(str(child.attrGet("href") or ""))
                if new is not None:
                    child.attrSet("href", new)


def _render_fence(self, tokens: list[Token], idx: int, options, env: dict) -> str:  # noqa: ANN001
    """markdown-it render rule: Pygments, then the caller's decoration of the block."""
    token = tokens[idx]
    info = token.info.strip()
    code = highlight_code(info.split()[0] if info else "", token.content)
    decorate: Decorate | None = env.get("decorate")
    if decorate is None:
        return code
    return decorate(env["matcher"].fence(token), code)


def _fit_heading(heading: Token, inline: Token) -> None:
    """A fitting heading: its text in one line, scaled by the presentation script to the
    heading's width (as marp-core's `<!-- fit -->` does)."""
    heading.attrSet(FIT_ATTR, "")
    children = inline.children or []
    if children and children[0].type == "text":
        children[0].content = children[0].content.lstrip()
    inline.children = [Token("html_inline", "", 0, content='<span class="diapo-fit">'),
                       *children, Token("html_inline", "", 0, content="</span>")]


def _take_styles(tokens: list[Token]) -> list[tuple[str, bool]]:
    """Remove Marp's `<style>` blocks from the tokens; return their CSS (as Marpit does)."""
    styles, kept = [], []
    for token in tokens:
        if token.type == "html_block" and STYLE_OPENING.match(token.content.lstrip(" \t")):
            element = STYLE_ELEMENT.search(token.content)
            if element:
                styles.append((element.group(2).strip(), bool(_SCOPED.search(element.group(1)))))
        else:
            kept.append(token)
    tokens[:] = kept
    return styles


def _number_fragments(tokens: list[Token]) -> int:
    """Mark the items of fragmented lists (`*`, `1)`) with Marp's fragment numbers."""
    stack: list[bool] = []
    count = 0
    for token in tokens:
        if token.type in ("bullet_list_open", "ordered_list_open"):
            stack.append(token.markup == _FRAGMENTED_MARKUP[token.type])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            stack.pop()
        elif token.type == "list_item_open" and stack and stack[-1]:
            count += 1
            token.attrSet(FRAGMENT_ATTR, str(count))
    return count


def _images(inline: Token, matcher: _Matcher) -> list[Image]:
    """Apply Marp image keywords to an inline token's images; return (and remove) `bg` ones."""
    backgrounds, kept = [], []
    for child in inline.children or []:
        # an image token's src is always a string
        image = (matcher.image(str(child.attrGet("src") or ""), inline)
                 if child.type == "image" else None)
        if image is None:
            kept.append(child)
        elif image.background:
            backgrounds.append(image)
        else:
            child.children = [Token("text", "", 0, content=image.alt)]
            style = image_style(image)
            if style:
                child.attrSet("style", style)
            kept.append(child)
    if backgrounds:  # as Marpit: the line breaks around background images go too
        while kept and kept[0].type in ("softbreak", "hardbreak"):
            kept.pop(0)
        kept = [c for i, c in enumerate(kept)
                if not (c.type in ("softbreak", "hardbreak") and i > 0
                        and kept[i - 1].type in ("softbreak", "hardbreak"))]
        inline.children = kept
    return backgrounds


def _drop_empty_paragraphs(tokens: list[Token]) -> list[Token]:
    """Paragraphs left empty once their background images are gone are not rendered."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if (token.type == "paragraph_open" and i + 2 < len(tokens)
                and tokens[i + 1].type == "inline" and tokens[i + 1].children is not None
                and all(c.type in ("softbreak", "hardbreak")
                        or (c.type == "text" and not c.content.strip())
                        for c in tokens[i + 1].children)  # type: ignore[union-attr]
                and tokens[i + 1].content.strip()):
            i += 3
            continue
        out.append(token)
        i += 1
    return out


def css_filters(image: Image) -> str:
    """The CSS `filter` value for an image's Marp filter keywords."""
    return " ".join(f"{name}({value})" for name, value in image.filters.items())


def escape(text: str) -> str:
    """HTML-escape text for element content and attribute values."""
    return html.escape(str(text), quote=True)
