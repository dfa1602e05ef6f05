"""Fenced code blocks: the language and the attributes written after it in the info string."""

from __future__ import annotations

import shlex

from diapo.deck.blocks import Block
from diapo.deck.model import Fence
from diapo.errors import DeckError, at


def parse_info(info: str, path: str, line: int) -> tuple[str, dict[str, str | bool], list[tuple[str, str | bool]]]:
    """(language, attributes, attribute pairs in order) of an info string.

    `key=value` and `key="quoted value"` give text, a bare word gives True. Repeated keys keep
    the last value in the dict; the ordered pairs keep them all (e.g. several `wait=`).
    """
    head, _, rest = info.strip().partition(" ")
    lang = head.strip()
    if not rest.strip():
        return lang, {}, []
    if '"' in rest or "'" in rest or "\\" in rest:
        lexer = shlex.shlex(rest, posix=True)
        lexer.whitespace_split = True
        lexer.commenters = ""
        try:
            words = list(lexer)
        except ValueError as exc:  # unbalanced quotes
            raise DeckError(f"invalid fence attributes {rest.strip()!r}: {exc}",
                            at(path, line)) from None
    else:
        words = rest.split()
    pairs: list[tuple[str, str | bool]] = []
    for word in words:
        key, eq, value = word.partition("=")
        pairs.append((key, value if eq else True))
    return lang, dict(pairs), pairs


def make(block: Block, path: str) -> Fence:
    """A `Fence` from a fence block; an unclosed fence is a `DeckError`."""
    if not block.closed:
        raise DeckError(f"this code fence ({block.marker}) is never closed",
                        at(path, block.start + 1),
                        hint=f"close it with a line holding {block.marker}")
    lang, attrs, _pairs = parse_info(block.info, path, block.start + 1)
    text = "".join(line + "\n" for line in block.lines)
    return Fence(lang=lang, info=block.info, attrs=attrs, text=text,
                 location=at(path, block.start + 1), end_line=block.end)
