"""User-facing errors and warnings: every one names the deck file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple


class Location(NamedTuple):
    """A place in a source file: `path` as given to the parser, 1-based `line`.

    Immutable and ordered by (path, line); a named tuple because the parser makes one per
    slide, fence, image and note (a frozen dataclass takes about twice as long to create)."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class DiapoError(Exception):
    """An error the user can fix; printed as `file:line: message`, never as a traceback.

    A hint goes on its own line below, as `  conseil : ...` (French, as the message is).
    """

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def __reduce__(self) -> tuple:
        # Keep the location and hint when the error crosses a process boundary (site helper).
        return (type(self), (self.message, self.location, self.hint))

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.hint:
            text += f"\n  conseil : {self.hint}"
        return text


class DeckError(DiapoError):
    """The deck's source is invalid (front-matter, fence, directive, demo tag, encoding)."""


class ClusterError(DiapoError):
    """The Kubernetes cluster cannot be built, started, reached, or is not allowed."""


class DemoError(DiapoError):
    """A demo could not be run (not: a demo that ran and failed its expectation)."""


@dataclass(frozen=True)
class DiapoWarning:
    """A problem worth reporting that does not stop the build (e.g. an unknown directive)."""

    message: str
    location: Location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


def at(path: str | Path, line: int) -> Location:
    """Shorthand for a `Location`."""
    return Location(str(path), line)
