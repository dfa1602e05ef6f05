"""Variadic positional arguments for invoke tasks: `invoke verify kubernetes cloud`.

invoke's parser gives each positional argument one word; a second bare word must be a task
name, else "No idea what 'cloud' is!". A `RestTask` declares one rest argument that takes
every bare word after the task name, except the names of tasks (`invoke verify build` still
runs both) and the values of its flags (`--demo pod`, which the parser reads first).

invoke has no hook for this: the parser fills a positional argument while it reads as
"missing" (value None) and fails at the end of the task's words if one still does. The rest
argument therefore reads as missing exactly while the parser is reading a word that may be
one of its own, found by looking at the parser's frame (its `handle(token)`); the real-CLI
test in tests/test_task_args.py fails if a new invoke changes that.
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

from invoke import Task
from invoke.parser import Argument

_DEPTH = 6  # frames between Argument.value and Parser.handle (list comprehension included)


def _parser_takes_word() -> bool:
    """Whether the caller is invoke's parser asking for a word it may give the rest."""
    frame: FrameType | None = sys._getframe(2)
    for _ in range(_DEPTH):
        if frame is None:
            return False
        name = frame.f_code.co_name
        if name == "see_positional_arg":
            return True
        if name == "handle":
            token, parser = frame.f_locals.get("token"), frame.f_locals.get("self")
            return (isinstance(token, str) and not token.startswith("-")
                    and token not in getattr(parser, "contexts", {}))
        if name in ("complete_context", "check_ambiguity"):
            return False
        frame = frame.f_back
    return False


class RestArgument(Argument):
    """A positional argument that collects every word given to it (a list)."""

    def __init__(self, name: str, help: str | None = None):
        super().__init__(name=name, kind=list, default=[], positional=True, help=help)

    @property  # type: ignore[override]
    def value(self) -> Any:
        if _parser_takes_word():
            return None
        return self._value if self._value is not None else []

    @value.setter
    def value(self, word: Any) -> None:
        self._value = [*(self._value or []), word]
        self.raw_value = word


class RestTask(Task):
    """A task whose argument named in `rest` takes the bare words after the task name."""

    def __init__(self, *args: Any, rest: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rest = rest

    def get_arguments(self, ignore_unknown_help: bool | None = None) -> list[Argument]:
        arguments = super().get_arguments(ignore_unknown_help=ignore_unknown_help)
        replaced = []
        for argument in arguments:
            if argument.name == self.rest:
                argument = RestArgument(self.rest, help=argument.help)
            replaced.append(argument)
        return replaced
