"""Emoji shortcodes (`:rocket:`) as marp-core shows them, offline.

marp-core turns shortcodes (GitHub's gemoji names, through markdown-it-emoji) into Twemoji
images from a CDN, 1em square. diapo draws the same emoji, 1em square and placed like Marp's
image, with the platform's colour emoji font: nothing is fetched from the network. The names are
pymdown-extensions' gemoji index, on slides and reading pages alike.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from pymdownx import gemoji_db

SHORTCODE = re.compile(r":[a-z0-9_+\-]+:")
CLASS = "diapo-emoji"


@lru_cache(maxsize=4096)
def character(shortcode: str) -> str | None:
    """The emoji of `:name:` (None when the name is unknown)."""
    name = gemoji_db.aliases.get(shortcode, shortcode)
    entry = gemoji_db.emoji.get(name)
    if entry is None:
        return None
    code = entry.get("unicode_alt") or entry["unicode"]
    return "".join(chr(int(part, 16)) for part in code.split("-"))


def span(shortcode: str, char: str) -> str:
    """The HTML of one emoji (an image of text: its name is its accessible label)."""
    return (f'<span class="{CLASS}" role="img" aria-label="{html.escape(shortcode)}">'
            f"{char}</span>")


def replace(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_html) parts, known shortcodes as emoji HTML."""
    parts: list[tuple[str, bool]] = []
    last = 0
    for match in SHORTCODE.finditer(text):
        char = character(match.group(0))
        if char is None:
            continue
        if match.start() > last:
            parts.append((text[last:match.start()], False))
        parts.append((span(match.group(0), char), True))
        last = match.end()
    if last < len(text):
        parts.append((text[last:], False))
    return parts


def generator(index, shortname, alias, uc, alt, title, category, options, md):  # noqa: ANN001, ANN201
    """pymdownx.emoji generator for reading pages: the same emoji HTML as on the slides."""
    char = character(shortname) or alt
    return md.htmlStash.store(span(shortname, char))
