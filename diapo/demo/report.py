"""The verify report: what `invoke verify` proved, read back by the site to show it on slides.

JSON form (version 2), written atomically to `.diapo/verify.json` by default:

    {
      "version": 2,
      "date": "2026-11-26T17:00:00+00:00",
      "cluster": {"context": "diapo-local", "server": "https://127.0.0.1:6443",
                  "kubernetes_version": "v1.33.13", "simulated": true},
      "decks": [
        {"deck": "kubernetes", "path": "docs/kubernetes.md", "status": "passed",
         "duration": 12.3, "namespace": "diapo-kubernetes-ab12",
         "demos": [
           {"id": "12-1", "slide": 12, "line": 131, "kind": "run", "status": "passed",
            "reason": null, "duration": 0.41, "command": "kubectl get nodes",
            "output": "NAME ...", "exit_code": 0, "diff": null,
            "fingerprint": "3f9c...", "warnings": []}
         ]}
      ],
      "matrix": [{"date": ..., "cluster": {...}, "decks": [...]}]
    }

`status` of a demo is one of STATUSES; `reason` says why a demo was skipped or failed;
`fingerprint` (`diapo.demo.fingerprint`) is what the result proves; `warnings` the
`Warning:` lines of kubectl and the API server during the step. `matrix` holds the runs on
the other Kubernetes versions of a `--kubernetes` matrix (same form, no `matrix`).
A version 1 report (older diapo, no fingerprints) still loads: nothing in it counts as proof.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from diapo.errors import DiapoError

PASSED, FAILED, SKIPPED, WARNED = "passed", "failed", "skipped", "warned"
STATUSES = (PASSED, WARNED, FAILED, SKIPPED)
VERSION = 2
READABLE = (1, 2)  # report versions `load` accepts


@dataclass
class DemoResult:
    """The outcome of one demo step."""

    id: str
    slide: int
    line: int
    kind: str
    status: str
    reason: str | None = None
    duration: float = 0.0
    command: str = ""
    output: str = ""
    exit_code: int | None = None
    diff: str | None = None
    diagnostics: str | None = None  # on failure: slide, command, events, `describe`
    fingerprint: str | None = None  # what the result proves (None: an older diapo's report)
    warnings: list[str] = field(default_factory=list)  # kubectl / API server `Warning:`s


@dataclass
class DeckResult:
    """The outcome of one deck's run."""

    deck: str
    path: str
    status: str
    duration: float = 0.0
    namespace: str | None = None
    demos: list[DemoResult] = field(default_factory=list)
    error: str | None = None  # the deck could not be run, or its cleanup left something

    def counts(self) -> dict[str, int]:
        """Number of demos per status."""
        return {status: sum(d.status == status for d in self.demos) for status in STATUSES}


@dataclass
class ClusterInfo:
    """Where the demos ran."""

    context: str = ""
    server: str = ""
    kubernetes_version: str = ""
    simulated: bool = False


@dataclass
class Report:
    """A whole verify run."""

    date: str
    cluster: ClusterInfo
    decks: list[DeckResult] = field(default_factory=list)
    version: int = VERSION
    matrix: list[Report] = field(default_factory=list)  # runs on the other versions

    def deck(self, name: str) -> DeckResult | None:
        """The result for the deck named `name`, if it was verified."""
        return next((d for d in self.decks if d.deck == name), None)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"

    def save(self, path: str | Path) -> None:
        """Write the report atomically (a reader never sees half a file)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".verify-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(self.to_json())
        os.replace(tmp, path)


def load(path: str | Path) -> Report | None:
    """Read a report; None when there is none. A corrupt or truncated report is a one-line
    `DiapoError` naming the file."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("ce n'est pas un objet JSON")
        if data.get("version") not in READABLE:
            raise ValueError(f"version de rapport non prise en charge : {data.get('version')!r}")
        report = _run(data)
        report.version = VERSION
        report.matrix = [_run(run) for run in _list(data.get("matrix") or [], "matrix")]
        return report
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise DiapoError(f"rapport de vérification illisible {path} : {exc}") from None


def _run(data: dict) -> Report:
    """One run (the report, or an entry of its matrix) from its JSON form, type-checked."""
    if not isinstance(data.get("date"), str):
        raise ValueError("'date' n'est pas un texte")
    cluster = _typed(ClusterInfo, _object(data["cluster"], "cluster"), "cluster")
    decks = []
    for deck in _list(data["decks"], "decks"):
        deck = _object(deck, "deck")
        demos = [_typed(DemoResult, _object(d, "demo"), "démo")
                 for d in _list(deck["demos"], "demos")]
        result = _typed(DeckResult, {**deck, "demos": demos}, "deck")
        items: tuple[DeckResult | DemoResult, ...] = (result, *demos)
        for item in items:
            if item.status not in STATUSES:
                raise ValueError(f"statut inconnu {item.status!r}")
        decks.append(result)
    return Report(date=data["date"], cluster=cluster, decks=decks)


# What each annotation of the dataclasses above accepts from JSON (`demos` is built apart).
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "float": (int, float), "bool": (bool,),
    "str | None": (str, type(None)), "int | None": (int, type(None)),
    "list[str]": (list,), "list[DemoResult]": (list,),
}


def _typed(cls: type, data: dict, what: str):  # noqa: ANN202 (returns a `cls`)
    """`cls(**data)` once every field has its annotated JSON type (a wrong one would only
    fail later, in the site, as a traceback)."""
    fields = {f.name: f.type for f in dataclasses.fields(cls)}
    for name, value in data.items():
        if name not in fields:
            raise ValueError(f"champ inconnu {name!r} dans {what}")
        accepted = _JSON_TYPES[str(fields[name])]
        if not isinstance(value, accepted) or (isinstance(value, bool) and bool not in accepted):
            raise ValueError(f"champ {name!r} de {what} : {type(value).__name__} inattendu")
        if isinstance(value, list) and not all(isinstance(v, str) for v in value) \
                and fields[name] == "list[str]":
            raise ValueError(f"champ {name!r} de {what} : une liste de textes est attendue")
    return cls(**data)


def _object(value: object, what: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{what!r} n'est pas un objet")
    return value


def _list(value: object, what: str) -> list:
    if not isinstance(value, list):
        raise ValueError(f"{what!r} n'est pas une liste")
    return value
