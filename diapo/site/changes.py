"""The "what changed" page of a deck after a version matrix: what to update, in one place.

For each demo verified on several Kubernetes versions, the page shows the versions where its
output differs (a unified diff against the report's own version, the default one), its status
per version, and every warning seen (deprecated APIs first of all). Outputs are compared with
what changes from one run to the next masked (the run's namespace, generated name suffixes,
ages, addresses), so the page shows what the version changed. Captured text is HTML-escaped.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field

from diapo.deck.model import Deck
from diapo.demo.match import _NAME_HASH, HASH_PLACEHOLDER
from diapo.demo.report import DeckResult, DemoResult, Report
from diapo.site.badges import visible

FOLDER = "changements"  # changements/<deck>.md
STATUS_WORDS = {"passed": "réussie", "warned": "avertissement", "failed": "échec",
                "skipped": "ignorée"}


@dataclass
class DemoChanges:
    """What differs between versions for one demo."""

    demo_id: str
    slide: int
    statuses: dict[str, str] = field(default_factory=dict)  # version -> status
    diffs: dict[str, str] = field(default_factory=dict)  # version -> diff against the base
    warnings: dict[str, list[str]] = field(default_factory=dict)  # version -> messages


_AGE = re.compile(r"(?<![\w.-])(?:\d+[smhdy])+(?![\w.-])")
_ADDRESS = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b")
_NODE_PORT = re.compile(r":3[0-2]\d{3}/")
_PROGRESS = re.compile(r"^Waiting for .* to finish: .*\n?", re.M)  # `rollout status`


def comparable(output: str, deck: DeckResult) -> str:
    """`output` with what differs between two runs of the same demo masked: the run's
    namespace, generated suffixes, ages, addresses and node ports, progress lines, and
    the column alignment."""
    if deck.namespace:
        output = output.replace(deck.namespace, "<namespace>")
    output = _NAME_HASH.sub(HASH_PLACEHOLDER, output)
    output = _AGE.sub("<âge>", output)
    output = _NODE_PORT.sub(":<port>/", _ADDRESS.sub("<adresse>", output))
    output = _PROGRESS.sub("", output)
    return "\n".join(re.sub(r" {2,}", "  ", line.rstrip()) for line in output.split("\n"))


def page_path(deck_name: str) -> str:
    """The docs-relative path of a deck's page (`changements/kubernetes.md`)."""
    return f"{FOLDER}/{deck_name}.md"


def _version(run: Report) -> str:
    return run.cluster.kubernetes_version.removeprefix("v") or "?"


def changes(deck: Deck, report: Report | None) -> list[DemoChanges] | None:
    """The demos of `deck` that differ between versions (None: fewer than two versions)."""
    if report is None or not report.matrix or not deck.demos:
        return None
    runs = [r for r in [report, *report.matrix] if r.deck(deck.name) is not None]
    if len(runs) < 2:
        return None
    found = []
    for demo in deck.demos:
        results: list[tuple[str, DemoResult, str]] = []
        for run in runs:
            deck_result = run.deck(deck.name)
            result = next((d for d in deck_result.demos if d.id == demo.id), None)  # type: ignore[union-attr]
            if result is not None:
                results.append((_version(run), result, comparable(result.output, deck_result)))  # type: ignore[arg-type]
        if len(results) < 2:
            continue
        entry = DemoChanges(demo.id, demo.slide)
        base_version, _base, base_text = results[0]
        for version, result, text in results:
            entry.statuses[version] = result.status
            if result.warnings:
                entry.warnings[version] = list(result.warnings)
            if version != base_version and text != base_text:
                entry.diffs[version] = "".join(difflib.unified_diff(
                    base_text.splitlines(keepends=True), text.splitlines(keepends=True),
                    fromfile=f"Kubernetes {base_version}", tofile=f"Kubernetes {version}"))
        if entry.diffs or entry.warnings or len(set(entry.statuses.values())) > 1:
            found.append(entry)
    return found


def render(deck: Deck, report: Report) -> str:
    """The page's Markdown (captured text inside escaped `<pre>` blocks)."""
    found = changes(deck, report) or []
    versions = ", ".join(_version(r) for r in [report, *report.matrix]
                         if r.deck(deck.name) is not None)
    shown = {d.id for d in visible(deck.demos)}
    up = "../" * (1 + deck.name.count("/"))  # from changements/<deck>.md to docs/
    lines = [f"# Changements entre versions : {html.escape(deck.title)}", "",
             f"Démos de [{html.escape(deck.title)}]({up}{deck.name}.md) vérifiées sur "
             f"Kubernetes {html.escape(versions)}.", ""]
    if not found:
        lines.append("Aucune différence : mêmes sorties, aucun avertissement.")
        return "\n".join(lines) + "\n"
    for entry in found:
        hidden = "" if entry.demo_id in shown else " (cachée)"
        lines += [f"## Diapo {entry.slide} · démo `{entry.demo_id}`{hidden}", ""]
        lines.append("<p>" + " · ".join(
            f"{html.escape(v)} : {STATUS_WORDS.get(s, html.escape(s))}"
            for v, s in entry.statuses.items()) + "</p>")
        lines.append("")
        for version, messages in entry.warnings.items():
            lines.append(f"<p>Avertissements sur {html.escape(version)} :</p>")
            lines.append("<ul>" + "".join(f"<li>{html.escape(m)}</li>" for m in messages)
                         + "</ul>")
            lines.append("")
        for version, diff in entry.diffs.items():
            lines.append(f"<p>Sortie différente sur {html.escape(version)} :</p>")
            lines.append(f'<pre class="diapo-diff"><code>{html.escape(diff)}</code></pre>')
            lines.append("")
    return "\n".join(lines) + "\n"
