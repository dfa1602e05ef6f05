"""`verify --update`: rewrite `expect` blocks from the actual output, touching nothing else."""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from pathlib import Path

from diapo.deck.model import Expect
from diapo.demo.match import normalize
from diapo.errors import DiapoError

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})")


def rewrite_expects(path: Path, updates: list[tuple[Expect, str]]) -> str:
    """Replace the body of each `expect` block of `path` with its new text; atomic write.

    Returns the unified diff of the change ("" when nothing changed). The file must still be
    the one that was parsed: a fence not where the model says is a `DiapoError`.
    """
    raw = path.read_bytes().decode("utf-8")
    lines = raw.splitlines(keepends=True)
    newline = "\r\n" if raw.count("\r\n") * 2 > raw.count("\n") else "\n"
    for expect, actual in sorted(updates, key=lambda u: u[0].location.line, reverse=True):
        start, end = expect.location.line, expect.end_line  # opening / closing fence, 1-based
        opening = _FENCE.match(lines[start - 1]) if start - 1 < len(lines) else None
        closing = _FENCE.match(lines[end - 1]) if end - 1 < len(lines) else None
        if not opening or not closing:
            raise DiapoError("bloc expect introuvable (le fichier a changé depuis la lecture)",
                             expect.location)
        indent, marker = opening.group(1), opening.group(2)
        body = normalize(actual)
        if any(line.lstrip().startswith(marker) for line in body.split("\n")):
            raise DiapoError(f"la sortie contient {marker}: allongez la clôture du bloc expect",
                             expect.location)
        new = [f"{indent}{line}".rstrip() + newline for line in body.split("\n")] if body else []
        lines[start:end - 1] = new
    text = "".join(lines)
    if text == raw:
        return ""
    _atomic_write(path, text)
    return "".join(difflib.unified_diff(raw.splitlines(keepends=True), lines,
                                        f"a/{path.name}", f"b/{path.name}"))


def _atomic_write(path: Path, text: str) -> None:
    """Write through a temporary file in the same directory, then rename over the original."""
    mode = path.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


