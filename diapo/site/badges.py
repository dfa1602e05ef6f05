"""The proof shown next to each demo: what the verify report says about it, in French.

`proofs(deck, report)` gives one `Proof` per demo id; the reading page (and the presentation
view) render it with `badge_html()`. A demo is "vérifié" only if the report has it passed with
the fingerprint the demo has now (`diapo.demo.fingerprint`: its code, expect block, options,
the files and earlier steps it depends on); any difference is "modifiée depuis la
vérification", and anything the report does not cover is "non vérifié".
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from diapo.deck.model import Deck, Demo
from diapo.demo.fingerprint import deck_fingerprints
from diapo.demo.report import FAILED, PASSED, SKIPPED, WARNED, DemoResult, Report

VERIFIED, FAILURE, NEEDS_NODE, UNVERIFIED = "verified", "failed", "needs-node", "unverified"
CHANGED, WARNING = "changed", "warning"
LABELS = {
    VERIFIED: "vérifié",
    WARNING: "avertissement",
    FAILURE: "échec",
    NEEDS_NODE: "nécessite un nœud réel",
    CHANGED: "modifiée depuis la vérification",
    UNVERIFIED: "non vérifié",
}
OLD_REPORT = ("rapport d'une version antérieure de diapo (sans empreinte) : relancez "
              "« invoke verify »")


@dataclass(frozen=True)
class Proof:
    """What the site says about one demo."""

    status: str  # VERIFIED / WARNING / FAILURE / NEEDS_NODE / CHANGED / UNVERIFIED
    detail: str  # French: date and Kubernetes version, or why it is not verified
    result: DemoResult | None = None  # the one shown (a matrix: the failing version's)
    text: str | None = None  # the badge's words when not LABELS[status] ("vérifié sur 1.37")

    @property
    def label(self) -> str:
        return self.text or LABELS[self.status]


def format_date(value: str) -> str:
    """An ISO date from the report as French readers write it (`26/11/2026 à 17:00 UTC`)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%d/%m/%Y à %H:%M UTC")


def run_detail(report: Report) -> str:
    """`le 26/11/2026 à 17:00 UTC · Kubernetes v1.33.13 (cluster simulé)`."""
    text = f"le {format_date(report.date)}"
    version = report.cluster.kubernetes_version
    if version:
        text += f" · Kubernetes {version}"
    if report.cluster.simulated:
        text += " (cluster simulé)"
    return text


def proof(demo: Demo, result: DemoResult | None, report: Report | None,
          fingerprint: str | None = None) -> Proof:
    """The proof of one demo given its result in the report (if any) and the demo's current
    fingerprint (None: do not compare, e.g. a result read back for display only)."""
    if report is None:
        return Proof(UNVERIFIED, "aucun rapport de vérification : lancez « invoke verify »")
    if result is None:
        return Proof(UNVERIFIED, "absente du dernier rapport de vérification")
    if result.fingerprint is None:
        return Proof(UNVERIFIED, OLD_REPORT, result)
    if fingerprint is not None and result.fingerprint != fingerprint:
        return Proof(CHANGED, "modifiée depuis la vérification : relancez « invoke verify "
                              "--changed »", result)
    detail = run_detail(report)
    if result.status == PASSED:
        if demo.needs == "node" and not report.cluster.simulated:
            detail += " · nœud réel"  # run in real containers
        return Proof(VERIFIED, detail, result)
    if result.status == WARNED:
        return Proof(WARNING, f"{detail} : " + " ; ".join(result.warnings), result)
    if result.status == FAILED:
        reason = f" : {result.reason}" if result.reason else ""
        return Proof(FAILURE, f"{detail}{reason}", result)
    if result.status == SKIPPED and demo.needs == "node":
        return Proof(NEEDS_NODE, f"{detail} : ignorée sur un cluster sans nœud réel", result)
    reason = f" ({result.reason})" if result.reason else ""
    return Proof(UNVERIFIED, f"non exécutée lors de la vérification{reason}", result)


def proofs(deck: Deck, report: Report | None) -> dict[str, Proof]:
    """The proof of every demo of `deck`, by demo id (over every version of a matrix)."""
    if report is None:
        return {demo.id: proof(demo, None, None) for demo in deck.demos}
    current = deck_fingerprints(deck)
    runs = [report, *report.matrix]
    by_run = []
    for run in runs:
        deck_result = run.deck(deck.name)
        by_run.append({r.id: r for r in deck_result.demos} if deck_result else {})
    found = {}
    for demo in deck.demos:
        own = proof(demo, by_run[0].get(demo.id), report, current.get(demo.id))
        if len(runs) > 1:
            own = _over_versions(own, demo, runs, [r.get(demo.id) for r in by_run],
                                 current.get(demo.id))
        found[demo.id] = own
    return found


def version_span(versions: list[str]) -> str:
    """Minor versions as a French range: `1.35 – 1.37`, or `1.33, 1.35` with a gap."""
    minors = sorted({".".join(v.removeprefix("v").split(".")[:2]) for v in versions if v},
                    key=lambda m: tuple(int(p) for p in m.split(".") if p.isdigit()))
    numbers = [int(m.split(".")[1]) for m in minors if m.count(".") == 1 and
               m.split(".")[1].isdigit()]
    if len(minors) > 1 and len(numbers) == len(minors) and \
            numbers == list(range(numbers[0], numbers[0] + len(numbers))):
        return f"{minors[0]} – {minors[-1]}"
    return ", ".join(minors)


def _over_versions(own: Proof, demo: Demo, runs: list[Report],
                   results: list[DemoResult | None], fingerprint: str | None) -> Proof:
    """A matrix: on which versions the demo passed, and the failing version's output."""
    if own.status in (CHANGED, UNVERIFIED) and results[0] is not None:
        return own
    passed: list[str] = []
    failed: list[tuple[str, DemoResult]] = []
    warned: list[tuple[str, DemoResult]] = []
    for run, result in zip(runs, results):
        if result is None or result.fingerprint is None or result.fingerprint != fingerprint:
            continue  # this version did not verify the demo as it is now
        version = run.cluster.kubernetes_version.removeprefix("v")
        if result.status == PASSED:
            passed.append(version)
        elif result.status == FAILED:
            failed.append((version, result))
        elif result.status == WARNED:
            warned.append((version, result))
    # The worst outcome is shown, with its version's output; a warning is one.
    for status, word, found in ((FAILURE, "échec", failed), (WARNING, "avertissement", warned)):
        if not found:
            continue
        version, result = found[0]
        why = result.reason if status == FAILURE else " ; ".join(result.warnings)
        reason = f"Kubernetes {version} : {why or word}"
        text = f"{word} sur {version_span([v for v, _ in found])}"
        if passed:
            text = f"vérifié sur {version_span(passed)} · {text}"
        return Proof(status, f"{run_detail(runs[0])} : {reason}", replace(result, reason=reason),
                     text)
    if passed and own.status in (VERIFIED, UNVERIFIED):
        return Proof(VERIFIED, own.detail if own.status == VERIFIED else
                     f"vérifiée sur Kubernetes {', '.join(passed)}", own.result or results[
                         next(i for i, r in enumerate(results) if r is not None)],
                     f"vérifié sur {version_span(passed)}")
    return own


def visible(demos: list[Demo]) -> list[Demo]:
    """The demos a student sees (hidden setup and assertions left out)."""
    return [demo for demo in demos if not demo.hidden]


def count_verified(deck: Deck, report: Report | None) -> tuple[int, int]:
    """(verified, total) over the deck's visible demos."""
    shown = visible(deck.demos)
    by_id = proofs(deck, report)
    return sum(by_id[d.id].status == VERIFIED for d in shown), len(shown)


# Material's search leaves out an element with this attribute, then removes the attribute
# from the page (it needs a value for that): proofs, counts and slide numbers are not words
# a student searches for.
SEARCH_EXCLUDE = ' data-search-exclude="true"'


def badge_html(demo_proof: Proof, *, demo_id: str = "") -> str:
    """Inline HTML: a "démo" badge, the status badge and the run's date and version (left
    out of the site's search: `SEARCH_EXCLUDE`)."""
    status = demo_proof.status
    data = f' data-demo="{html.escape(demo_id)}"' if demo_id else ""
    # On each span: Material's search ends an exclusion at the first closing tag of its kind.
    return (
        f'<span class="diapo-demo"{data}{SEARCH_EXCLUDE}>'
        f'<span class="diapo-badge diapo-badge--demo"{SEARCH_EXCLUDE}>démo</span> '
        f'<span class="diapo-badge diapo-badge--{status}" title="{html.escape(demo_proof.detail)}"'
        f"{SEARCH_EXCLUDE}>{html.escape(demo_proof.label)}</span> "
        f'<span class="diapo-proof"{SEARCH_EXCLUDE}>{html.escape(demo_proof.detail)}</span></span>'
    )
