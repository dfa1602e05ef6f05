"""Helpers for site tests: a throwaway course project (mkdocs.yml, decks, images, report)
built with the real MkDocs + Material through `diapo.site.commands.build`."""

from __future__ import annotations

import base64
import json
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

from diapo.deck import parse
from diapo.demo.fingerprint import deck_fingerprints
from diapo.site import commands

FIXTURE = Path(__file__).parent / "fixtures" / "course"

# A valid 1x1 PNG, for images the decks reference.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

MKDOCS_YML = """\
site_name: Cours de test
docs_dir: docs
site_dir: site
theme:
  name: material
  language: fr
  font: false
  features: [content.code.copy]
plugins:
  - search:
      lang: fr
  - diapo:
      presentation: {presentation}
      reading_notes: {reading_notes}
      report: .diapo/verify.json
"""


@dataclass
class Project:
    """A course project in a temporary directory."""

    root: Path

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def site(self) -> Path:
        return self.root / "site"

    def write(self, relative: str, text: str) -> Path:
        """Write a file of the project (dedented), creating its folders."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def image(self, relative: str) -> Path:
        """Create a small PNG at docs/<relative>."""
        path = self.docs / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PNG)
        return path

    def report(self, data: dict, *, stamp: bool = True) -> None:
        """Write the verify report the site reads; with `stamp`, each result without a
        fingerprint gets the one its demo has now (as if `invoke verify` had just run)."""
        if stamp:
            data = stamped(data, self.docs)
        path = self.root / ".diapo" / "verify.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data), encoding="utf-8")

    def build(self, strict: bool = True) -> Path:
        """Build the site with the real MkDocs + Material; returns the site directory."""
        assert commands.build(strict=strict, root=self.root) == 0
        return self.site

    def html(self, relative: str) -> str:
        """A built page (`kubernetes/index.html`, `index.html`)."""
        return (self.site / relative).read_text(encoding="utf-8")


def course(root: Path, *, reading_notes: bool = False) -> Project:
    """The fixture course (decks kubernetes, cloud, introduction, annexe/outils/kubectl)."""
    project = Project(root)
    project.write("mkdocs.yml", MKDOCS_YML.format(presentation="false",
                                                  reading_notes=str(reading_notes).lower()))
    shutil.copytree(FIXTURE, project.docs)
    for image in ("img/schema.png", "img/fond.png"):
        project.image(image)
    return project


def stamped(data: dict, docs: Path) -> dict:
    """A copy of report `data` whose results carry the current fingerprints of their demos."""
    data = json.loads(json.dumps(data))
    for deck in data["decks"]:
        source = docs / f"{deck['deck']}.md"
        if not source.is_file():
            continue
        prints = deck_fingerprints(parse(source, name=deck["deck"]))
        for demo in deck["demos"]:
            demo.setdefault("fingerprint", prints.get(demo["id"]))
    return data


def demo_result(demo_id: str, status: str, command: str, **extra: object) -> dict:
    """One demo of a verify report (JSON form of `diapo.demo.report.DemoResult`)."""
    return {"id": demo_id, "slide": 2, "line": 10, "kind": "run", "status": status,
            "reason": None, "duration": 0.1, "command": command, "output": "", "exit_code": 0,
            "diff": None, **extra}


def verify_report(deck: str, demos: list[dict]) -> dict:
    """A verify report (JSON form) of one deck, run on 26/11/2026 with Kubernetes v1.33.13."""
    return {
        "version": 2,
        "date": "2026-11-26T17:00:00+00:00",
        "cluster": {"context": "diapo-local", "server": "https://127.0.0.1:6443",
                    "kubernetes_version": "v1.33.13", "simulated": True},
        "decks": [{"deck": deck, "path": f"docs/{deck}.md", "status": "passed",
                   "duration": 1.0, "namespace": f"diapo-{deck}-ab12", "demos": demos}],
    }
