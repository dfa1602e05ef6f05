"""The version matrix of `invoke verify --kubernetes 1.36.3,1.37.2`, and how runs combine.

Each version runs on its own local control plane (`diapo.cluster.local.up(version=V)`, in a
state directory of its own, stopped afterwards unless it was already running). A report keeps
one run per Kubernetes version: the run on the configured default version is the report's
own (what CI checks), the others are its `matrix`. A new run replaces the previous run of the
same version (merged with it when the run was partial), and keeps the other versions' runs:
their fingerprints still say what they prove.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from diapo.cluster import binaries, local
from diapo.config import DiapoConfig
from diapo.deck.model import Deck
from diapo.demo.report import FAILED, PASSED, WARNED, Report
from diapo.errors import ClusterError

MATRIX = "matrix"  # `--kubernetes matrix`: the `versions` list of mkdocs.yml
BUILD_ESTIMATE = "environ 6 à 10 minutes sur 2 cœurs"


def versions(spec: str | None, config: DiapoConfig) -> list[str]:
    """The versions of a `--kubernetes` value: "1.36.3,1.37.2" (a minor alone, "1.36", is its
    newest patch release), or "matrix" for the `versions` of mkdocs.yml; [] (None) means the
    current cluster. One-line errors."""
    if spec is None or not str(spec).strip():
        return []
    if str(spec).strip() == MATRIX:
        listed = [str(v) for v in (config.get("versions") or [])]
        if not listed:
            raise ClusterError("--kubernetes matrix : aucune version dans « versions: » du "
                               "plugin diapo de mkdocs.yml")
    else:
        listed = [v for v in str(spec).split(",") if v.strip()]
    result: list[str] = []
    for version in listed:
        normal = binaries.resolve(version)
        if normal not in result:
            result.append(normal)
    return result


def key(run: Report) -> str:
    """The Kubernetes version of a run as `1.Y.Z` (`""` when unknown)."""
    return run.cluster.kubernetes_version.strip().removeprefix("v")


def minor(version: str) -> str:
    """`1.37.2` / `v1.37.2` -> `1.37`."""
    return ".".join(version.strip().removeprefix("v").split(".")[:2])


def is_built(version: str) -> bool:
    """Whether the control plane of `version` is in the cache (no build needed)."""
    return all(binaries.find(name, version) is not None for name in binaries.COMPONENTS)


def _default_dir(root: Path, config: DiapoConfig) -> Path:
    if os.environ.get("DIAPO_CLUSTER_DIR"):
        return Path(os.environ["DIAPO_CLUSTER_DIR"])
    return root / config.state_dir


@contextmanager
def local_target(root: Path, config: DiapoConfig, version: str,
                 console: Console) -> Iterator[str]:
    """The kubeconfig of a local control plane of `version`, started for the time of the
    block (the project's own one is used, and left running, when it runs this version)."""
    own = _default_dir(root, config)
    running = local.running(own)
    if running is not None and running.version == version:
        yield str(running.kubeconfig)
        return
    state_dir = root / ".diapo" / "matrix" / version
    already = local.running(state_dir)
    if already is None and not is_built(version):
        console.print(f"[yellow]Kubernetes {version} n'est pas encore construit : "
                      f"{BUILD_ESTIMATE} (une seule fois, en cache sous "
                      f"{binaries.version_dir(version)})[/]")
    console.print(f"démarrage du plan de contrôle local Kubernetes {version}…")
    try:
        cluster = already or local.up(version=version, state_dir=state_dir, quiet=True)
    except ClusterError as exc:  # one line: the build log's path is in its first line
        raise ClusterError(f"Kubernetes {version} : {exc.message.splitlines()[0]}") from None
    try:
        yield str(cluster.kubeconfig)
    finally:
        local.down(state_dir=state_dir, quiet=True)


def merge(run: Report, previous: Report, decks: list[Deck]) -> None:
    """A partial run keeps the other decks of `previous` (same version), and in the decks it
    ran, the previous results of the steps it did not run (they prove their own
    fingerprint)."""
    fresh = {d.deck: d for d in run.decks}
    order = {deck.name: [d.id for d in deck.demos] for deck in decks}
    for result in fresh.values():
        old = previous.deck(result.deck)
        ids = order.get(result.deck, [])
        if old is None or not ids:
            continue
        by_id = {d.id: d for d in old.demos} | {d.id: d for d in result.demos}
        result.demos = [by_id[i] for i in ids if i in by_id]
        if any(d.status == FAILED for d in result.demos):
            result.status = FAILED
    run.decks = sorted([d for d in previous.decks if d.deck not in fresh] + run.decks,
                       key=lambda d: d.deck)


def combine(runs: list[Report], previous: Report | None, decks: list[Deck], *, partial: bool,
            default: str) -> Report:
    """The report after `runs`: one run per version, the default version's first (else the
    newest one's)."""
    old: dict[str, Report] = {}
    if previous is not None:
        for run in (Report(previous.date, previous.cluster, previous.decks), *previous.matrix):
            old.setdefault(key(run), run)
    for run in runs:
        prev = old.pop(key(run), None)
        if partial and prev is not None:
            merge(run, prev, decks)
    everything = [*runs, *old.values()]
    default = binaries.normalize(default) if default else ""
    primary = next((r for r in runs if key(r) == default), None) or max(
        runs, key=lambda r: tuple(int(p) if p.isdigit() else -1 for p in key(r).split(".")))
    return Report(primary.date, primary.cluster, primary.decks,
                  matrix=[r for r in everything if r is not primary])


def summary_line(runs: list[Report], elapsed: float) -> str:
    """`matrice : 1.36.3 (12 réussies, 1 échouée) · 1.37.2 (13 réussies) en 812 s`."""
    parts = []
    for run in runs:
        demos = [d for deck in run.decks for d in deck.demos]
        counts = [(sum(d.status == s for d in demos), word) for s, word in (
            (PASSED, "réussie(s)"), (WARNED, "avec avertissement"), (FAILED, "échouée(s)"))]
        text = ", ".join(f"{n} {word}" for n, word in counts if n) or "aucune démo"
        parts.append(f"{escape(key(run))} ({text})")
    return f"matrice : {' · '.join(parts)} en {elapsed:.0f} s"
