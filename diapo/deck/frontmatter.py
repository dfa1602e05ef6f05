"""The YAML front-matter block, as markdown-it-front-matter finds it (first line `---`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from diapo.deck import yamlish
from diapo.deck.directives import all_keys
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
            "la première ligne commence par '---' suivi de texte : Marp y voit l'ouverture d'un "
            "front-matter", at(path, 1),
            hint="écrivez le '---' qui ouvre le front-matter seul sur sa ligne")
    count = len(opening.group(1))
    for end in range(1, len(lines)):
        line = lines[end]
        if line.startswith("-" * count) and not line.lstrip("-").strip(" \t"):
            break
    else:
        raise DeckError("le front-matter ouvert ici n'est jamais fermé par une ligne '---'",
                        at(path, 1))
    text = "\n".join(lines[1:end])
    try:
        data = yamlish.load(yamlish.loosen(text, all_keys()))
    except yaml.YAMLError as exc:
        err_line = yamlish.error_line(exc)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DeckError(f"YAML du front-matter invalide : {problem}",
                        at(path, 2 + err_line if err_line is not None else 1)) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DeckError("le front-matter doit être un dictionnaire YAML de directives", at(path, 2))
    return FrontMatter(data=data, body_start=end + 1, text=text)


def key_lines(fm: FrontMatter) -> dict[str, int]:
    """0-based offset (inside the front-matter text) of each top-level key, for messages."""
    found: dict[str, int] = {}
    for i, line in enumerate(fm.text.split("\n")):
        m = re.match(r"""["']?([^\s:"'#][^:"']*)["']?\s*:""", line)
        if m and not line[:1].isspace():
            found.setdefault(m.group(1).strip(), i)
    return found
