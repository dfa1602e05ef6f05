"""The `data-*` attributes marp-core puts on a slide's `<section>`, computed from a Deck.

The presentation view can reuse them so that themes written for Marp (which select on
`section[data-class]`, `section::after` with `data-marpit-pagination`, ...) work unchanged,
and the golden tests compare them with marp-core's own output.
"""

from __future__ import annotations

import re
from typing import Any

from diapo.deck.model import Deck, Slide

# marp-cli's metadata directives are read by marp-cli, not emitted by marp-core.
_NOT_EMITTED = frozenset({"title", "description", "author", "keywords", "image", "url", "marp"})


def _kebab(name: str) -> str:
    return re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name).lower()


def _text(value: Any) -> str:
    if value is True:
        return "true"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def section_attributes(deck: Deck, slide: Slide) -> dict[str, str]:
    """`data-*` attributes of the slide's section, as marp-core renders them."""
    attrs: dict[str, str] = {}
    merged = {**slide.directives, **{k: v for k, v in deck.directives.items()
                                     if k not in _NOT_EMITTED}}
    for key, value in merged.items():
        if value:
            attrs[f"data-{_kebab(key)}"] = _text(value)
    if slide.page is not None:
        attrs["data-marpit-pagination"] = str(slide.page)
        attrs["data-marpit-pagination-total"] = str(slide.total)
    if slide.fragments:
        attrs["data-marpit-fragments"] = str(slide.fragments)
    return attrs
