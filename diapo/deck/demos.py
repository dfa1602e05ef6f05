"""The demo-tag language of design.md: tagged fences become typed `Demo` steps.

```bash demo            a shell step          ```yaml file=k8s/app.yaml   written before any step
```yaml apply           server-side applied   ```text expect match=table  output of the step before
options: demo=ID exit=N timeout=S wait="kind/name Condition" only=live|ci needs=node hidden
         warn="text of an accepted warning"
         interactive input=PATH
```
A fence with none of these words is plain code. On a tagged fence any other word is an error.
"""

from __future__ import annotations

import posixpath
import re

from diapo.deck import fences as fences_mod
from diapo.deck.model import Demo, DemoKind, Expect, Fence, MatchMode
from diapo.errors import DeckError, Location

TAGS = ("demo", "file", "apply", "expect")
OPTIONS: tuple[str, ...] = ("match", "exit", "timeout", "wait", "only", "needs", "hidden")
OPTIONS += ("warn",)  # accepted `Warning:` (a substring), repeatable
OPTIONS += ("interactive", "input")  # a step that reads the keyboard
ONLY_VALUES = ("live", "ci")
NEEDS_VALUES = ("node",)
APPLY_LANGS = ("yaml", "yml", "json")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*$")
_FLAGS: tuple[str, ...] = ("apply", "expect", "hidden")  # never take a value
_VALUED: tuple[str, ...] = ("file", "match", "exit", "timeout", "wait", "only", "needs")  # always take one
_VALUED += ("warn",)
_FLAGS += ("interactive",)  # `interactive` / `input=`
_VALUED += ("input",)


def is_tagged(fence: Fence) -> bool:
    """Whether the fence uses the demo-tag language at all."""
    return any(k in TAGS or k in OPTIONS for k in fence.attrs)


def _check_attrs(fence: Fence, pairs: list[tuple[str, str | bool]]) -> None:
    where = fence.location
    for key, value in pairs:
        if key not in TAGS and key not in OPTIONS:
            raise DeckError(f"unknown demo attribute '{key}'", where,
                            hint="known: " + ", ".join(TAGS + OPTIONS))
        if key in _FLAGS and value is not True:
            raise DeckError(f"'{key}' takes no value (write just '{key}')", where)
        if key in _VALUED and (value is True or value == ""):
            raise DeckError(f"'{key}' needs a value ({key}=...)", where)
        if key == "demo" and value is not True and not _ID.match(str(value)):
            raise DeckError(f"invalid demo id {value!r}: use letters, digits, '.', '_', '-'",
                            where)


def _number(key: str, value: str, where: Location, *, integer: bool) -> float:
    try:
        number = int(value) if integer else float(value)
    except ValueError:
        kind = "an integer" if integer else "a number of seconds"
        raise DeckError(f"invalid {key}={value!r}: expected {kind}", where) from None
    if not integer and not number > 0:
        raise DeckError(f"invalid {key}={value!r}: expected a positive number of seconds", where)
    return number


def _safe_path(value: str, where: Location, key: str = "file") -> str:
    if value.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", value):
        raise DeckError(f"{key}={value!r} must be a relative path", where)
    norm = posixpath.normpath(value.replace("\\", "/"))
    if norm == ".." or norm.startswith("../") or norm == ".":
        raise DeckError(f"{key}={value!r} escapes the run's work directory", where)
    return norm


def _pick(key: str, value: str, allowed: tuple[str, ...], where: Location) -> str:
    if value not in allowed:
        raise DeckError(f"invalid {key}={value!r}: expected " + " or ".join(allowed), where)
    return value


def _expect(fence: Fence, attrs: dict[str, str | bool]) -> Expect:
    where = fence.location
    extra = [k for k in attrs if k not in ("expect", "match")]
    if extra:
        raise DeckError(f"'{extra[0]}' is not allowed on an expect block (only match=)", where)
    try:
        match = MatchMode(attrs.get("match", "ellipsis"))
    except ValueError:
        raise DeckError(f"invalid match={attrs['match']!r}: expected exact, ellipsis, regex or "
                        "table", where) from None
    return Expect(text=fence.text, match=match, location=where, end_line=fence.end_line)


def make(fence: Fence, slide: int, ordinal: int) -> Demo:
    """The `Demo` of a tagged fence (not an expect block); `ordinal` is k in "<slide>-<k>"."""
    where = fence.location
    attrs = fence.attrs
    _lang, _attrs, pairs = fences_mod.parse_info(fence.info, where.path, where.line)
    _check_attrs(fence, pairs)
    if "match" in attrs:
        raise DeckError("match= belongs on the expect block that follows the demo", where)
    tags = [t for t in ("demo", "apply", "file") if t in attrs]
    if not tags:
        raise DeckError("demo options need a demo, apply or file= tag on the same fence", where)
    if "demo" in attrs and len(tags) > 1:
        raise DeckError("'demo' cannot be combined with " + " or ".join(tags[1:]) +
                        ": a step either runs its text, applies it or writes it", where)
    if "apply" in attrs:
        kind = DemoKind.APPLY
        if fence.lang.lower() not in APPLY_LANGS:
            raise DeckError(f"apply needs a YAML or JSON block, not {fence.lang or 'no language'!r}",
                            where)
    else:
        kind = DemoKind.RUN if "demo" in attrs else DemoKind.FILE
    demo_id = attrs.get("demo")
    demo = Demo(
        id=demo_id if isinstance(demo_id, str) else f"{slide}-{ordinal}",
        kind=kind, lang=fence.lang, code=fence.text, location=where, slide=slide, fence=fence,
        hidden="hidden" in attrs,
    )
    if "file" in attrs:
        demo.path = _safe_path(str(attrs["file"]), where)
    if "exit" in attrs:
        demo.exit = int(_number("exit", str(attrs["exit"]), where, integer=True))
    if "timeout" in attrs:
        demo.timeout = _number("timeout", str(attrs["timeout"]), where, integer=False)
    if "only" in attrs:
        demo.only = _pick("only", str(attrs["only"]), ONLY_VALUES, where)
    if "needs" in attrs:
        demo.needs = _pick("needs", str(attrs["needs"]), NEEDS_VALUES, where)
    _interactive(demo, attrs, where)
    demo.wait = [str(v) for k, v in pairs if k == "wait"]
    if demo.wait and kind == DemoKind.FILE:
        raise DeckError("wait= needs a step (demo or apply), not a file= block", where)
    demo.warn = [str(v) for k, v in pairs if k == "warn"]
    if demo.warn and kind == DemoKind.FILE:
        raise DeckError("warn= needs a step (demo or apply), not a file= block", where)
    return demo


def _interactive(demo: Demo, attrs: dict[str, str | bool], where: Location) -> None:
    """`interactive` and `input=PATH` (which implies it): only on a shell step."""
    if "interactive" not in attrs and "input" not in attrs:
        return
    if demo.kind is not DemoKind.RUN:
        word = "interactive" if "interactive" in attrs else "input="
        raise DeckError(f"'{word}' needs a shell step (demo), not an apply or file= block",
                        where)
    demo.interactive = True
    if "input" in attrs:
        demo.input = _safe_path(str(attrs["input"]), where, "input")


def attach(deck_demos: list[Demo], previous: Fence | None, fence: Fence) -> Expect:
    """Attach an expect fence to the demo step right before it; error if there is none."""
    _lang, _attrs, pairs = fences_mod.parse_info(fence.info, fence.location.path,
                                                fence.location.line)
    _check_attrs(fence, pairs)
    expect = _expect(fence, fence.attrs)
    target = deck_demos[-1] if deck_demos else None
    if (target is not None and target.expect is not None and previous is not None
            and previous.location == target.expect.location):
        raise DeckError(f"demo '{target.id}' already has an expect block at line "
                        f"{target.expect.location.line}", fence.location)
    if target is None or previous is None or target.fence is not previous:
        raise DeckError("an expect block must follow a demo step (demo or apply fence)",
                        fence.location)
    if target.kind == DemoKind.FILE:
        raise DeckError("an expect block cannot follow a file= block: it has no output",
                        fence.location)
    target.expect = expect
    return expect


class Collector:
    """Turns a deck's fences into demo steps in source order: ids, expect blocks, duplicates."""

    def __init__(self) -> None:
        self.demos: list[Demo] = []
        self._ids: dict[str, Demo] = {}
        self._previous: Fence | None = None
        self._slide = 0
        self._ordinal = 0

    def add(self, fence: Fence, slide: int) -> bool:
        """Read one fence of slide number `slide`; True if it is hidden from the slide."""
        if slide != self._slide:
            self._slide, self._ordinal = slide, 0
        previous, self._previous = self._previous, fence
        if not is_tagged(fence):
            return False
        if "expect" in fence.attrs:
            attach(self.demos, previous, fence)
            return self.demos[-1].hidden
        self._ordinal += 1
        demo = make(fence, slide, self._ordinal)
        if demo.id in self._ids:
            raise DeckError(f"duplicate demo id '{demo.id}' (first used at line "
                            f"{self._ids[demo.id].location.line})", fence.location)
        self._ids[demo.id] = demo
        self.demos.append(demo)
        return demo.hidden
