"""HTML comments as Marpit reads them: directive comments, magic comments and notes.

A comment whose YAML is a mapping with at least one known directive is a directive comment
(its unknown keys are reported); prettier / markdownlint / remark-lint magic comments and
marp-core's `<!-- fit -->` in a heading are neither; every other comment is a presenter note
(Marp's `comments`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from diapo.deck import directives as dirs, inline, yamlish
from diapo.deck.blocks import COMMENT, HEADING, Block
from diapo.errors import DeckError, at

DIRECTIVE = "directive"
MAGIC = "magic"
NOTE = "note"

# Group 1 is the comment's text, blanks at its end included (callers strip it): whatever
# does not start the closing `--+>`, taken in runs without backtracking, as a lazy repeat
# would go one character at a time.
MATCHER = re.compile(r"<!--+\s*((?:[^-]++|-(?!-+>))*+)--+>")
_MAGIC = (
    re.compile(r"prettier-ignore(-(start|end))?$"),
    re.compile(r"markdownlint-((disable|enable).*|capture|restore)$"),
    re.compile(r"lint (disable|enable|ignore).*$"),
)


@lru_cache(maxsize=4)
def _maybe_directive(keys: tuple[str, ...]) -> re.Pattern[str]:
    """A comment can hold a directive only if some known key is followed by a colon."""
    return re.compile(r"""(?:^|[\s{,"'])_?(?:""" + "|".join(keys) + r""")["']?\s*:""")

_KEY_LINE = re.compile(r"""^["']?(_?[A-Za-z][\w-]*)["']?\s*:(?:\s|$)""")


@dataclass(slots=True)
class Comment:
    """One HTML comment of the deck body."""

    content: str  # trimmed inner text, as Marp collects it
    line: int  # 0-based line where it starts
    block: Block  # the comment block, or the paragraph / heading / table holding it
    span: tuple[int, int] | None = None  # inline comment: offsets in `inline.text_of(block)`
    kind: str = NOTE
    directives: dict[str, Any] = field(default_factory=dict)  # the YAML mapping, if any


def collect(blocks: list[Block], path: str) -> list[Comment]:
    """Every comment in source order, classified; an unclosed comment is a `DeckError`."""
    found: list[Comment] = []
    for block in blocks:
        if block.kind == COMMENT:
            markup = "\n".join(block.lines)
            if not block.closed:
                raise DeckError("ce commentaire HTML n'est jamais fermé par '-->' (Marp masquerait "
                                "toute la suite du deck)", at(path, block.start + 1))
            m = MATCHER.search(markup)
            found.append(Comment(m.group(1).strip() if m else "", block.start, block))
        elif block.kind in inline.INLINE_KINDS and inline.contains(block, "<!--"):
            text = inline.text_of(block)
            for m in inline.scan(text, MATCHER, "-->"):
                found.append(Comment(m.group(1).strip(), inline.line_of(block, text, m.start()),
                                     block, span=(m.start(), m.end())))
    keys = dirs.all_keys()  # once per deck
    for comment in found:
        _classify(comment, keys)
        if comment.content == "fit" and comment.span is not None and comment.block.kind == HEADING:
            comment.kind = MAGIC  # marp-core's fitting header: `# <!-- fit --> Titre`
    return found


_SIMPLE = re.compile(r"(_?[A-Za-z][\w-]*)[ \t]*:[ \t]+([^\n\\]*)$")


def _simple(text: str, keys: tuple[str, ...]) -> dict[str, str] | None:
    """The mapping of a one-line `key: value` comment when YAML is not needed to read it.

    Known keys get marp's loose quoting (the value is the trimmed text), so YAML would give
    the same string as long as there is no backslash escape; unknown keys only matter as
    possible misspellings, which `suggest` decides from the key alone.
    """
    m = _SIMPLE.match(text)
    if m is None:
        return None
    key, value = m.group(1), m.group(2).strip()
    if dirs.is_known(key):
        return {key: value} if value and value[0] not in yamlish.SPECIAL else None
    return {} if dirs.suggest(key, keys) is None else None


def _classify(comment: Comment, keys: tuple[str, ...]) -> None:
    text = comment.content
    simple = _simple(text, keys)
    if simple is not None:
        comment.directives = simple
        if simple:
            comment.kind = DIRECTIVE
        return
    if _maybe_directive(keys).search(text) or _KEY_LINE.match(text):
        try:
            parsed = yamlish.load(yamlish.loosen(text, keys))
        except yaml.YAMLError:
            parsed = None
        if isinstance(parsed, dict):
            comment.directives = parsed
            if any(dirs.is_known(k) for k in parsed):
                comment.kind = DIRECTIVE
                return
    if any(p.match(text.strip()) for p in _MAGIC):
        comment.kind = MAGIC
