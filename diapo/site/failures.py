"""How the site build fails: one error naming every broken place, file and line.

`SiteError` is a `DiapoError` (invoke prints it in one line, no traceback) and a Click exception
(so a plain `mkdocs build` also prints `Error: ...` instead of a traceback).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import click

from diapo.errors import DiapoError, DiapoWarning, Location


class SiteError(DiapoError, click.ClickException):
    """The site cannot be built as asked; the message names files and lines."""

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None):
        DiapoError.__init__(self, message, location, hint)
        self.exit_code = 1

    def format_message(self) -> str:
        return str(self)


def from_problems(problems: Sequence[DiapoWarning]) -> SiteError:
    """One error for all problems (the single-problem case keeps its location)."""
    if len(problems) == 1:
        return SiteError(problems[0].message, problems[0].location)
    lines = "\n".join(f"  {problem}" for problem in problems)
    return SiteError(f"{len(problems)} problèmes dans les decks :\n{lines}")


def handle(problems: Sequence[DiapoWarning], *, strict: bool,
           log: logging.Logger | logging.LoggerAdapter) -> None:
    """Fail on `problems` when strict, else log each one as a warning."""
    if not problems:
        return
    if strict:
        raise from_problems(problems)
    for problem in problems:
        log.warning(str(problem))
