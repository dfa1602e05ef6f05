"""Emoji shortcodes (`:rocket:`) as marp-core shows them, offline.

marp-core turns shortcodes (GitHub's gemoji names, through markdown-it-emoji) and the emoji
typed as characters into Twemoji images from a CDN, 1em square. diapo draws the same emoji, 1em square and placed like Marp's
image, with the platform's colour emoji font: nothing is fetched from the network. The names are
pymdown-extensions' gemoji index, on slides and reading pages alike
(`diapo.site.markdown_ext` for the latter).
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
def _sequences() -> frozenset[str]:
    """The emoji drawn as emoji: those shown as emoji by default (pictographs, U+1F000 and
    up, and the few without a text form) and any with VS16 (U+FE0F); `©`, `→` or `✈` alone
    stay text, as Twemoji leaves them."""
    found = set()
    for entry in gemoji_db.emoji.values():
        code, alt = entry["unicode"], entry.get("unicode_alt")
        found.add("".join(chr(int(part, 16)) for part in (alt or code).split("-")))
        if alt is None or int(code.split("-")[0], 16) >= 0x1F000:
            found.add("".join(chr(int(part, 16)) for part in code.split("-")))
    return frozenset(found)


@lru_cache(maxsize=1)
def _candidates() -> re.Pattern[str]:
    """Shortcodes, keycaps and runs of emoji characters (with their modifiers, joiners and
    tags): each run is then cut into the longest known emoji."""
    wide = _ranges({seq[0] for seq in _sequences() if not seq[0].isascii()})
    extend = "\ufe0f\u20e3\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F"
    return re.compile(f"{SHORTCODE.pattern}|[0-9#*]\ufe0f?\u20e3|[{wide}](?:[{extend}]|"
                      f"\u200d[{wide}]|(?<=[\U0001F1E6-\U0001F1FF])[\U0001F1E6-\U0001F1FF])*")


def _ranges(chars: set[str]) -> str:
    """A regex character class body for `chars`, as ranges (a long list of single characters
    is tested one by one by `re`)."""
    runs: list[list[int]] = []
    for code in sorted(ord(c) for c in chars):
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "")
                   for a, b in runs)


def _split(run: str) -> list[tuple[str, bool]]:
    """A run of emoji characters as (piece, is_emoji), longest known emoji first."""
    known = _sequences()
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(run):
        for j in range(len(run), i, -1):
            if run[i:j] in known:
                while j < len(run) and "\U0001F3FB" <= run[j] <= "\U0001F3FF":  # skin tone
                    j += 1
                out.append((run[i:j], True))
                i = j
                break
        else:
            out.append((run[i], False))
            i += 1
    return out


def span(shortcode: str, char: str) -> str:
    """The HTML of one emoji (an image of text: its name is its accessible label)."""
    return (f'<span class="{CLASS}" role="img" aria-label="{html.escape(shortcode)}">'
            f"{char}</span>")


def replace(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_html) parts, known shortcodes and emoji as emoji HTML."""
    parts: list[tuple[str, bool]] = []
    last = 0
    for match in _candidates().finditer(text):
        found = match.group(0)
        if found.startswith(":"):
            char = character(found)
            pieces = [(span(found, char), True)] if char else []
        else:
            pieces = [(span(p, p), True) if known else (p, False) for p, known in _split(found)]
        if not any(is_html for _, is_html in pieces):
            continue
        if match.start() > last:
            parts.append((text[last:match.start()], False))
        parts.extend(pieces)
        last = match.end()
    if last < len(text):
        parts.append((text[last:], False))
    return parts or [(text, False)]

