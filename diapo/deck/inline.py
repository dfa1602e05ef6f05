"""Just enough of markdown-it's inline scan: code spans and backslash escapes hide what
follows them, so comments and images are found only where markdown-it would find them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from diapo.deck.blocks import HEADING, PARA, TABLE, Block

INLINE_KINDS = (PARA, HEADING, TABLE)
_SPECIAL = re.compile(r"[\\`<!]")


def text_of(block: Block) -> str:
    """The inline source of a paragraph, heading or table (one entry per source line)."""
    return "\n".join(block.lines)


def contains(block: Block, needle: str) -> bool:
    """Whether any line of `block` contains `needle` (which holds no newline)."""
    lines = block.lines
    return needle in (lines[0] if len(lines) == 1 else "\n".join(lines))


def scan(text: str, wanted: re.Pattern[str], needs: str = "",
         accept: Callable[[re.Match[str]], bool] | None = None,
         opaque: re.Pattern[str] | None = None) -> Iterator[re.Match[str]]:
    """Matches of `wanted` (tried at `<` and `!`) outside code spans and escapes.

    `needs` is text every match contains: past its last occurrence nothing can match, so
    the scan stops there instead of retrying a doomed match at every later position.
    `accept` may turn a match down: the scan then goes on from the next character.
    `opaque` (tried at `<` first) is skipped whole, as code spans are: inline HTML comments
    for the image scan.
    """
    pos = 0
    n = len(text)
    last = text.rfind(needs) if needs else n
    while pos <= last:
        m = _SPECIAL.search(text, pos)
        if m is None or m.start() > last:
            return
        i = m.start()
        ch = text[i]
        if ch == "\\":
            pos = i + 2
            continue
        if ch == "`":
            j = i
            while j < n and text[j] == "`":
                j += 1
            run = text[i:j]
            close = re.compile(rf"(?<!`){run}(?!`)")
            end = close.search(text, j)
            pos = end.end() if end else j
            continue
        if ch == "<" and opaque is not None:
            skipped = opaque.match(text, i)
            if skipped is not None:
                pos = skipped.end()
                continue
        found = wanted.match(text, i)
        if found is not None and (accept is None or accept(found)):
            yield found
            pos = found.end()
        else:
            pos = i + 1


def line_of(block: Block, text: str, offset: int) -> int:
    """0-based source line of `offset` in `text_of(block)`."""
    return block.start + text.count("\n", 0, offset)
