"""Markdown images and the Marp keywords of their alt text (sizes, backgrounds, filters)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from markdown_it.common.utils import normalizeReference

from diapo.deck import comments, inline
from diapo.deck.blocks import Block
from diapo.deck.model import Image, Reference
from diapo.errors import at

# The repeats are possessive (`*+`, `++`): each item starts with a different character from
# what may follow the repeat, so backtracking into it never finds another match; without it
# the engine steps through the alt text and URL one character at a time.
_ALT = r"!\[((?:[^\[\]\\]++|\\.|\[(?:[^\[\]\\]++|\\.)*+\])*+)\]"
# An image: inline (groups 1-3: alt, destination, title) or by reference (groups 4-5: alt and
# label: `![alt][label]`; `![alt][]` and `![alt]` use the alt text as label).
_INLINE = (
    _ALT + r"\(\s*(<[^>\n]*>|(?:[^\s()\\]++|\\.|\((?:[^\s()\\]++|\\.)*+\))*+)"
    r"(?:\s+(\"(?:[^\"\\]++|\\.)*+\"|'(?:[^'\\]++|\\.)*+'|\((?:[^()\\]++|\\.)*+\)))?\s*\)")
# (markdown-it tries no reference once `(` follows the alt text.)
IMAGE = re.compile(_INLINE + "|" + _ALT + r"(?!\()(?:\[((?:[^\[\]\\]++|\\.)*+)\])?")
_INLINE_IMAGE = re.compile(_INLINE)  # the same groups 1-3: for decks without definitions
_LENGTH = r"((?:\d*\.)?\d+(?:%|ch|cm|em|ex|in|mm|pc|pt|px)?|auto)"
_WIDTH = re.compile(rf"w(?:idth)?:{_LENGTH}$")
_HEIGHT = re.compile(rf"h(?:eight)?:{_LENGTH}$")
_PERCENT = re.compile(r"(\d*\.)?\d+%$")
_SPLIT = re.compile(r"(left|right)(?::((?:\d*\.)?\d+%))?$")
_NUMBER = re.compile(r"(\d*\.)?\d+$")
# CSS filters and the argument Marp uses when none is given.
FILTER_DEFAULTS = {
    "blur": "10px", "brightness": "1.5", "contrast": "2", "drop-shadow": "0 5px 10px rgba(0,0,0,.4)",
    "grayscale": "1", "hue-rotate": "180deg", "invert": "1", "opacity": ".5", "saturate": "2",
    "sepia": "1",
}
_FILTER = re.compile(r"(" + "|".join(re.escape(k) for k in FILTER_DEFAULTS) + r")(?::(.+))?$")
_DROP_SHADOW = re.compile(r"(.+?),(.+?)(?:,(.+?))?(?:,(.+?))?$")  # marpit's drop-shadow args
BG_SIZES = {"auto": "auto", "contain": "contain", "cover": "cover", "fit": "contain"}


def _length(value: str) -> str:
    return value + "px" if _NUMBER.match(value) else value


def _filter_value(name: str, arg: str | None) -> str:
    if not arg:
        return FILTER_DEFAULTS[name]
    if name == "drop-shadow":
        m = _DROP_SHADOW.match(arg)
        return " ".join(a for a in m.groups() if a) if m else FILTER_DEFAULTS[name]
    return arg


def parse_alt(src: str, alt: str, location, title: str | None = None) -> Image:
    """An `Image` from its alt text, Marp keywords consumed as marpit's image plugins do."""
    image = Image(src=src, alt="", location=location, title=title)
    kept: list[str] = []  # the words that are not keywords: the alt text, in order
    for word in alt.split():
        if _PERCENT.match(word):
            image.size = word
        elif m := _WIDTH.match(word):
            image.width = _length(m.group(1))
        elif m := _HEIGHT.match(word):
            image.height = _length(m.group(1))
        elif (m := _FILTER.match(word)) and (
                m.group(1) != "drop-shadow" or not m.group(2) or _DROP_SHADOW.match(m.group(2))):
            image.filters[m.group(1)] = _filter_value(m.group(1), m.group(2))
        else:
            kept.append(word)
    if "bg" in kept:  # the background keywords count only then, among the words left
        image.background = True
        words, kept = kept, []
        for word in words:
            if word == "bg":
                continue
            if word in BG_SIZES:
                image.size = BG_SIZES[word]
            elif m := _SPLIT.match(word):
                image.split, image.split_size = m.group(1), m.group(2)
            elif word in ("vertical", "horizontal"):
                image.vertical = word == "vertical"
            else:
                kept.append(word)
    image.alt = " ".join(kept)
    return image


def _unquote(title: str | None) -> str | None:
    return title[1:-1] if title else None


def find(blocks: list[Block], path: str,
         references: Mapping[str, Reference] | None = None) -> list[Image]:
    """The images of the paragraphs, headings and tables among `blocks`, in order
    (`references`: the deck's link reference definitions, for `![alt][label]`)."""
    images: list[Image] = []
    for block in blocks:
        if block.kind in inline.INLINE_KINDS and inline.contains(block, "!["):
            _collect(inline.text_of(block), block.start, path, images, references or {})
    return images


def matches(text: str, references: Mapping[str, Reference]
            ) -> Iterator[tuple[re.Match[str], str, str | None]]:
    """The images of inline `text` where markdown-it finds them: (match, src, title).

    A reference image whose label has no definition is not one (markdown-it reads text), and
    none is inside an inline comment (the comments the parser finds: the reading page
    removes the same ones before pairing its images with these)."""
    if not references:  # the usual deck: inline images only
        for m in inline.scan(text, _INLINE_IMAGE, "](", opaque=comments.MATCHER):
            yield m, _destination(m.group(2)), _unquote(m.group(3))
        return

    def defined(m: re.Match[str]) -> bool:
        return m.group(2) is not None or _label(m) in references

    for m in inline.scan(text, IMAGE, "![", accept=defined, opaque=comments.MATCHER):
        if m.group(2) is not None:
            yield m, _destination(m.group(2)), _unquote(m.group(3))
        else:
            reference = references[_label(m)]
            yield m, reference.url, reference.title


def _destination(src: str) -> str:
    return src[1:-1] if src.startswith("<") and src.endswith(">") else src


def _label(m: re.Match[str]) -> str:
    """The normalized label of an image by reference (`![alt][]` and `![alt]`: the alt)."""
    return normalizeReference(m.group(5) or m.group(4))


def _collect(text: str, first_line: int, path: str, images: list[Image],
             references: Mapping[str, Reference], nested: bool = False) -> None:
    """Images of `text` (whose first line is the 0-based `first_line`), nested ones (in an
    alt text) after their parent, in markdown-it's token order."""
    for m, src, title in matches(text, references):
        alt_group = 1 if m.group(2) is not None else 4
        alt = m.group(alt_group)
        line = first_line + text.count("\n", 0, m.start())
        image = parse_alt(src, alt, at(path, line + 1), title)
        image.nested = nested
        images.append(image)
        if "![" in alt:
            _collect(alt, first_line + text.count("\n", 0, m.start(alt_group)), path, images,
                     references, nested=True)
