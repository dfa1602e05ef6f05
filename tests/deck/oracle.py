"""markdown-it-py (a port of the markdown-it that marp-core runs) with Marpit's comment rule,
used as an oracle for diapo's block scanner in the differential tests.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

_OPENING = re.compile(r"^<!--")
_CLOSING = re.compile(r"-->")


def _marpit_comment(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Port of marpit's `marpit_comment` block rule (lib/markdown/comment.js)."""
    pos = state.bMarks[start] + state.tShift[start]
    if state.src[pos:pos + 1] != "<":
        return False
    line = state.src[pos:state.eMarks[start]]
    if not _OPENING.search(line):
        return False
    if silent:
        return True
    nxt = start + 1
    if not _CLOSING.search(line):
        while nxt < end:
            if state.sCount[nxt] < state.blkIndent:
                break
            line = state.src[state.bMarks[nxt] + state.tShift[nxt]:state.eMarks[nxt]]
            nxt += 1
            if _CLOSING.search(line):
                break
    state.line = nxt
    token = state.push("marpit_comment", "", 0)
    token.map = [start, nxt]
    token.hidden = True
    return True


def engine() -> MarkdownIt:
    """CommonMark + GFM tables + Marpit comments, html on (as in marp-core)."""
    md = MarkdownIt("commonmark").enable("table")
    md.block.ruler.before("html_block", "marpit_comment", _marpit_comment)
    return md


def structure(md: MarkdownIt, text: str) -> dict[str, list]:
    """The block facts diapo's scanner must agree on, with 0-based line numbers."""
    tokens = md.parse(text)
    return {
        "hr0": [t.map[0] for t in tokens if t.type == "hr" and t.level == 0],
        "headings": [(t.map[0], int(t.tag[1])) for t in tokens if t.type == "heading_open"],
        "fences": [t.map[0] for t in tokens if t.type == "fence"],
        "comments": [t.map[0] for t in tokens if t.type == "marpit_comment"],
        "items": [(t.map[0], t.markup) for t in tokens if t.type == "list_item_open"],
    }
