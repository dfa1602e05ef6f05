"""Compare a step's actual output with its `expect` block: exact, ellipsis, regex, table.

- `exact`: the same text (line endings and final newlines aside);
- `ellipsis` (default): `...` matches any text, even across lines; trailing whitespace ignored;
- `regex`: the block is a Python regular expression that must match the whole output
  (multi-line mode: `^` and `$` at each line);
- `table`: kubectl tables compared cell by cell, ignoring the columns whose value changes from
  run to run (AGE, RESTARTS, ...) and the random parts of generated names (pod-name hashes);
  a cell written `...` matches anything.

A mismatch comes with a readable diff (`-` expected, `+` actual) whose lines are aligned with
the same rule as the match, so a line that matches through `...` is not reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from diapo.deck.model import Expect
from diapo.errors import DeckError

ELLIPSIS = "..."
# Columns whose values differ between two runs of the same demo.
VOLATILE_COLUMNS = frozenset({"AGE", "RESTARTS", "LAST SEEN", "DURATION"})
# Random suffixes of generated names (pod-template-hash, pod / job suffixes): Kubernetes draws
# them from this alphabet (k8s.io/apimachinery/pkg/util/rand), which has no vowels, 0, 1 or 3.
_SAFE = "bcdfghjklmnpqrstvwxz2456789"
_NAME_HASH = re.compile(rf"-[{_SAFE}]{{5,10}}(?=$|[\s/.:,)\]\"'-])")
HASH_PLACEHOLDER = "-xxxxx"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*(?:\x07|\x1b\\)")
_HEADER = re.compile(r"^[A-Z][A-Z0-9()/_.%-]*(?: +[A-Z][A-Z0-9()/_.%-]*)*$")
_MAX_ALIGN = 4_000_000  # cells of the alignment table before falling back to a plain diff


@dataclass
class MatchResult:
    """Whether the output matched; `diff` says how it did not."""

    ok: bool
    diff: str | None = None


def clean_output(raw: bytes | str) -> str:
    """Terminal output as plain text: decoded, colours removed, CRLF / bare CR resolved."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    text = _ANSI.sub("", text).replace("\r\n", "\n")
    # A bare CR rewrites the line (progress bars): keep what is finally shown.
    return "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))


def normalize(text: str) -> str:
    """Trailing whitespace of each line and trailing blank lines removed."""
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n")


def match(expect: Expect, actual: str) -> MatchResult:
    """Compare `actual` (already `clean_output`) with the `expect` block."""
    return MATCHERS[expect.match].whole(expect, actual)


def _exact(expect: Expect, actual: str) -> MatchResult:
    want, got = expect.text.rstrip("\n"), actual.rstrip("\n")
    return _result(want == got, want, got, str.__eq__)


def _ellipsis(expect: Expect, actual: str) -> MatchResult:
    want, got = normalize(expect.text), normalize(actual)
    return _result(ellipsis_match(want, got), want, got, _line_ellipsis)


def _regex(expect: Expect, actual: str) -> MatchResult:
    want, got = normalize(expect.text), normalize(actual)
    try:
        pattern = re.compile(want, re.MULTILINE)
    except re.error as exc:
        raise DeckError(f"expression régulière invalide dans expect : {exc}",
                        expect.location) from None
    return _result(pattern.fullmatch(got) is not None, want, got, _line_regex)


def _table(expect: Expect, actual: str) -> MatchResult:
    return _table_result(normalize(expect.text), normalize(actual))


# ---------------------------------------------------------------------- ellipsis


def ellipsis_match(want: str, got: str) -> bool:
    """doctest's ELLIPSIS rule: each `...` in `want` matches any text (newlines included)."""
    if ELLIPSIS not in want:
        return want == got
    pieces = want.split(ELLIPSIS)
    first, last = pieces[0], pieces[-1]
    if not got.startswith(first) or not got.endswith(last):
        return False
    start, end = len(first), len(got) - len(last)
    if start > end:
        return False
    # Leftmost placement of each middle piece is always the best one.
    for piece in pieces[1:-1]:
        found = got.find(piece, start, end)
        if found < 0:
            return False
        start = found + len(piece)
    return True


def _line_ellipsis(want: str, got: str) -> bool:
    return ellipsis_match(want, got)


def _line_regex(want: str, got: str) -> bool:
    try:
        return re.fullmatch(want, got) is not None
    except re.error:
        return want == got


# ---------------------------------------------------------------------- tables


def _table_result(want: str, got: str) -> MatchResult:
    want_rows, got_rows = table_rows(want), table_rows(got)
    ok = len(want_rows) == len(got_rows) and all(
        _row_match(w, g) for w, g in zip(want_rows, got_rows)
    )
    if ok:
        return MatchResult(True)
    widths = _widths(want_rows + got_rows)
    return MatchResult(
        False,
        aligned_diff(
            [_render(r, widths) for r in want_rows],
            [_render(r, widths) for r in got_rows],
            lambda w, g: _row_match(_split_rendered(w), _split_rendered(g)),
        ),
    )


def table_rows(text: str) -> list[tuple[str, ...]]:
    """Rows of the kubectl tables in `text`, volatile columns dropped and name hashes masked.

    Columns are cut at the header's column starts (kubectl left-aligns every column under its
    header), so values with single spaces (`3 (5m ago)`, `<none>`) stay whole. Lines outside a
    table become one-cell rows. A table ends at a blank line.
    """
    rows: list[tuple[str, ...]] = []
    starts: list[int] | None = None
    keep: list[int] = []
    for line in text.split("\n"):
        masked = _NAME_HASH.sub(HASH_PLACEHOLDER, line)
        if not line.strip():
            starts = None
            rows.append(("",))
            continue
        if starts is None and _HEADER.match(line.strip()) and "  " in line.strip():
            starts = [m.start() for m in re.finditer(r"(?:^|(?<=  ))\S", line)]
            names = _cut(line, starts)
            keep = [i for i, name in enumerate(names) if name not in VOLATILE_COLUMNS]
            rows.append(tuple(names[i] for i in keep))
            continue
        if starts is None:
            rows.append((masked.strip(),))
            continue
        cells = _cut(line, starts)
        rows.append(tuple(_NAME_HASH.sub(HASH_PLACEHOLDER, cells[i]) for i in keep))
    while rows and rows[-1] == ("",):
        rows.pop()
    return rows


def _cut(line: str, starts: list[int]) -> list[str]:
    # Splitting on runs of 2+ spaces survives hand-edited alignment; cutting at the header's
    # column starts survives empty cells.
    parts = re.split(r"\s{2,}", line.strip())
    if len(parts) == len(starts):
        return parts
    return [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None])]


def _row_match(want: Sequence[str], got: Sequence[str]) -> bool:
    if len(want) == 1 and ELLIPSIS in want[0] and len(got) != 1:
        return ellipsis_match(want[0], "   ".join(got))
    return len(want) == len(got) and all(ellipsis_match(w, g) for w, g in zip(want, got))


def _widths(rows: list[tuple[str, ...]]) -> list[int]:
    widths: list[int] = []
    for row in rows:
        if len(row) < 2:
            continue
        for i, cell in enumerate(row):
            if i >= len(widths):
                widths.append(0)
            widths[i] = max(widths[i], len(cell))
    return widths


def _render(row: tuple[str, ...], widths: list[int]) -> str:
    if len(row) < 2:
        return row[0] if row else ""
    return "   ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()


def _split_rendered(line: str) -> tuple[str, ...]:
    return tuple(re.split(r"\s{3,}", line.strip())) if line.strip() else ("",)


# ---------------------------------------------------------------------- diffs


def _result(ok: bool, want: str, got: str, same: Callable[[str, str], bool]) -> MatchResult:
    if ok:
        return MatchResult(True)
    return MatchResult(False, aligned_diff(want.split("\n"), got.split("\n"), same))


def aligned_diff(want: list[str], got: list[str], same: Callable[[str, str], bool],
                 context: int = 3) -> str:
    """A unified-style diff (`-` expected, `+` actual) aligned with the `same` line rule.

    An expected line that is only `...` matches any number of actual lines, so the diff
    shows only the lines that really differ.
    """
    ops = [(tag, got[j] if j is not None else want[i])  # type: ignore[index]
           for tag, i, j in _align(want, got, same) if not (tag == "~" and j is None)]
    ops = [(" " if tag == "~" else tag, line) for tag, line in ops]
    # Hunks: changed lines with `context` unchanged lines around them.
    changed = [i for i, (tag, _) in enumerate(ops) if tag != " "]
    out = ["--- attendu", "+++ obtenu"]
    if not changed:  # same lines, different text (e.g. exact whitespace): show both whole
        out += [f"-{line}" for line in want] + [f"+{line}" for line in got]
        return "\n".join(out)
    shown: set[int] = set()
    for i in changed:
        shown.update(range(max(0, i - context), min(len(ops), i + context + 1)))
    previous = -2
    for i in sorted(shown):
        if i != previous + 1:
            out.append(f"@@ ligne {_got_line(ops, i)} de la sortie @@")
        tag, line = ops[i]
        out.append(f"{tag}{line}")
        previous = i
    return "\n".join(out)


def differing_lines(expect: Expect, actual: str) -> tuple[set[int], set[int]]:
    """(actual, expected) 0-based line numbers that differ, aligned with the block's `match=`
    rule (for the side-by-side view of `invoke present`); both empty when it matches."""
    if match(expect, actual).ok:
        return set(), set()
    same = MATCHERS[expect.match].line
    want, got = normalize(expect.text).split("\n"), normalize(actual).split("\n")
    ops = _align(want, got, same)
    return ({j for tag, _i, j in ops if tag == "+" and j is not None},
            {i for tag, i, _j in ops if tag == "-" and i is not None})


def updated_text(expect: Expect, actual: str) -> str | None:
    """New text for an `expect` block that `actual` no longer matches (`verify --update`);
    None when the block's mode cannot be rewritten from an output (a regular expression)."""
    update = MATCHERS[expect.match].update
    return None if update is None else update(expect, actual)


def _take_actual(expect: Expect, actual: str) -> str:
    return normalize(actual)


def _keep_matching_lines(expect: Expect, actual: str) -> str:
    """With `ellipsis`, the expected lines that still match are kept as written, `...` lines
    included, so the update changes only the lines that really differ."""
    got = normalize(actual)
    want = normalize(expect.text).split("\n")
    lines: list[str] = []
    for tag, i, j in _align(want, got.split("\n"), _line_ellipsis):
        if tag == " " or (tag == "~" and (not lines or lines[-1] is not want[i])):  # type: ignore[index]
            lines.append(want[i])  # type: ignore[index]
        elif tag == "+":
            lines.append(got.split("\n")[j])  # type: ignore[index]
    text = "\n".join(lines)
    return text if ellipsis_match(text, got) else got


@dataclass(frozen=True)
class Matcher:
    """One `match=` mode: the test of the whole output, the line rule its diffs (and the
    present view's marks) align with, and how `verify --update` rewrites a block (None:
    never). A new mode is one row of `MATCHERS`: the deck parser, its errors and the engine
    read the table."""

    whole: Callable[[Expect, str], MatchResult]
    line: Callable[[str, str], bool]
    update: Callable[[Expect, str], str] | None


# `match=NAME` of an expect block -> its matcher.
MATCHERS: dict[str, Matcher] = {
    "exact": Matcher(_exact, str.__eq__, _take_actual),
    "ellipsis": Matcher(_ellipsis, _line_ellipsis, _keep_matching_lines),
    "regex": Matcher(_regex, _line_regex, None),
    "table": Matcher(_table, lambda w, g: _row_match(w.split(), g.split()), _take_actual),
}
DEFAULT = "ellipsis"  # an expect block without match=


def _got_line(ops: list[tuple[str, str]], index: int) -> int:
    return 1 + sum(tag != "-" for tag, _ in ops[:index])


Op = tuple[str, "int | None", "int | None"]


def _align(want: list[str], got: list[str], same: Callable[[str, str], bool]) -> list[Op]:
    """Minimal edit script between `want` and `got`: (tag, want index, got index) with tags
    " " (same), "-" (expected only), "+" (actual only) and "~" (actual lines absorbed by an
    `...` line; once with no actual line when it absorbs none)."""
    n, m = len(want), len(got)
    if (n + 1) * (m + 1) > _MAX_ALIGN:
        import difflib

        ops: list[Op] = []
        i = j = 0
        for line in difflib.ndiff(want, got):
            if line[0] == " ":
                ops.append((" ", i, j))
                i, j = i + 1, j + 1
            elif line[0] == "-":
                ops.append(("-", i, None))
                i += 1
            elif line[0] == "+":
                ops.append(("+", None, j))
                j += 1
        return ops
    inf = n + m + 1
    # cost[i][j]: edits to align want[i:] with got[j:] (a changed line costs one edit)
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    cost[n][m] = 0
    for j in range(m - 1, -1, -1):
        cost[n][j] = cost[n][j + 1] + 1
    for i in range(n - 1, -1, -1):
        wild = want[i].strip() == ELLIPSIS
        row, below = cost[i], cost[i + 1]
        row[m] = below[m] + (0 if wild else 1)
        for j in range(m - 1, -1, -1):
            if wild:
                row[j] = min(below[j], row[j + 1])
            elif same(want[i], got[j]):
                row[j] = below[j + 1]
            else:
                row[j] = min(below[j], row[j + 1], below[j + 1]) + 1
    ops = []
    i = j = 0
    while i < n or j < m:
        if i < n and want[i].strip() == ELLIPSIS:
            # End the `...` as soon as that costs nothing more: lines after it pair up.
            if j < m and cost[i][j] != cost[i + 1][j]:
                ops.append(("~", i, j))
                j += 1
            else:
                if not ops or ops[-1][:2] != ("~", i):
                    ops.append(("~", i, None))
                i += 1
            continue
        if i < n and j < m and cost[i][j] == cost[i + 1][j + 1] and same(want[i], got[j]):
            ops.append((" ", i, j))
            i, j = i + 1, j + 1
        elif i < n and j < m and cost[i][j] == cost[i + 1][j + 1] + 1:
            ops += [("-", i, None), ("+", None, j)]
            i, j = i + 1, j + 1
        elif i < n and cost[i][j] == cost[i + 1][j] + 1:
            ops.append(("-", i, None))
            i += 1
        else:
            ops.append(("+", None, j))
            j += 1
    return ops
