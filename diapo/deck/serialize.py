"""The stable dict / JSON form of a Deck (what `invoke inspect --json` prints).

Schema (version 1; keys are sorted when dumped, lines are 1-based):

    {"schema": 1, "name", "path", "title", "description", "directives": {global...},
     "front_matter": {...}, "warnings": [{"line", "message"}],
     "slides": [{"number", "line", "end_line", "title", "directives": {local + spot},
                 "page", "total", "fragments", "content",
                 "notes": [{"line", "text"}],
                 "images": [{"line", "src", "alt", "title", "width", "height", "background",
                             "split", "split_size", "size", "vertical", "filters"}],
                 "fences": [{"line", "end_line", "lang", "info", "attrs"}],
                 "demos": [{"id", "kind", "line", "lang", "path", "exit", "timeout", "wait",
                            "only", "needs", "hidden", "code",
                            "expect": null | {"line", "end_line", "match", "text"}}]}]}
"""

from __future__ import annotations

import json
from typing import Any

from diapo.deck.model import Deck, Demo, Image, Slide

SCHEMA = 1


def _image(image: Image) -> dict[str, Any]:
    return {
        "line": image.location.line, "src": image.src, "alt": image.alt, "title": image.title,
        "width": image.width, "height": image.height, "background": image.background,
        "split": image.split, "split_size": image.split_size, "size": image.size,
        "vertical": image.vertical, "filters": dict(image.filters),
    }


def _demo(demo: Demo) -> dict[str, Any]:
    expect = demo.expect
    return {
        "id": demo.id, "kind": demo.kind.value, "line": demo.location.line, "lang": demo.lang,
        "path": demo.path, "exit": demo.exit, "timeout": demo.timeout, "wait": list(demo.wait),
        "only": demo.only, "needs": demo.needs, "hidden": demo.hidden, "code": demo.code,
        "expect": None if expect is None else {
            "line": expect.location.line, "end_line": expect.end_line,
            "match": expect.match, "text": expect.text,
        },
    }


def slide_to_dict(slide: Slide) -> dict[str, Any]:
    """One slide in the stable form."""
    return {
        "number": slide.number, "line": slide.location.line, "end_line": slide.end_line,
        "title": slide.title, "directives": dict(slide.directives), "page": slide.page,
        "total": slide.total, "fragments": slide.fragments, "content": slide.content,
        "notes": [{"line": n.location.line, "text": n.text} for n in slide.notes],
        "images": [_image(i) for i in slide.images],
        "fences": [{"line": f.location.line, "end_line": f.end_line, "lang": f.lang,
                    "info": f.info, "attrs": dict(f.attrs)} for f in slide.fences],
        "demos": [_demo(d) for d in slide.demos],
    }


def to_dict(deck: Deck) -> dict[str, Any]:
    """The whole deck in the stable form (JSON-serialisable)."""
    return {
        "schema": SCHEMA, "name": deck.name, "path": str(deck.path), "title": deck.title,
        "description": deck.description, "directives": dict(deck.directives),
        "front_matter": deck.front_matter,
        "warnings": [{"line": w.location.line, "message": w.message} for w in deck.warnings],
        "slides": [slide_to_dict(s) for s in deck.slides],
    }


def to_json(deck: Deck) -> str:
    """`to_dict` dumped with sorted keys and two-space indentation (stable across runs)."""
    return json.dumps(to_dict(deck), ensure_ascii=False, indent=2, sort_keys=True)
