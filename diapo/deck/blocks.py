"""A lean CommonMark block scanner: the block structure Marp's markdown-it would see.

Marp splits slides on top-level `hr` tokens, reads directives and notes from HTML comments and
marks fragmented list items, so diapo needs markdown-it's *block* structure, faithfully, but
not its inline parse or its HTML output. This scanner walks the lines once, with the CommonMark
container algorithm (block quotes, list items, lazy paragraph continuation) and the leaf blocks
that matter to Marp: thematic breaks, ATX and setext headings, fenced and indented code, HTML
blocks, Marpit comment and `<style>` blocks, link reference definitions, GFM tables, `$$`
maths blocks and paragraphs. It follows markdown-it 14 (the version marp-core uses),
including Marpit's `marpit_comment` and `marpit_style_parse` block rules and marp-core's
`marp_math_block`; the site reads its blocks too (`Slide.blocks`).

Lines are 0-based here; passes convert to 1-based `Location`s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it.common.normalize_url import normalizeLink, validateLink
from markdown_it.helpers import parseLinkDestination, parseLinkTitle

# Block kinds
HR = "hr"
HEADING = "heading"
FENCE = "fence"
COMMENT = "comment"  # Marpit comment block (`<!-- ... -->` starting a block)
HTML = "html"
STYLE = "style"  # Marpit's `<style>` block: taken as the slide's CSS, never shown
PARA = "para"
TABLE = "table"
CODE = "code"  # indented code
ITEM = "item"  # list item (start line only; `marker` is `*`, `-`, `+`, `.` or `)`)
QUOTE = "quote"  # block quote (start line only)
REFERENCE = "reference"  # link reference definition (`[label]: url "title"`): not rendered
# `$$` display maths (marp-core's rule): from a line starting with `$$` to the first line,
# itself included, that ends with `$$`, over blank lines; unclosed, to the end of the text
MATH = "math"


@dataclass(slots=True)
class Block:
    """One block-level construct, with its 0-based line range `[start, end)`."""

    kind: str
    start: int
    end: int
    depth: int  # number of enclosing containers (block quotes, list items)
    lines: list[str] = field(default_factory=list)  # inner text lines (containers stripped)
    level: int = 0  # heading level
    marker: str = ""  # fence char run / list marker / setext underline character (`=`, `-`)
    info: str = ""  # fence info string
    closed: bool = True  # fences, comments, maths: was the closing marker found?


_HR = re.compile(r" {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+|$)")
_FENCE = re.compile(r"( {0,3})(`{3,}|~{3,})(.*)$")
_ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")  # optional closing sequence
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*$")
# A list marker (bullet, or number and delimiter) and the blanks after it.
_ITEM = re.compile(r"(?:([*+-])|(\d{1,9})([.)]))([ \t]*)")
# Whether a line (indented less than 4 columns) starts with a list marker, nothing more.
_MARKER = re.compile(r" {0,3}(?:[*+-]|\d{1,9}[.)])(?:[ \t]|$)")

_HR_START = frozenset("-*_")
_ITEM_START = frozenset("-+*0123456789")
_BLOCK_NAMES = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|"
    "dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h1|h2|h3|h4|h5|"
    "h6|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|"
    "option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul"
)
_ATTR = (
    r"(?:\s+[a-zA-Z_:][a-zA-Z0-9:._-]*(?:\s*=\s*(?:[^\"'=<>`\x00-\x20]+|'[^']*'|\"[^\"]*\"))?)"
)
_OPEN_CLOSE_TAG = rf"(?:<[A-Za-z][A-Za-z0-9\-]*{_ATTR}*\s*/?>|</[A-Za-z][A-Za-z0-9\-]*\s*>)"
# (start, end, can interrupt a paragraph) as in markdown-it's html_block rule; `None` end means
# "ends at a blank line". The comment sequence is taken first by the Marpit comment rule.
STYLE_OPENING = re.compile(r"<style(?=(\s|>|$))", re.IGNORECASE)  # Marpit's `<style>` block
_STYLE_END = re.compile(r"</style>", re.IGNORECASE)
_HTML_SEQUENCES = [
    # Marpit's own `<style>` rule comes first (a STYLE block): it ends at `</style>` only.
    (STYLE_OPENING, _STYLE_END, True),
    (re.compile(r"<(script|pre|style|textarea)(?=(\s|>|$))", re.IGNORECASE),
     re.compile(r"</(script|pre|style|textarea)>", re.IGNORECASE), True),
    (re.compile(r"<\?"), re.compile(r"\?>"), True),
    (re.compile(r"<![A-Za-z]"), re.compile(r">"), True),
    (re.compile(r"<!\[CDATA\["), re.compile(r"\]\]>"), True),
    (re.compile(rf"</?({_BLOCK_NAMES})(?=(\s|/?>|$))", re.IGNORECASE), None, True),
    (re.compile(rf"{_OPEN_CLOSE_TAG}\s*$"), None, False),
]
_TABLE_DELIM_CELL = re.compile(r":?-+:?$")
# The label of a link reference definition, and its colon: `[label]:` (some non-blank in it).
_REFERENCE_LABEL = re.compile(r"\[(?P<label>(?=[^\]]*?[^\s\]])(?:[^\[\]\\]|\\.){1,999})\]:")


def _columns(text: str, start: int = 0) -> tuple[int, int]:
    """(indent in columns, index of first non-blank char) of `text` starting at column
    `start`; tabs stop every 4 columns."""
    if text[:1] not in " \t":  # the usual unindented line (an empty one gets (0, 0) below)
        return 0, 0
    col = start
    for i, ch in enumerate(text):
        if ch == " ":
            col += 1
        elif ch == "\t":
            col += 4 - col % 4
        else:
            return col - start, i
    return col - start, len(text)


def _strip_columns(text: str, n: int) -> str:
    """Remove `n` columns of leading whitespace (a partly used tab becomes spaces)."""
    col = 0
    for i, ch in enumerate(text):
        if col >= n:
            return text[i:]
        if ch == " ":
            col += 1
        elif ch == "\t":
            width = 4 - col % 4
            if col + width > n:
                return " " * (col + width - n) + text[i + 1:]
            col += width
        else:
            return text[i:]
    return ""


def _html_start(text: str) -> tuple[re.Pattern[str] | None, bool] | None:
    """If `text` (indent already < 4) starts an HTML block: (end pattern, can interrupt)."""
    stripped = text.lstrip(" ")
    if not stripped.startswith("<"):
        return None
    for start, end, interrupts in _HTML_SEQUENCES:
        if start.match(stripped):
            return end, interrupts
    return None


def split_cells(text: str) -> list[str]:
    """markdown-it's `escapedSplit` of a table row, trimmed of its outer empty cells."""
    if "\\" not in text:
        cells = text.split("|")
    else:
        cells, escaped = [], False
        current: list[str] = []
        for ch in text:
            if ch == "|" and not escaped:
                cells.append("".join(current))
                current = []
            else:
                if ch == "|":  # escaped pipe: drop the backslash
                    current.pop()
                current.append(ch)
            escaped = ch == "\\"
        cells.append("".join(current))
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return cells


def _table_start(head: str, delim: str) -> bool:
    """Whether `head` followed by `delim` opens a GFM table (markdown-it's table rule)."""
    d = delim.strip(" \t")
    if len(d) < 2 or d[0] not in "|-:" or (d[1] not in "|-: \t") or (d[0] == "-" and d[1] in " \t"):
        return False
    if d.strip("|-: \t"):  # some other character
        return False
    parts = d.split("|")
    aligns = 0
    for i, part in enumerate(parts):
        part = part.strip()
        if not part:
            if i in (0, len(parts) - 1):
                continue
            return False
        if not _TABLE_DELIM_CELL.match(part):
            return False
        aligns += 1
    h = head.strip()
    if "|" not in h:
        return False
    count = len(split_cells(h))
    return count != 0 and count == aligns


def parse_reference(text: str) -> tuple[str, str, str | None, int] | None:
    """A link reference definition at the start of `text` (its URL and its title may each be
    on the next line) as markdown-it's `reference` rule reads it: (label, destination, title,
    lines it takes), or None (an invalid or dangerous URL included)."""
    m = _REFERENCE_LABEL.match(text)
    if m is None:
        return None
    end = len(text)
    pos = _skip_blanks(text, m.end(), newline=True)
    destination = parseLinkDestination(text, pos, end)
    if not destination.ok or not validateLink(normalizeLink(destination.str)):
        return None
    dest_end = pos = destination.pos
    title: str | None = None
    start = pos
    pos = _skip_blanks(text, pos, newline=True)
    found = parseLinkTitle(text, pos, end) if pos < end and pos != start else None
    if found is not None and found.ok and _line_ends(text, found.pos):
        title, pos = found.str, found.pos
    elif _line_ends(text, dest_end):
        pos = dest_end
    else:
        return None
    return m.group("label"), destination.str, title, text.count("\n", 0, pos) + 1


def _skip_blanks(text: str, pos: int, *, newline: bool = False) -> int:
    """The position after the spaces and tabs (and one newline) from `pos`."""
    seen_newline = not newline
    while pos < len(text) and (text[pos] in " \t" or text[pos] == "\n" and not seen_newline):
        seen_newline = seen_newline or text[pos] == "\n"
        pos += 1
    return pos


def _line_ends(text: str, pos: int) -> bool:
    """Whether only blanks follow `pos` up to the end of its line."""
    pos = _skip_blanks(text, pos)
    return pos == len(text) or text[pos] == "\n"


def _list_marker(text: str, indent: int, i: int) -> tuple[str, int, bool, str, str] | None:
    """A list item marker at `text[i]`, the first non-blank character, `indent` (< 4) columns
    from the start of `text`.

    Returns (markup as markdown-it names it, content indent in columns, empty item, number,
    the text of the item's first line: what follows the marker and its padding).
    """
    m = _ITEM.match(text, i)
    if m is None:
        return None
    bullet, number, delimiter, padding = m.groups()
    end = m.end()
    if not padding and end < len(text):  # a marker is followed by a blank or ends the line
        return None
    markup, number = bullet or delimiter, number or ""
    width = indent + m.start(4) - i  # the column where the marker ends
    if end == len(text):  # empty item: content starts one column after the marker
        return markup, width + 1, True, number, ""
    pad = _columns(text[m.start(4):], width)[0] if "\t" in padding else len(padding)
    if pad > 4:  # indented code inside the item: content indent is marker + 1
        # Only one column of the padding is the item's; tab stops count from the line start.
        return (markup, width + 1, False, number,
                _strip_columns(" " * width + text[m.start(4):], width + 1))
    return markup, width + pad, False, number, text[end:]


def _after_quote(text: str, i: int) -> str:
    """The text after the block quote marker `>` at `text[i]` and its optional space."""
    rest = text[i + 1:]
    if rest[:1] == " ":
        return rest[1:]
    return _strip_columns(rest, 1) if rest[:1] == "\t" else rest


def _closes_fence(text: str, run: str) -> bool:
    """Whether `text` (containers stripped) closes a fence opened by `run` (its char run)."""
    indent, i = _columns(text)
    body = text[i:]
    return indent < 4 and body.startswith(run) and not body.lstrip(run[0]).strip()


def _fence_open(text: str) -> re.Match[str] | None:
    """The opening fence at the start of `text`, if any (backtick info has no backtick)."""
    m = _FENCE.match(text)
    return m if m and not (m.group(2)[0] == "`" and "`" in m.group(3)) else None


def _table_row(body: str, lines: list[str], ln: int, n: int, stack: list[int]) -> str | None:
    """The delimiter row (stripped) when `body`, line `ln`, heads a table, else None."""
    if ln + 1 >= n or "|" not in body:
        return None
    count, nxt = _match(lines[ln + 1], stack)
    if count == len(stack) and _columns(nxt)[0] < 4 and _table_start(body, nxt):
        return nxt.strip()
    return None


def _math_line(leaf: Block, text: str, ln: int) -> Block | None:
    """Add `text` (line `ln`, containers stripped) to the open maths block `leaf`: the block
    still open, or None once this line, ending with `$$`, closed it."""
    leaf.lines.append(text)
    leaf.end = ln + 1
    if text.strip().endswith("$$"):
        leaf.closed = True
        return None
    return leaf


def _match(line: str, stack: list[int]) -> tuple[int, str]:
    """How many open containers `line` continues, and the text left inside them."""
    rest = line
    matched = 0
    for kind in stack:
        if kind == -1:  # block quote: needs its `>` marker
            indent, i = _columns(rest)
            if indent < 4 and i < len(rest) and rest[i] == ">":
                rest = _after_quote(rest, i)
                matched += 1
                continue
            break
        if not rest.strip():  # list item: blank lines continue it
            matched += 1
            rest = ""
            continue
        if _columns(rest)[0] >= kind:  # list item: indented at least to its content
            rest = _strip_columns(rest, kind)
            matched += 1
            continue
        break
    return matched, rest


def _interrupts(text: str, lists: bool = True) -> bool:
    """Whether `text`, outside the paragraph's containers, ends it rather than being lazy."""
    indent, i = _columns(text)
    if indent >= 4 or i >= len(text):
        return False
    first = text[i]
    if first.isalpha():
        return False
    if first == ">":
        return True
    if first == "<":
        if text.startswith("<!--", i):
            return True
        html = _html_start(text)
        return html is not None and html[1]
    if first == "#":
        return _ATX.match(text) is not None
    if first in "`~":
        return _fence_open(text) is not None
    if first == "$":
        return text.startswith("$$", i)
    if first in _HR_START and text.count(first) >= 3 and _HR.match(text):
        return True
    # markdown-it lets any list item end a paragraph it would only lazily continue.
    return lists and _MARKER.match(text) is not None


def _ends_lazy(text: str, unmatched: list[int]) -> bool:
    """Whether a line outside the `unmatched` containers ends them rather than being lazy.

    markdown-it asks the outermost unmatched block quote with the line's real indentation;
    inside list items (indentation counted from the item's content column) and inside a block
    quote that took the line as lazy (indentation -1), indentation no longer stops a block.
    """
    bare = text.lstrip(" \t")
    if unmatched[0] != -1:
        # ... except that a list item 4+ columns right of its list's parent is lazy text
        # (markdown-it's `listIndent` special case).
        deep = (-1 not in unmatched and text[:1] in " \t"  # (an unindented line is not)
                and _columns(text)[0] - sum(unmatched[:-1]) >= 4)
        return _interrupts(bare, lists=not deep)
    return _interrupts(text) or (-1 in unmatched[1:] and _interrupts(bare))


def _reference_lines(body: str, lines: list[str], ln: int, n: int, stack: list[int]) -> int:
    """How many lines (0 to 3: label, URL, title) a link reference definition starting with
    `body` takes; the lines after the first are ones a paragraph would take (in its
    containers, or lazily)."""
    text = body
    for k in range(ln + 1, min(ln + 3, n)):
        count, nxt = _match(lines[k], stack)
        inside = count == len(stack) and not _interrupts(nxt)
        if not nxt.strip() or not (inside or count < len(stack)
                                   and not _ends_lazy(nxt, stack[count:])):
            break
        if k + 1 < n and "|" in nxt and _table_start(nxt.strip(), _match(lines[k + 1], stack)[1]):
            break  # a table interrupts it
        text += "\n" + nxt
    found = parse_reference(text)
    return found[3] if found is not None else 0


def scan(lines: list[str], start: int = 0, end: int | None = None) -> list[Block]:
    """Scan `lines[start:end]` (no line terminators) into blocks, in source order.

    Containers are emitted as their first line only (ITEM and QUOTE blocks); every leaf block
    knows its container `depth`, which is what slide splitting (level-0 `hr`) needs.
    """
    blocks: list[Block] = []
    stack: list[int] = []  # open containers: -1 for a block quote, else a list item's indent
    # The open leaf block, listed in `blocks` when it opened: it takes lines until it is
    # closed (set to None).
    leaf: Block | None = None
    html_end: re.Pattern[str] | None = None
    empty_item: int | None = None  # stack index of a list item opened on an empty line
    n = len(lines) if end is None else end

    for ln in range(start, n):
        rest = lines[ln]
        top = not stack and empty_item is None
        if top and (leaf is None or leaf.kind == PARA):
            # Fast paths for the bulk of a deck: top-level text and blank lines; any other
            # line has no container to continue and no leaf swallowing it: on to step 4.
            if not rest:
                leaf = None
                continue
            if rest[0].isalpha() and "|" not in rest:
                if leaf is None:
                    leaf = Block(PARA, ln, ln + 1, 0, [rest])
                    blocks.append(leaf)
                else:
                    leaf.lines.append(rest)
                    leaf.end = ln + 1
                continue
        elif top and leaf is not None and leaf.kind == FENCE:  # top-level code
            leaf.end = ln + 1
            if rest.lstrip(" ")[:1] == leaf.marker[0] and _closes_fence(rest, leaf.marker):
                leaf.closed = True
                leaf = None
            else:
                leaf.lines.append(_strip_columns(rest, leaf.level) if leaf.level else rest)
            continue
        elif top and leaf is not None and leaf.kind == MATH:  # top-level maths
            leaf = _math_line(leaf, rest, ln)
            continue
        else:
            # 1. Continue the open containers.
            matched, rest = _match(rest, stack) if stack else (0, rest)
            if empty_item is not None:
                # A list item may begin with at most one blank line: an empty first line
                # followed by a blank one closes the item.
                if not rest.strip() and matched == len(stack):
                    leaf = None
                    del stack[empty_item:]
                    matched = len(stack)
                empty_item = None
            all_matched = matched == len(stack)
            blank = not rest.strip()
            if leaf is not None and leaf.kind == TABLE and ln < leaf.end:
                continue  # the delimiter row, read when the table opened
            if leaf is not None and leaf.kind == REFERENCE:
                if ln + 1 >= leaf.end:
                    leaf = None
                continue  # a definition's next line (its URL or title)

            # 2. Leaves that swallow lines whatever they contain.
            if leaf is not None and leaf.kind == FENCE:
                if all_matched:
                    leaf.end = ln + 1
                    if _closes_fence(rest, leaf.marker):
                        leaf.closed = True
                        leaf = None
                    else:
                        leaf.lines.append(_strip_columns(rest, leaf.level))
                    continue
                leaf.closed = True  # a closing container ends the fence (CommonMark)
                leaf = None
            elif leaf is not None and leaf.kind == MATH:
                # marp-core's rule compares a line's leading characters, not columns, with its
                # list items' indentation: a tab counts one.
                if all_matched and (blank or -1 in stack
                                    or len(lines[ln]) - len(lines[ln].lstrip(" \t")) >= sum(stack)):
                    leaf = _math_line(leaf, rest, ln)
                    continue
                if -1 in stack[matched:] and not blank and not _ends_lazy(rest, stack[matched:]):
                    leaf = _math_line(leaf, rest, ln)  # a lazy line of its block quote
                    continue
                if not blank:
                    # Less indented than its list item, or ending its block quote: marp-core's
                    # rule ends the formula with this line in it.
                    leaf.lines.append(rest)
                    leaf.end = ln + 1
                    leaf = None
                    del stack[matched:]
                    continue
                leaf = None  # a blank line ends its block quote, and the formula
            elif leaf is not None and leaf.kind == COMMENT:
                if all_matched or not stack:
                    leaf.lines.append(rest)
                    leaf.end = ln + 1
                    if "-->" in rest:
                        leaf.closed = True
                        leaf = None
                    continue
                leaf = None
            elif leaf is not None and (leaf.kind == HTML or leaf.kind == STYLE):
                if all_matched:
                    if html_end is None:
                        if blank:
                            leaf = None
                            continue
                        leaf.lines.append(rest)
                        leaf.end = ln + 1
                        continue
                    leaf.lines.append(rest)
                    leaf.end = ln + 1
                    if html_end.search(rest):
                        leaf = None
                    continue
                leaf = None

            # 3. Lazy continuation of a paragraph in containers that did not match.
            if not all_matched:
                if (leaf is not None and leaf.kind == PARA and not blank
                        and not _ends_lazy(rest, stack[matched:])):
                    if -1 not in stack[matched:] and "|" in rest and ln + 1 < n:
                        # In a list item a lazy line can still head a table whose delimiter
                        # row is inside the item (markdown-it's table rule as a terminator).
                        count, nxt = _match(lines[ln + 1], stack)
                        if (count == len(stack) and _columns(nxt)[0] < 4
                                and _table_start(rest.strip(), nxt)):
                            leaf = Block(TABLE, ln, ln + 2, len(stack),
                                         [rest.strip(), nxt.strip()])
                            blocks.append(leaf)
                            continue
                    leaf.lines.append(rest)
                    leaf.end = ln + 1
                    continue
                leaf = None
                del stack[matched:]

        # 4. Open new containers; `indent` and `i` stay those of what is left in them.
        indent, i = _columns(rest)
        while indent < 4 and i < len(rest):
            if rest[i] == ">":
                leaf = None
                blocks.append(Block(QUOTE, ln, ln + 1, len(stack)))
                stack.append(-1)
                rest = _after_quote(rest, i)
                indent, i = _columns(rest)
                continue
            first = rest[i]
            if first not in _ITEM_START:
                break
            # A thematic break (three marker characters at least) is not a list item.
            if first in _HR_START and rest.count(first) >= 3 and _HR.match(rest):
                break
            item = _list_marker(rest, indent, i)
            if item is None:
                break
            markup, content, empty, number, text = item
            # A list item interrupts a paragraph only if not empty and (bullet or 1.)
            if leaf is not None and leaf.kind == PARA and (empty or (number and int(number) != 1)):
                break
            leaf = None
            blocks.append(Block(ITEM, ln, ln + 1, len(stack), marker=markup))
            stack.append(content)
            rest = text
            indent, i = _columns(rest)
            if empty:
                empty_item = len(stack) - 1
                break

        depth = len(stack)
        body = rest[i:]
        blank = not body

        # 5. Leaf blocks.
        if blank:
            if leaf is not None and leaf.kind == CODE:
                leaf.lines.append(_strip_columns(rest, 4))
                continue
            leaf = None
            continue
        if leaf is not None and leaf.kind == CODE:
            if indent >= 4:
                leaf.lines.append(_strip_columns(rest, 4))
                leaf.end = ln + 1
                continue
            leaf = None
        para_open = leaf is not None and leaf.kind == PARA
        if indent >= 4:
            if para_open and leaf is not None:
                leaf.lines.append(body)
                leaf.end = ln + 1
                continue
            leaf = Block(CODE, ln, ln + 1, depth, [_strip_columns(rest, 4)])
            blocks.append(leaf)
            continue
        first = body[0]
        if para_open and leaf is not None and first in "=-":
            m = _SETEXT.match(rest)
            if m:
                leaf.kind = HEADING
                leaf.marker = m.group(1)[0]
                leaf.level = 1 if leaf.marker == "=" else 2
                leaf.end = ln + 1
                leaf = None
                continue
        if first in _HR_START and _HR.match(rest):
            leaf = None
            blocks.append(Block(HR, ln, ln + 1, depth))
            continue
        m = _ATX.match(rest) if first == "#" else None
        if m:
            leaf = None
            text = rest[m.end():].strip()
            if text.endswith("#"):  # the only way the stripped text can have a closing run
                text = _ATX_CLOSE.sub("", text)
            blocks.append(Block(HEADING, ln, ln + 1, depth, [text], level=len(m.group(1))))
            continue
        m = _fence_open(rest) if first in "`~" else None
        if m:
            leaf = Block(FENCE, ln, ln + 1, depth, level=len(m.group(1)), marker=m.group(2),
                         info=m.group(3).strip(), closed=False)
            blocks.append(leaf)
            continue
        if (first == "$" and body.startswith("$$")  # interrupts a paragraph; a table first
                and _table_row(body, lines, ln, n, stack) is None):
            leaf = Block(MATH, ln, ln + 1, depth, [body], closed=False)
            blocks.append(leaf)
            if body[2:].strip().endswith("$$"):
                leaf.closed = True
                leaf = None
            continue
        if first == "<" and body.startswith("<!--"):
            leaf = Block(COMMENT, ln, ln + 1, depth, [body], closed=False)
            blocks.append(leaf)
            if "-->" in body:
                leaf.closed = True
                leaf = None
            continue
        html = _html_start(rest) if first == "<" else None
        if html is not None and (html[1] or not (para_open or leaf is not None)):
            html_end = html[0]
            leaf = Block(STYLE if html_end is _STYLE_END else HTML, ln, ln + 1, depth, [rest])
            blocks.append(leaf)
            if html_end is not None and html_end.search(rest):
                leaf = None
            continue
        if leaf is not None and leaf.kind == TABLE:
            leaf.lines.append(body)
            leaf.end = ln + 1
            continue
        table = _table_row(body, lines, ln, n, stack)
        if table is not None:  # tables start a block or interrupt a paragraph
            leaf = Block(TABLE, ln, ln + 2, depth, [body, table])
            blocks.append(leaf)
            continue
        if para_open and leaf is not None:
            leaf.lines.append(body)
            leaf.end = ln + 1
            continue
        if first == "[" and "]:" in body:  # only where a paragraph would start
            taken = _reference_lines(body, lines, ln, n, stack)
            if taken:
                leaf = Block(REFERENCE, ln, ln + taken, depth, [body])
                blocks.append(leaf)
                leaf.lines += [_match(lines[k], stack)[1] for k in range(ln + 1, ln + taken)]
                if taken == 1:
                    leaf = None
                continue
        leaf = Block(PARA, ln, ln + 1, depth, [body])
        blocks.append(leaf)
    return blocks
