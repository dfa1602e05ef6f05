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

# marp-core's inline rule (after markdown-it-katex): `$` not followed by a space opens, `$` not
# preceded by a space and not followed by a digit closes; `\$` is a dollar sign.
INLINE = re.compile(r"(?<![\\$])\$(?=[^\s$])(?P<tex>(?:\\.|[^\\$\n])*?(?:\\.|[^\s\\$]))\$(?!\d)")


@lru_cache(maxsize=4096)
def mathml(tex: str, display: bool = False) -> str:
    """The MathML of `tex` (`display`: a block, centred); TeX it cannot read stays visible as
    escaped source marked `diapo-math-error`, so a slide never loses text."""
    try:
        out = convert(tex.strip(), display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds of errors on bad TeX
        tag = "pre" if display else "code"
        return f'<{tag} class="diapo-math-error" title="TeX illisible">{html.escape(tex)}</{tag}>'
    return out
