"""The verify report: what `invoke verify` proved, read back by the site to show it on slides.

JSON form (version 1), written atomically to `.diapo/verify.json` by default:

    {
      "version": 1,
      "date": "2026-11-26T17:00:00+00:00",
      "cluster": {"context": "diapo-local", "server": "https://127.0.0.1:6443",
                  "kubernetes_version": "v1.33.13", "simulated": true},
      "decks": [
        {"deck": "kubernetes", "path": "docs/kubernetes.md", "status": "passed",
         "duration": 12.3, "namespace": "diapo-kubernetes-ab12",
         "demos": [
           {"id": "12-1", "slide": 12, "line": 131, "kind": "run", "status": "passed",
            "reason": null, "duration": 0.41, "command": "kubectl get nodes",
            "output": "NAME ...", "exit_code": 0, "diff": null}
         ]}
      ]
    }

`status` of a demo is one of STATUSES; `reason` says why a demo was skipped or failed.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from diapo.errors import DiapoError

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
STATUSES = (PASSED, FAILED, SKIPPED)
VERSION = 1


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
    """Read a report; None when there is none. A corrupt report is a `DiapoError`."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            raise ValueError(f"unsupported report version {data.get('version')!r}")
        return Report(
            date=data["date"],
            cluster=ClusterInfo(**data["cluster"]),
            decks=[
                DeckResult(**{**deck, "demos": [DemoResult(**d) for d in deck["demos"]]})
                for deck in data["decks"]
            ],
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise DiapoError(f"unreadable verify report {path}: {exc}") from None
