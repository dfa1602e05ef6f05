"""The proof shown next to each demo: what the verify report says about it, in French.

`proofs(deck, report)` gives one `Proof` per demo id; the reading page (and the presentation
view) render it with `badge_html()`. A demo is "vérifié" only if the report has it passed for
the same command; anything the report does not cover is "non vérifié".
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timezone

from diapo.deck.model import Deck, Demo, DemoKind
from diapo.demo.report import FAILED, PASSED, SKIPPED, DemoResult, Report

VERIFIED, FAILURE, NEEDS_NODE, UNVERIFIED = "verified", "failed", "needs-node", "unverified"
LABELS = {
    VERIFIED: "vérifié",
    FAILURE: "échec",
    NEEDS_NODE: "nécessite un nœud réel",
    UNVERIFIED: "non vérifié",
}


@dataclass(frozen=True)
class Proof:
    """What the site says about one demo."""

    status: str  # VERIFIED / FAILURE / NEEDS_NODE / UNVERIFIED
    detail: str  # French: date and Kubernetes version, or why it is not verified
    result: DemoResult | None = None

    @property
    def label(self) -> str:
        return LABELS[self.status]


def format_date(value: str) -> str:
    """An ISO date from the report as French readers write it (`26/11/2026 à 17:00 UTC`)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
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


def _same_step(demo: Demo, result: DemoResult) -> bool:
    """False when the deck changed the command since the report was written."""
    if demo.kind != DemoKind.RUN or not result.command:
        return True
    return result.command.strip() == demo.code.strip()


def proof(demo: Demo, result: DemoResult | None, report: Report | None) -> Proof:
    """The proof of one demo given its result in the report (if any)."""
    if report is None:
        return Proof(UNVERIFIED, "aucun rapport de vérification : lancez « invoke verify »")
    if result is None:
        return Proof(UNVERIFIED, "absente du dernier rapport de vérification")
    if not _same_step(demo, result):
        return Proof(UNVERIFIED, "modifiée depuis la dernière vérification", result)
    detail = run_detail(report)
    if result.status == PASSED:
        if demo.needs == "node" and not report.cluster.simulated:
            detail += " · nœud réel"  # run in real containers
        return Proof(VERIFIED, detail, result)
    if result.status == FAILED:
        reason = f" : {result.reason}" if result.reason else ""
        return Proof(FAILURE, f"{detail}{reason}", result)
    if result.status == SKIPPED and demo.needs == "node":
        return Proof(NEEDS_NODE, f"{detail} : ignorée sur un cluster sans nœud réel", result)
    reason = f" ({result.reason})" if result.reason else ""
    return Proof(UNVERIFIED, f"non exécutée lors de la vérification{reason}", result)


def proofs(deck: Deck, report: Report | None) -> dict[str, Proof]:
    """The proof of every demo of `deck`, by demo id."""
    deck_result = report.deck(deck.name) if report else None
    results = {r.id: r for r in deck_result.demos} if deck_result else {}
    return {demo.id: proof(demo, results.get(demo.id), report) for demo in deck.demos}


def visible(demos: list[Demo]) -> list[Demo]:
    """The demos a student sees (hidden setup and assertions left out)."""
    return [demo for demo in demos if not demo.hidden]


def count_verified(deck: Deck, report: Report | None) -> tuple[int, int]:
    """(verified, total) over the deck's visible demos."""
    shown = visible(deck.demos)
    by_id = proofs(deck, report)
    return sum(by_id[d.id].status == VERIFIED for d in shown), len(shown)


def badge_html(demo_proof: Proof, *, demo_id: str = "") -> str:
    """Inline HTML: a "démo" badge, the status badge and the run's date and version."""
    status = demo_proof.status
    data = f' data-demo="{html.escape(demo_id)}"' if demo_id else ""
    return (
        f'<span class="diapo-demo"{data}>'
        f'<span class="diapo-badge diapo-badge--demo">démo</span> '
        f'<span class="diapo-badge diapo-badge--{status}" title="{html.escape(demo_proof.detail)}">'
        f"{html.escape(demo_proof.label)}</span> "
        f'<span class="diapo-proof">{html.escape(demo_proof.detail)}</span></span>'
    )
