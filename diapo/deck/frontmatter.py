"""The YAML front-matter block, as markdown-it-front-matter finds it (first line `---`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from diapo.deck import yamlish
from diapo.deck.directives import ALL_KEYS
from diapo.errors import DeckError, at

_OPEN = re.compile(r"(-{3,})[ \t]*$")


@dataclass
class FrontMatter:
    """The parsed front-matter and where the deck's body starts (0-based line)."""

    data: dict[str, Any] = field(default_factory=dict)
    body_start: int = 0
    text: str = ""


def parse(lines: list[str], path: str) -> FrontMatter:
    """Find and parse the front-matter; malformed YAML is a `DeckError` at its line."""
    if not lines or not lines[0].startswith("---"):
        return FrontMatter()
    opening = _OPEN.match(lines[0])
    if opening is None:
        raise DeckError(
            "the first line starts with '---' followed by text: Marp reads it as a front-matter "
            "opener", at(path, 1), hint="write the front-matter opener '---' on its own line")
    count = len(opening.group(1))
    for end in range(1, len(lines)):
        line = lines[end]
        if line.startswith("-" * count) and not line.lstrip("-").strip(" \t"):
            break
    else:
        raise DeckError("the front-matter opened here is never closed by a '---' line",
                        at(path, 1))
    text = "\n".join(lines[1:end])
    try:
        data = yamlish.load(yamlish.loosen(text, ALL_KEYS))
    except yaml.YAMLError as exc:
        err_line = yamlish.error_line(exc)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DeckError(f"invalid front-matter YAML: {problem}",
                        at(path, 2 + err_line if err_line is not None else 1)) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DeckError("the front-matter must be a YAML mapping of directives", at(path, 2))
    return FrontMatter(data=data, body_start=end + 1, text=text)


def key_lines(fm: FrontMatter) -> dict[str, int]:
    """0-based offset (inside the front-matter text) of each top-level key, for messages."""
    found: dict[str, int] = {}
    for i, line in enumerate(fm.text.split("\n")):
        m = re.match(r"""["']?([^\s:"'#][^:"']*)["']?\s*:""", line)
        if m and not line[:1].isspace():
            found.setdefault(m.group(1).strip(), i)
    return found
