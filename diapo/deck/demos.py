"""The demo-tag language of design.md: tagged fences become typed `Demo` steps.

```bash demo            a shell step          ```yaml file=k8s/app.yaml   written before any step
```yaml apply           server-side applied   ```text expect match=table  output of the step before
options: demo=ID exit=N timeout=S wait="kind/name Condition" only=live|ci needs=node hidden
         warn="text of an accepted warning"
         interactive input=PATH
```
A fence with none of these words is plain code. On a tagged fence any other word is an error.
The options are one table, OPTION_SPECS: how each is written (flag or `name=value`, once or
repeated), which kinds of step accept it and what it records on the `Demo`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from types import ModuleType

from diapo.deck.model import Demo, DemoKind, Expect, Fence
from diapo.errors import DeckError, Location

TAGS = ("demo", "file", "apply", "expect")
ONLY_VALUES = ("live", "ci")
NEEDS_VALUES = ("node",)
APPLY_LANGS = ("yaml", "yml", "json")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TAG_FLAGS = ("apply", "expect")  # never take a value; `demo` may (its id), `file=` must


def is_tagged(fence: Fence) -> bool:
    """Whether the fence uses the demo-tag language at all."""
    return not _WORDS.isdisjoint(fence.attrs)


def _check_attrs(fence: Fence, pairs: tuple[tuple[str, str | bool], ...]) -> None:
    where = fence.location
    seen: set[str] = set()
    for key, value in pairs:
        spec = OPTION_SPECS.get(key)
        if key not in TAGS and spec is None:
            raise DeckError(f"balise de démo inconnue '{key}'", where,
                            hint="balises connues : " + ", ".join((*TAGS, *OPTION_SPECS)))
        flag = key in _TAG_FLAGS or (spec is not None and spec.flag)
        if flag and value is not True:
            raise DeckError(f"'{key}' ne prend pas de valeur (écrivez seulement '{key}')", where)
        valued = key == "file" or (spec is not None and not spec.flag)
        if valued and (value is True or value == ""):
            raise DeckError(f"'{key}' demande une valeur ({key}=...)", where)
        if key in seen and not (spec is not None and spec.repeat):
            raise DeckError(f"'{key}' écrit deux fois sur le même bloc", where)
        seen.add(key)
        if key == "demo" and value is not True and not _ID.match(str(value)):
            raise DeckError(f"identifiant de démo invalide {value!r} : lettres, chiffres, '.', '_' "
                            "et '-' seulement", where)


def _number(key: str, value: str, where: Location, *, integer: bool) -> float:
    try:
        number = int(value) if integer else float(value)
    except ValueError:
        kind = "un entier" if integer else "un nombre de secondes"
        raise DeckError(f"{key}={value!r} invalide : {kind} est attendu", where) from None
    if not integer and not number > 0:
        raise DeckError(f"{key}={value!r} invalide : un nombre de secondes positif est attendu",
                        where)
    return number


def _safe_path(value: str, where: Location, key: str = "file") -> str:
    if value.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", value):
        raise DeckError(f"{key}={value!r} doit être un chemin relatif", where)
    norm = posixpath.normpath(value.replace("\\", "/"))
    if norm == ".." or norm.startswith("../") or norm == ".":
        raise DeckError(f"{key}={value!r} sort du répertoire de travail de l'exécution", where)
    return norm


def _either(words: Sequence[str]) -> str:
    """`a`, `a ou b`, `a, b ou c`: alternatives in a French message."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " ou " + words[-1]


def _pick(key: str, value: str, allowed: tuple[str, ...], where: Location) -> str:
    if value not in allowed:
        raise DeckError(f"{key}={value!r} invalide : attendu {_either(allowed)}", where)
    return value


@cache
def _matching() -> ModuleType:
    """`diapo.demo.match`, imported on first use: the comparison belongs to the runner, which
    imports this model."""
    from diapo.demo import match

    return match


def _expect(fence: Fence, attrs: dict[str, str | bool]) -> Expect:
    where = fence.location
    extra = [k for k in attrs if k not in ("expect", "match")]
    if extra:
        raise DeckError(f"'{extra[0]}' n'est pas permis sur un bloc expect (seulement match=)",
                        where)
    # The modes are the matchers' table, read when used (a new mode is one row there).
    matching = _matching()
    match = _pick("match", str(attrs.get("match", matching.DEFAULT)), tuple(matching.MATCHERS),
                  where)
    return Expect(text=fence.text, match=match, location=where, end_line=fence.end_line)


def make(fence: Fence, slide: int, ordinal: int) -> Demo:
    """The `Demo` of a tagged fence (not an expect block); `ordinal` is k in "<slide>-<k>"."""
    where = fence.location
    attrs = fence.attrs
    _check_attrs(fence, fence.pairs)
    if "match" in attrs:
        raise DeckError("match= se met sur le bloc expect qui suit la démo", where)
    tags = [t for t in ("demo", "apply", "file") if t in attrs]
    if not tags:
        raise DeckError("les options de démo demandent une balise demo, apply ou file= sur le "
                        "même bloc", where)
    if "demo" in attrs and len(tags) > 1:
        raise DeckError(f"'demo' ne se combine pas avec {_either(tags[1:])} : une étape exécute "
                        "son texte, l'applique ou l'écrit, pas plusieurs à la fois", where)
    if "apply" in attrs:
        kind = DemoKind.APPLY
        if fence.lang.lower() not in APPLY_LANGS:
            lang = repr(fence.lang) if fence.lang else "un bloc sans langage"
            raise DeckError(f"apply demande un bloc YAML ou JSON, pas {lang}", where)
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
    for name, spec in OPTION_SPECS.items():  # in the table's order: the first error wins
        if name not in attrs or spec.record is None:
            continue
        values = [str(v) for k, v in fence.pairs if k == name]
        if kind not in spec.steps:
            raise DeckError(f"{spec.label} demande {_STEP_WORDS[spec.steps]}, pas "
                            f"{_NOT_STEP_WORDS[spec.steps]}", where)
        spec.record(demo, values, where)
    return demo


def _set_exit(demo: Demo, values: list[str], where: Location) -> None:
    demo.exit = int(_number("exit", values[0], where, integer=True))


def _set_timeout(demo: Demo, values: list[str], where: Location) -> None:
    demo.timeout = _number("timeout", values[0], where, integer=False)


def _set_only(demo: Demo, values: list[str], where: Location) -> None:
    demo.only = _pick("only", values[0], ONLY_VALUES, where)


def _set_needs(demo: Demo, values: list[str], where: Location) -> None:
    demo.needs = _pick("needs", values[0], NEEDS_VALUES, where)


def _set_wait(demo: Demo, values: list[str], where: Location) -> None:
    demo.wait = values


def _set_warn(demo: Demo, values: list[str], where: Location) -> None:
    demo.warn = values


def _set_interactive(demo: Demo, values: list[str], where: Location) -> None:
    demo.interactive = True


def _set_input(demo: Demo, values: list[str], where: Location) -> None:
    demo.interactive = True  # a scripted input implies a step that reads the keyboard
    demo.input = _safe_path(values[0], where, "input")


@dataclass(frozen=True)
class OptionSpec:
    """One option of the tag language: how it is written, where it is allowed, what it sets.

    A new option is one row of OPTION_SPECS (plus its field on `Demo` and its effect where
    steps run); the checks, the error messages and BALISES.md's test read the table.
    """

    name: str
    flag: bool = False  # written alone (`hidden`); else always `name=value`
    repeat: bool = False  # may be written several times; every value is kept, in order
    steps: tuple[DemoKind, ...] = tuple(DemoKind)  # the kinds of step it may be written on
    record: Callable[[Demo, list[str], Location], None] | None = None  # None: read elsewhere

    @property
    def label(self) -> str:
        """How a message names it: a flag quoted (`'interactive'`), else `name=`."""
        return f"'{self.name}'" if self.flag else f"{self.name}="


_SHELL, _STEPS = (DemoKind.RUN,), (DemoKind.RUN, DemoKind.APPLY)
_STEP_WORDS = {_SHELL: "une étape shell (demo)", _STEPS: "une étape (demo ou apply)"}
_NOT_STEP_WORDS = {_SHELL: "un bloc apply ou file=", _STEPS: "un bloc file="}

OPTION_SPECS: dict[str, OptionSpec] = {spec.name: spec for spec in (
    OptionSpec("match"),  # on the expect block (`_expect`); `make` refuses it on a step
    OptionSpec("exit", record=_set_exit),
    OptionSpec("timeout", record=_set_timeout),
    OptionSpec("wait", repeat=True, steps=_STEPS, record=_set_wait),
    OptionSpec("only", record=_set_only),
    OptionSpec("needs", record=_set_needs),
    OptionSpec("hidden", flag=True),  # read by `make`: a Demo field set at creation
    OptionSpec("warn", repeat=True, steps=_STEPS, record=_set_warn),  # accepted `Warning:`
    OptionSpec("interactive", flag=True, steps=_SHELL, record=_set_interactive),
    OptionSpec("input", steps=_SHELL, record=_set_input),
)}
_WORDS = frozenset((*TAGS, *OPTION_SPECS))  # every word of the language


def attach(deck_demos: list[Demo], previous: Fence | None, fence: Fence) -> Expect:
    """Attach an expect fence to the demo step right before it; error if there is none."""
    _check_attrs(fence, fence.pairs)
    expect = _expect(fence, fence.attrs)
    target = deck_demos[-1] if deck_demos else None
    if (target is not None and target.expect is not None and previous is not None
            and previous.location == target.expect.location):
        raise DeckError(f"la démo '{target.id}' a déjà un bloc expect (ligne "
                        f"{target.expect.location.line})", fence.location)
    if target is None or previous is None or target.fence is not previous:
        raise DeckError("un bloc expect doit suivre une étape de démo (bloc demo ou apply)",
                        fence.location)
    if target.kind == DemoKind.FILE:
        raise DeckError("un bloc expect ne peut pas suivre un bloc file= : il n'a pas de sortie",
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
            raise DeckError(f"identifiant de démo '{demo.id}' en double (déjà utilisé ligne "
                            f"{self._ids[demo.id].location.line})", fence.location)
        self._ids[demo.id] = demo
        self.demos.append(demo)
        return demo.hidden
