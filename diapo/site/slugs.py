"""Heading ids computed the way marp-core does, so a deck's own `#anchor` links keep working.

marp-core (src/slug/slug.ts) gives every heading a GitHub-style slug built from the text of its
inline tokens, unique across the whole deck: a repeated slug gets `-1`, `-2`, ... and the slide
ids `1`, `2`, ... are taken first. marp-core then `encodeURI`s the slug; browsers match a
fragment both raw and percent-decoded, so the reading page keeps the Unicode form.
"""

from __future__ import annotations

import re

from markdown_it.token import Token

# Characters GitHub (and marp-core) drop from a slug.
_DROPPED = re.compile(
    r"[\][!/'\"#$%&()*+,./:;<=>?@\\^{|}~`。，、；：？！…—·ˉ¨‘’“”々～‖∶＂＇｀｜〃〔〕〈〉《》「」『』．〖〗【】（）［］｛｝]"
)
# Token types whose content counts as heading text (images count with their alt text).
# `text_special` (escapes, entities) is text once markdown-it's core joins it; scan.py runs the
# inline parser alone, without that core rule.
_TEXT_TYPES = frozenset({"text", "text_special", "code_inline", "image", "html_inline"})


def github_slugify(text: str) -> str:
    """marp-core's `githubSlugify`, without the final `encodeURI`."""
    slug = re.sub(r"\s+", "-", text.strip().lower())
    slug = _DROPPED.sub("", slug)
    # JavaScript's `replace` without the g flag: only the first leading *or* trailing run.
    return re.sub(r"^-+|-+$", "", slug, count=1)


def inline_text(children: list[Token] | None, *, html: bool = True) -> str:
    """The text marp-core slugs for a heading: text, code, image alt and inline HTML (not its
    comments: Marpit takes every comment out, a note or not).

    `html=False` leaves inline HTML tags out (a plain title for a table of contents).
    """
    return "".join(
        token.content for token in children or ()
        if token.type in _TEXT_TYPES and not token.hidden
        and (html or token.type != "html_inline")
        and not (token.type == "html_inline" and token.content.startswith("<!--"))
    )


_FIT = re.compile(r"^<!--\s*fit\s*-->$")


def take_fit(inline: Token) -> bool:
    """Remove marp-core's `<!-- fit -->` from a heading's inline tokens (it is markup, not
    text: marp-core slugs the heading without it); True if it was there."""
    children = inline.children or []
    kept = [c for c in children if not (c.type == "html_inline" and _FIT.match(c.content))]
    if len(kept) == len(children):
        return False
    inline.children = kept
    return True


class Slugger:
    """Hands out unique heading ids for one deck, in source order."""

    def __init__(self, slide_count: int) -> None:
        # Marpit's slide sections own the ids "1".."N"; headings that slug to them get "-1".
        self._seen: dict[str, int] = {str(n): 0 for n in range(1, slide_count + 1)}

    def slug(self, text: str) -> str:
        """The next unique id for a heading whose inline text is `text`."""
        base = github_slugify(text)
        index = self._seen[base] + 1 if base in self._seen else 0
        self._seen[base] = index
        return f"{base}-{index}" if index > 0 else base
