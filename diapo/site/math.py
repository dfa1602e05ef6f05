"""TeX math as MathML, converted at build time: the browser draws it, offline (no CDN, no JS).

marp-core typesets `$…$` (inline) and `$$…$$` (display) with MathJax or KaTeX in the browser
or at conversion; diapo converts the same TeX to MathML with `latex2mathml`, which Chromium
(and every current browser) lays out natively, on the slides and on the reading pages.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from latex2mathml.converter import convert
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from mdit_py_plugins.dollarmath import dollarmath_plugin

# marp-core's inline rule (after markdown-it-katex): `$` not followed by a space opens, `$` not
# preceded by a space and not followed by a digit closes; `\$` is a dollar sign.
INLINE = re.compile(r"(?<![\\$])\$(?=[^\s$])(?P<tex>(?:\\.|[^\\$\n])*?(?:\\.|[^\s\\$]))\$(?!\d)")


def use(md: MarkdownIt) -> MarkdownIt:
    """Teach markdown-it marp-core's math syntax (tokens `math_inline`, `math_block`): no space
    inside the dollars, no digit after the closing one, and marp-core's `$$` blocks
    (`display_block`) in place of dollarmath's."""
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, allow_labels=False)
    md.block.ruler.disable("math_block")
    md.block.ruler.after("blockquote", "marp_math_block", display_block,
                         {"alt": ["paragraph", "reference", "blockquote", "list"]})
    return md


def display_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """marp-core's `$$` block rule (the deck scanner's `blocks.MATH`): a line starting with
    `$$` opens it, even inside a paragraph; it runs to the first line, the opening one
    included, whose text ends with `$$`, over blank lines, or to a line less indented than
    its container (taken with it), or to the end."""
    src, marks = state.src, state.bMarks
    pos, line_end = marks[start] + state.tShift[start], state.eMarks[start]
    if not src.startswith("$$", pos) or pos + 2 > line_end:
        return False
    if silent:
        return True
    first = src[pos + 2:line_end]
    found = first.strip().endswith("$$")
    if found:
        first = first.strip()[:-2]
    last = ""
    line = start
    while not found:
        line += 1
        if line >= end:
            break
        pos, line_end = marks[line] + state.tShift[line], state.eMarks[line]
        if pos < line_end and state.tShift[line] < state.blkIndent:
            break
        if src[pos:line_end].strip().endswith("$$"):
            found = True
            last = src[pos:src.rfind("$$", 0, line_end)]
    state.line = line + 1
    token = state.push("math_block", "math", 0)
    token.block = True
    token.markup = "$$"
    token.map = [start, state.line]
    token.content = ((f"{first}\n" if first.strip() else "")
                     + state.getLines(start + 1, line, state.tShift[start], True)
                     + (last if last.strip() else ""))
    return True


@lru_cache(maxsize=4096)
def _convert(tex: str, display: bool) -> tuple[str, str | None]:
    """(MathML, None), or (escaped source, why) for TeX latex2mathml cannot read."""
    try:
        return convert(tex.strip(), display="block" if display else "inline"), None
    except Exception as exc:  # latex2mathml raises many kinds of errors on bad TeX
        tag = "pre" if display else "code"
        shown = f'<{tag} class="diapo-math-error" title="TeX illisible">{html.escape(tex)}</{tag}>'
        return shown, str(exc) or type(exc).__name__


def mathml(tex: str, display: bool = False) -> str:
    """The MathML of `tex` (`display`: a block, centred); TeX it cannot read stays visible as
    escaped source marked `diapo-math-error`, so a slide never loses text (and the site's
    checks report it: `problem`)."""
    return _convert(tex, display)[0]


def problem(tex: str, display: bool = False) -> str | None:
    """Why `tex` cannot be drawn (a French message), or None."""
    why = _convert(tex, display)[1]
    if why is None:
        return None
    shown = " ".join(tex.split())
    return f"formule TeX illisible ${shown}$ : {why}"
