"""Marp's directives: which names exist, their scope, and their validated values.

Global directives apply to the whole deck (the last value wins), local directives apply to
their slide and the following ones, spot directives (`_` + a local name) to one slide only.
The names are marp-core's (`theme`, `style`, `headingDivider`, `lang`, `size`, `math`), plus
the metadata directives marp-cli and the VS Code extension read (`title`, `description`,
`author`, `keywords`, `image`, `url`, `marp`). Marp silently ignores a bad value; diapo
reports it. The directives are one table, DIRECTIVES: name -> scope and value parser.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

PAGINATE_VALUES = ("true", "false", "hold", "skip")
MATH_VALUES = ("mathjax", "katex")


class InvalidValue(ValueError):
    """A directive's value is not one Marp accepts; the message says what is expected."""


def is_global(key: str) -> bool:
    """Whether `key` names a global directive."""
    spec = DIRECTIVES.get(key)
    return spec is not None and spec.scope == GLOBAL


def is_local(key: str) -> bool:
    """Whether `key` names a local directive (without the spot prefix)."""
    spec = DIRECTIVES.get(key)
    return spec is not None and spec.scope == LOCAL


def is_known(key: str) -> bool:
    """Whether Marp recognises `key` as a directive (global, local or spot)."""
    return key in DIRECTIVES or (key[:1] == "_" and is_local(key[1:]))


def all_keys() -> tuple[str, ...]:
    """Every directive name, globals first (read from DIRECTIVES each time: one table)."""
    return (*(k for k, spec in DIRECTIVES.items() if spec.scope == GLOBAL),
            *(k for k, spec in DIRECTIVES.items() if spec.scope == LOCAL))


def suggest(key: str, keys: tuple[str, ...] | None = None) -> str | None:
    """The directive name `key` is probably a misspelling of, if any (`keys`: `all_keys()`,
    when the caller has it already)."""
    close = _closest(key.removeprefix("_"), all_keys() if keys is None else keys)
    if close is None:
        return None
    # A spot prefix is kept only for a local directive: read from the table now, not cached.
    return ("_" if key.startswith("_") and is_local(close) else "") + close


@lru_cache(maxsize=1024)
def _closest(bare: str, keys: tuple[str, ...]) -> str | None:
    """The name of `keys` closest to `bare` (difflib, else a case-insensitive match)."""
    close = difflib.get_close_matches(bare, keys, n=1, cutoff=0.8)
    if close:
        return close[0]
    lowered = {k.lower(): k for k in keys}
    return lowered.get(bare.lower())


def unknown(key: str, tail: str = "ignorée") -> str:
    """The warning for an unknown directive `key`, with a suggestion when one is close."""
    hint = suggest(key)
    return f"directive inconnue '{key}' {tail}".rstrip() + (
        f" (vouliez-vous dire '{hint}' ?)" if hint else "")


def _string(key: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    raise InvalidValue(f"'{key}' attend un texte, pas une valeur YAML de type "
                       f"{type(value).__name__}")


def _heading_divider(value: Any) -> int | list[int] | bool:
    levels = value if isinstance(value, list) else [value]
    result = []
    for item in levels:
        if isinstance(item, str) and item.strip().isdigit() and 1 <= int(item) <= 6:
            result.append(int(item))
        elif not isinstance(value, list) and item == "false":
            return False
        else:
            raise InvalidValue(
                f"headingDivider {item!r} invalide : attendu un niveau de titre de 1 à 6, une "
                "liste de niveaux ou false")
    return result if isinstance(value, list) else result[0]


def _paginate(key: str, value: Any) -> bool | str:
    text = _string(key, value).strip().lower()
    if text not in PAGINATE_VALUES:
        raise InvalidValue(
            f"valeur {value!r} invalide pour paginate : attendu true, false, hold ou skip")
    return {"true": True, "false": False}.get(text, text)


def _math(key: str, value: Any) -> str:
    text = _string(key, value)
    if text not in MATH_VALUES:
        raise InvalidValue(f"valeur {value!r} invalide pour math : attendu mathjax ou katex")
    return text


def _marp(key: str, value: Any) -> bool:
    text = _string(key, value).strip().lower()
    if text not in ("true", "false"):
        raise InvalidValue(f"valeur {value!r} invalide pour marp : attendu true ou false")
    return text == "true"


def _words(separator: str) -> Callable[[str, Any], str]:
    """Text, or a YAML list of texts joined (`class: [lead, invert]`, `keywords`)."""
    def parse(key: str, value: Any) -> str:
        if isinstance(value, list):
            return separator.join(_string(key, v) for v in value)
        return _string(key, value)
    return parse


@dataclass(frozen=True)
class DirectiveSpec:
    """One Marp directive: its scope and how its value is read.

    A global applies to the deck (the last value wins); a local to its slide and the
    following ones, and as a spot directive (`_name`) to its slide only. A new directive is
    one row of DIRECTIVES; what it does to a slide is `attributes.section_attributes`'.
    """

    scope: str  # GLOBAL or LOCAL
    parse: Callable[[str, Any], Any] = _string  # (name, YAML value) -> value; InvalidValue


GLOBAL, LOCAL = "global", "local"
DIRECTIVES: dict[str, DirectiveSpec] = {
    # marp-core's globals, then the metadata marp-cli and the VS Code extension read.
    "theme": DirectiveSpec(GLOBAL), "style": DirectiveSpec(GLOBAL),
    "headingDivider": DirectiveSpec(GLOBAL, lambda _key, value: _heading_divider(value)),
    "size": DirectiveSpec(GLOBAL), "math": DirectiveSpec(GLOBAL, _math),
    "lang": DirectiveSpec(GLOBAL), "title": DirectiveSpec(GLOBAL),
    "description": DirectiveSpec(GLOBAL), "author": DirectiveSpec(GLOBAL),
    "keywords": DirectiveSpec(GLOBAL, _words(", ")), "image": DirectiveSpec(GLOBAL),
    "url": DirectiveSpec(GLOBAL), "marp": DirectiveSpec(GLOBAL, _marp),
    # Locals (and spot directives, `_` + the name).
    "paginate": DirectiveSpec(LOCAL, _paginate), "header": DirectiveSpec(LOCAL),
    "footer": DirectiveSpec(LOCAL), "class": DirectiveSpec(LOCAL, _words(" ")),
    "backgroundColor": DirectiveSpec(LOCAL), "backgroundImage": DirectiveSpec(LOCAL),
    "backgroundPosition": DirectiveSpec(LOCAL), "backgroundRepeat": DirectiveSpec(LOCAL),
    "backgroundSize": DirectiveSpec(LOCAL), "color": DirectiveSpec(LOCAL),
}


def validate(key: str, value: Any) -> Any:
    """The value Marp would apply for directive `key` (no spot prefix); `InvalidValue` if bad.

    `paginate` becomes True / False / "hold" / "skip", `class` and `keywords` lists are
    joined, `headingDivider` a level or a list of levels, `marp` a boolean, the rest text.
    """
    spec = DIRECTIVES.get(key)
    return _string(key, value) if spec is None else spec.parse(key, value)
