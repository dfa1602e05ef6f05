"""YAML as Marpit reads directives: js-yaml's FAILSAFE schema (every scalar is a string),
with marp-core's "loose YAML" quoting of known directive values (`footer: a: b` is allowed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import yaml

SPECIAL = "[\"'{|>~&*"  # value openers marp-core's loose YAML leaves unquoted


class _FailsafeLoader(yaml.BaseLoader):
    """BaseLoader (strings only, like FAILSAFE) that rejects duplicate keys like js-yaml."""


def _construct_mapping(loader: _FailsafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"clé '{key}' en double", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_FailsafeLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@lru_cache(maxsize=4)
def _loose_matcher(keys: tuple[str, ...]) -> re.Pattern[str]:
    names = "|".join(re.escape(k) for k in keys)
    key = rf"(?:_?(?:{names})|\"_?(?:{names})\"|'_?(?:{names})')"
    return re.compile(rf"^({key}\s*:)(.+)$")


def loosen(text: str, keys: Iterable[str]) -> str:
    """Quote the values of known directive keys, as Marpit's `convertLoose` does."""
    matcher = _loose_matcher(tuple(keys))

    def quote(m: re.Match[str]) -> str:
        prop, value = m.group(1), m.group(2)
        trimmed = value.strip()
        if not trimmed or trimmed[0] in SPECIAL:
            return m.group(0)
        spaces = value[: len(value) - len(value.lstrip())]
        return prop + spaces + '"' + trimmed.replace('"', '\\"') + '"'

    return "\n".join(matcher.sub(quote, line) for line in text.split("\n")).strip()


def load(text: str) -> Any:
    """Parse with the FAILSAFE-like loader; raises `yaml.YAMLError`.

    A final newline is added: js-yaml ends a clipped block scalar (`|`, `>`) with a line break
    even when the text does not, PyYAML only when it does.
    """
    return yaml.load(text + "\n", Loader=_FailsafeLoader)


def error_line(exc: yaml.YAMLError) -> int | None:
    """0-based line of a YAML error inside the parsed text, if known."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line if mark is not None else None
