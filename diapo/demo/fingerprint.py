"""The fingerprint of a demo step: everything its verified result depends on.

A result in the verify report is proof only for the fingerprint it was run with: the site
compares it with the fingerprint of the deck as it is now and says "modifiée depuis la
vérification" on any difference; `invoke verify --changed` reruns the decks that differ.

Two parts per step:

- its *effect*, what it does to the session and the cluster: kind, language, code, `file=`
  path, `wait=`, the effective `timeout=` (and `wait_timeout`), `only=`, `needs=`, and the
  content of the work-directory files it uses (`demos/<deck>/` files and `file=` blocks);
- its *verdict*, how its outcome is judged: the effect plus the `expect` block (text and
  match mode), `exit=` and `warn=`.

A step's fingerprint is its verdict and the effects of every earlier step of the deck that
runs in verification (they share the shell session and the namespace). So editing an
`expect` line or `exit=` un-verifies that step only; editing a command, a manifest it applies
or a `wait=` un-verifies that step and the later ones; earlier steps stay verified.

A step uses a file when its code names it (path, file name, a directory holding it, or a
glob matching it); a file that no step names is counted as used by every shell step (it
may be read through a path diapo cannot see), and a step that runs a script of the work
directory (`sh prepare.sh`, `./run.py`, a Makefile) uses every file (the script may read
any of them).
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from diapo.deck.model import Deck, Demo, DemoKind
from diapo.errors import DiapoError
from diapo.project import Project

SCHEME = 1  # bump when the recipe changes: old fingerprints then no longer match
DEFAULT_TIMEOUT, DEFAULT_WAIT_TIMEOUT = 60.0, 120.0
_WORD_SPLIT = re.compile(r"[\s;|&<>()=,'\"`]+")
_SCRIPTS = (".sh", ".bash", ".py", ".pl", ".rb", ".js", "Makefile", "makefile")


@dataclass(frozen=True)
class Inputs:
    """What outside the deck a step's result depends on: the project's settings."""

    demos_dir: Path | None  # <root>/demos (the deck's files are in demos/<deck>/)
    timeout: float = DEFAULT_TIMEOUT
    wait_timeout: float = DEFAULT_WAIT_TIMEOUT


def inputs_for(deck: Deck) -> Inputs:
    """The inputs of the project holding `deck` (its mkdocs.yml), defaults outside one."""
    try:
        project = Project.find(Path(deck.path).resolve().parent)
        stamp = project.mkdocs_yml.stat().st_mtime_ns
    except (DiapoError, OSError):
        return Inputs(None)
    return _project_inputs(project, stamp)


@lru_cache(maxsize=32)
def _project_inputs(project: Project, _stamp: int) -> Inputs:
    try:
        config = project.config
    except DiapoError:
        return Inputs(project.root / "demos")
    return Inputs(project.root / config.demos_dir, float(config.timeout),
                  float(config.wait_timeout))


def _digest(*parts: object) -> str:
    data = json.dumps([SCHEME, *parts], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


def work_files(deck: Deck, inputs: Inputs) -> dict[str, str]:
    """Relative path -> content digest of the run's work directory: `demos/<deck>/`, then the
    deck's `file=` blocks (which win, as in the engine)."""
    files: dict[str, str] = {}
    if inputs.demos_dir is not None:
        source = inputs.demos_dir / deck.name
        if source.is_dir():
            for path in sorted(source.rglob("*")):
                if path.is_file():
                    try:
                        content = path.read_bytes()
                    except OSError:
                        content = b"\0unreadable"
                    files[path.relative_to(source).as_posix()] = hashlib.sha256(
                        content).hexdigest()
    for demo in deck.demos:
        if demo.kind is DemoKind.FILE and demo.path:
            text = demo.code if demo.code.endswith("\n") or not demo.code else demo.code + "\n"
            files[demo.path] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return files


def used_files(code: str, paths: list[str]) -> set[str]:
    """The paths among `paths` that the shell code names (see the module docstring)."""
    used: set[str] = set()
    for word in _WORD_SPLIT.split(code):
        word = word.strip()
        while word.startswith("./"):
            word = word[2:]
        if not word or word.startswith("-"):
            continue
        glob = any(c in word for c in "*?[")
        folder = word.rstrip("/")
        for path in paths:
            name = posixpath.basename(path)
            if (word in (".", "./") or path == word or name == word or path.endswith("/" + word)
                    or (folder and path.startswith(folder + "/"))
                    or (glob and (fnmatch.fnmatch(path, word) or fnmatch.fnmatch(name, word)))):
                used.add(path)
    return used


def _effect(demo: Demo, inputs: Inputs, files: dict[str, str], uses: set[str]) -> str:
    timeout = None
    if demo.kind is DemoKind.RUN:
        timeout = demo.timeout or inputs.timeout
    parts: list[object] = [demo.kind.value, demo.lang, demo.code, demo.path, demo.wait, timeout,
             inputs.wait_timeout if demo.wait else None, demo.only, demo.needs,
             sorted((path, files[path]) for path in uses)]
    if getattr(demo, "interactive", False):  # only then: other steps keep their fingerprint
        parts.append(("interactive", demo.input, files.get(demo.input or "")))
    return _digest(*parts)


def _verdict(demo: Demo, effect: str) -> str:
    expect = demo.expect
    return _digest(effect, expect.text if expect else None,
                   expect.match if expect else None, demo.exit,
                   list(getattr(demo, "warn", []) or []))


def deck_fingerprints(deck: Deck, inputs: Inputs | None = None) -> dict[str, str]:
    """The fingerprint of every demo of the deck, by demo id."""
    inputs = inputs if inputs is not None else inputs_for(deck)
    files = work_files(deck, inputs)
    paths = sorted(files)
    runs = [d for d in deck.demos if d.kind is DemoKind.RUN]
    named = {d.id: used_files(d.code, paths) for d in runs}
    unnamed = set(paths) - set().union(*named.values()) if named else set(paths)
    result: dict[str, str] = {}
    chain: list[str] = []  # effects of the earlier steps that run in verification
    for demo in deck.demos:
        uses = set()
        if demo.kind is DemoKind.RUN:
            uses = named[demo.id] | unnamed
            if any(path.endswith(_SCRIPTS) for path in named[demo.id]):
                uses = set(paths)
        elif demo.kind is DemoKind.FILE and demo.path:
            uses = {demo.path}
        effect = _effect(demo, inputs, files, uses)
        if demo.kind is DemoKind.FILE:  # written before any step: no earlier step affects it
            result[demo.id] = _digest(_verdict(demo, effect))
            continue
        result[demo.id] = _digest(_verdict(demo, effect), chain)
        if demo.only != "live":
            chain.append(effect)
    return result
