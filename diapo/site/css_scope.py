"""Scope Marp theme CSS to diapo's slide container, the way Marpit's PostCSS passes do.

A Marp theme styles `section` (one slide), `header`, `footer`, `h1`... as if the slide were the
whole document. Marpit rewrites every selector so it only reaches slides: `section.lead h1`
becomes `<container> > section.lead h1` and `h1` becomes `<container> > section h1`; `:root`
means the slide; a `content` declaration in `section::after` that would hide the pagination
number is dropped. This module does the same on a small hand-written CSS scanner (no
dependency), enough for theme files: rules, comments, strings, `@media`/`@supports`/`@layer`/
`@container` blocks (scoped inside), `@keyframes`/`@font-face`/`@page` (left alone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# At-rules whose block holds rules that must be scoped too.
_NESTED_AT_RULES = {"media", "supports", "layer", "container", "document"}
_SECTION_RE = re.compile(r"^section(?![\w-])")
_ROOT_RE = re.compile(r"(^|[\s>+~(])(?:section)?:root\b")
_PAGINATION_AFTER_RE = re.compile(r"^section(?![\w-])[^\s>+~]*::?after$")


@dataclass
class Statement:
    """One top-level CSS statement: `prelude { body }` or a block-less at-rule `prelude;`."""

    prelude: str
    body: str | None  # None for `@import ...;`-style statements


def _skip_string(css: str, i: int) -> int:
    """Index just past the string literal starting at `css[i]`."""
    quote = css[i]
    i += 1
    while i < len(css):
        if css[i] == "\\":
            i += 2
            continue
        if css[i] == quote:
            return i + 1
        i += 1
    return i


def strip_comments(css: str) -> str:
    """CSS without its `/* */` comments (strings are respected)."""
    out, i = [], 0
    while i < len(css):
        ch = css[i]
        if ch in "\"'":
            end = _skip_string(css, i)
            out.append(css[i:end])
            i = end
        elif css.startswith("/*", i):
            end = css.find("*/", i + 2)
            i = len(css) if end < 0 else end + 2
            out.append(" ")
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def statements(css: str) -> list[Statement]:
    """Split comment-free CSS into its top-level statements."""
    result: list[Statement] = []
    i, start, n = 0, 0, len(css)
    while i < n:
        ch = css[i]
        if ch in "\"'":
            i = _skip_string(css, i)
        elif ch == ";":
            prelude = css[start:i].strip()
            if prelude:
                result.append(Statement(prelude, None))
            i += 1
            start = i
        elif ch == "{":
            prelude = css[start:i].strip()
            depth, j = 1, i + 1
            while j < n and depth:
                if css[j] in "\"'":
                    j = _skip_string(css, j)
                    continue
                depth += {"{": 1, "}": -1}.get(css[j], 0)
                j += 1
            body = css[i + 1 : j - 1] if depth == 0 else css[i + 1 :]
            result.append(Statement(prelude, body))
            i = start = j
        elif ch == "}":  # stray closing brace: ignore like a browser would
            i += 1
            start = i
        else:
            i += 1
    return result


def _split_top_level(text: str, separator: str) -> list[str]:
    """Split `text` on `separator` where it is not inside brackets, parentheses or strings."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            i = _skip_string(text, i)
            continue
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == separator and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
        i += 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def split_selectors(prelude: str) -> list[str]:
    """Split a selector list on its top-level commas (not inside `:is(a, b)` or strings)."""
    return _split_top_level(prelude, ",")


def scope_selector(selector: str, container: str, slide: str = "section") -> str:
    """Marpit's rewrite of one selector: `:root` is the slide, everything lives in a slide."""
    selector = _ROOT_RE.sub(lambda m: f"{m.group(1)}section", selector.strip())
    if _SECTION_RE.match(selector):
        return f"{container} > {slide}{selector[len('section'):]}"
    return f"{container} > {slide} {selector}"


def _drop_pagination_override(selectors: list[str], body: str) -> str:
    """Comment out a `content` that would replace the pagination number (Marpit does so)."""
    if not any(_PAGINATION_AFTER_RE.match(re.sub(r"\[.*?\]", "", s)) for s in selectors):
        return body
    kept = []
    for decl in _declarations(body):
        name = decl.split(":", 1)[0].strip().lower()
        if name == "content" and "attr(data-marpit-pagination)" not in decl:
            continue
        kept.append(decl)
    return "; ".join(kept)


def _declarations(body: str) -> list[str]:
    """Split a declaration block on top-level semicolons."""
    return _split_top_level(body, ";")


def scope(css: str, container: str, slide: str = "section") -> str:
    """Rewrite theme CSS so every rule applies inside `container > slide` only.

    `@import` statements must already be resolved (see `diapo.site.themes`); any left
    are dropped, since an import inside a scoped sheet cannot be honoured.
    """
    return "\n".join(_scope_statements(statements(strip_comments(css)), container, slide))


def _scope_statements(stmts: list[Statement], container: str, slide: str) -> list[str]:
    out: list[str] = []
    for stmt in stmts:
        if stmt.prelude.startswith("@"):
            name = re.match(r"@([\w-]+)", stmt.prelude)
            keyword = name.group(1).lower() if name else ""
            if stmt.body is None:
                if keyword not in ("import", "charset"):
                    out.append(f"{stmt.prelude};")
            elif keyword in _NESTED_AT_RULES:
                inner = _scope_statements(statements(stmt.body), container, slide)
                out.append(f"{stmt.prelude} {{\n" + "\n".join(inner) + "\n}")
            else:  # @keyframes, @font-face, @page, @property: global by nature
                out.append(f"{stmt.prelude} {{{stmt.body}}}")
            continue
        selectors = split_selectors(stmt.prelude)
        body = _drop_pagination_override(selectors, stmt.body or "")
        scoped = ",\n".join(scope_selector(s, container, slide) for s in selectors)
        out.append(f"{scoped} {{{body}}}")
    return out
