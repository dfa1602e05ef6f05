"""Emoji shortcodes (`:rocket:`) as marp-core shows them, offline.

marp-core turns shortcodes (GitHub's gemoji names, through markdown-it-emoji) and the emoji
typed as characters into Twemoji images from a CDN, 1em square. diapo draws the same emoji, 1em square and placed like Marp's
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


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    """Shortcodes, and emoji characters drawn as emoji: those shown as emoji by default
    (pictographs, U+1F000 and up, and the few without a text form) and any with VS16 (U+FE0F);
    `©`, `→` or `✈` alone stay text, as Twemoji leaves them."""
    sequences = set()
    for entry in gemoji_db.emoji.values():
        code = entry["unicode"]
        alt = entry.get("unicode_alt")
        chars = "".join(chr(int(part, 16)) for part in (alt or code).split("-"))
        sequences.add(chars)
        if alt is None or int(code.split("-")[0], 16) >= 0x1F000:
            sequences.add("".join(chr(int(part, 16)) for part in code.split("-")))
    alternation = "|".join(re.escape(s) for s in sorted(sequences, key=len, reverse=True))
    return re.compile(f"{SHORTCODE.pattern}|{alternation}")


@lru_cache(maxsize=1)
def _first() -> re.Pattern[str]:
    """A quick test for text that may hold an emoji (most slide text holds none)."""
    starts = {chr(int(e["unicode"].split("-")[0], 16)) for e in gemoji_db.emoji.values()}
    return re.compile("[:" + "".join(re.escape(c) for c in sorted(starts)) + "]")


def span(shortcode: str, char: str) -> str:
    """The HTML of one emoji (an image of text: its name is its accessible label)."""
    return (f'<span class="{CLASS}" role="img" aria-label="{html.escape(shortcode)}">'
            f"{char}</span>")


def replace(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_html) parts, known shortcodes and emoji as emoji HTML."""
    if not _first().search(text):
        return [(text, False)]
    parts: list[tuple[str, bool]] = []
    last = 0
    for match in _pattern().finditer(text):
        found = match.group(0)
        if found.startswith(":") and len(found) > 1:
            char = character(found)
            if char is None:
                continue
            label = found
        else:
            char, label = found, found
        if match.start() > last:
            parts.append((text[last:match.start()], False))
        parts.append((span(label, char), True))
        last = match.end()
    if last < len(text):
        parts.append((text[last:], False))
    return parts


def generator(index, shortname, alias, uc, alt, title, category, options, md):  # noqa: ANN001, ANN201
    """pymdownx.emoji generator for reading pages: the same emoji HTML as on the slides."""
    char = character(shortname) or alt
    return md.htmlStash.store(span(shortname, char))
