"""The typing effect of the lecture mode: a command appears as if typed, highlighted as it goes.

Like doitlive, `--type N` types N characters per key press; like demo-magic, `--auto CPS` types
at a fixed speed. The command is highlighted once with rich's Syntax, then revealed slice by
slice, so the colours of a half-typed word are already those of the final line.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.console import Console
from rich.syntax import Syntax
from rich.text import Text

from diapo.demo.live_keys import CTRL_C, CTRL_D, ENTER


def highlighted(code: str, lexer: str) -> Text:
    """`code` highlighted with `lexer` (rich Syntax), without a trailing newline."""
    syntax = Syntax(code, lexer or "text", theme="monokai", background_color="default")
    text = syntax.highlight(code)
    text.rstrip()
    return text


class Typist:
    """Reveals a highlighted command on `console`, `step` characters at a time."""

    def __init__(self, console: Console, code: str, lexer: str, step: int = 1):
        self.console = console
        self.text = highlighted(code, lexer)
        self.step = max(1, step)
        self.shown = 0

    @property
    def done(self) -> bool:
        """The whole command is shown."""
        return self.shown >= len(self.text)

    def type(self, count: int | None = None) -> None:
        """Reveal the next `count` characters (default: one step); all of it with count=-1."""
        count = self.step if count is None else count
        end = len(self.text) if count < 0 else min(len(self.text), self.shown + count)
        if end > self.shown:
            # Newlines inside the command continue under the prompt, as a shell would show them.
            piece = self.text[self.shown:end]
            self.console.print(piece, end="", soft_wrap=True)
            self.console.file.flush()
            self.shown = end

    def retype(self) -> None:
        """Show again what was typed so far (after the prompt was printed anew)."""
        if self.shown:
            self.console.print(self.text[:self.shown], end="", soft_wrap=True)
            self.console.file.flush()

    def by_keys(self, read_key: Callable[[], str | None]) -> str | None:
        """Type one step per key press until all is shown; Enter types the rest at once.

        Returns None once the command is fully shown, or "ctrl-c" / "ctrl-d" if the lecturer
        broke off (every other key only types, as in doitlive).
        """
        while not self.done:
            key = read_key()
            if key in (CTRL_C, CTRL_D):
                return key
            if key is not None:
                self.type(-1 if key == ENTER else None)
        return None

    def at_speed(self, cps: float, read_key: Callable[[float], str | None]) -> str | None:
        """Type on its own at `cps` characters per second; Enter shows the rest at once.

        Returns None once the command is fully shown, or "ctrl-c" / "ctrl-d" / "q" if the
        lecturer broke off; other keys are ignored while it types.
        """
        delay = 1.0 / max(cps, 1.0)
        deadline = time.monotonic()
        while not self.done:
            deadline += delay
            key = read_key(max(0.0, deadline - time.monotonic()))
            if key in (CTRL_C, CTRL_D, "q"):
                return key
            if key == ENTER:
                self.type(-1)
            elif key is None:
                self.type(1)
        return None
