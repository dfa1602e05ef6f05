"""Fenced code blocks: the language and the attributes written after it in the info string."""

from __future__ import annotations

import shlex
from functools import lru_cache

from diapo.deck.blocks import Block
from diapo.deck.model import Fence
from diapo.errors import DeckError, at

Pairs = tuple[tuple[str, "str | bool"], ...]
# shlex's errors on a bad info string, in French (everything a lecturer reads is).
_SHLEX_MESSAGES = {"No closing quotation": "guillemet fermant manquant",
                   "No escaped character": "caractère manquant après la barre oblique inverse"}


@lru_cache(maxsize=256)
def _pairs(rest: str) -> Pairs:
    """The attribute pairs of the text after the language (ValueError on bad quoting)."""
    if '"' in rest or "'" in rest or "\\" in rest:
        lexer = shlex.shlex(rest, posix=True)
        lexer.whitespace_split = True
        lexer.commenters = ""
        words = list(lexer)
    else:
        words = rest.split()
    pairs = []
    for word in words:
        key, eq, value = word.partition("=")
        pairs.append((key, value if eq else True))
    return tuple(pairs)


def parse_info(info: str, path: str,
               line: int) -> tuple[str, dict[str, str | bool], list[tuple[str, str | bool]]]:
    """(language, attributes, attribute pairs in order) of an info string.

    The language is the first word, as markdown-it takes it. `key=value` and
    `key="quoted value"` give text, a bare word gives True. Repeated keys keep the last value
    in the dict; the ordered pairs keep them all (e.g. several `wait=`).
    """
    parts = info.split(None, 1)
    if not parts:
        return "", {}, []
    if len(parts) == 1 or not parts[1].strip():
        return parts[0], {}, []
    try:
        pairs = _pairs(parts[1].strip())
    except ValueError as exc:  # unbalanced quotes
        why = _SHLEX_MESSAGES.get(str(exc), str(exc))
        raise DeckError(f"attributs de bloc invalides {parts[1].strip()!r} : {why}",
                        at(path, line)) from None
    return parts[0], dict(pairs), list(pairs)


def make(block: Block, path: str) -> Fence:
    """A `Fence` from a fence block; an unclosed fence is a `DeckError`."""
    if not block.closed:
        raise DeckError(f"ce bloc de code ({block.marker}) n'est jamais fermé",
                        at(path, block.start + 1),
                        hint=f"fermez-le par une ligne {block.marker}")
    lang, attrs, pairs = parse_info(block.info, path, block.start + 1)
    text = "\n".join(block.lines) + "\n" if block.lines else ""
    return Fence(lang=lang, info=block.info, attrs=attrs, text=text,
                 location=at(path, block.start + 1), end_line=block.end, pairs=tuple(pairs),
                 marker=block.marker)
