"""`invoke verify`: run every demo of every deck against a real cluster, fail on any rotten one.

Decks run in parallel, each in its own namespace (`DeckRun`, mode "ci"); inside a deck, steps
run in order and the first failure stops the deck (later steps: skipped, "étape précédente en
échec"). The cluster is the current kubeconfig context, or the local control plane
(`.diapo/cluster/kubeconfig`, context `diapo-local`) when $KUBECONFIG is unset; a context the
configuration does not list is refused. Results: a live progress view, a final table, the JSON
report read by the site, and JUnit XML on request.
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from kubernetes.client.rest import ApiException
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from diapo.cluster import target as cluster_target
from diapo.cluster.client import Cluster, kubeconfig_paths
from diapo.cluster.target import Target
from diapo.deck.model import Deck, Demo
from diapo.demo import matrix, report as report_mod
from diapo.demo.engine import CI, DeckRun, RunOptions, remove_orphans, where as engine_where
from diapo.demo.fingerprint import deck_fingerprints
from diapo.demo.junit import write_junit
from diapo.demo.report import (
    FAILED,
    PASSED,
    SKIPPED,
    WARNED,
    ClusterInfo,
    DeckResult,
    DemoResult,
    Report,
)
from diapo.demo.update import rewrite_expects
from diapo.errors import ClusterError, DiapoError
from diapo.project import Project

AFTER_FAILURE = "étape précédente en échec"
INTERRUPTED = "vérification interrompue (Ctrl-C)"
INTERRUPT_GRACE = 2.0  # seconds a Ctrl-C gives to ask for every deletion (exit within 3 s)
STATUS_TEXT = {PASSED: "[green]réussie[/]", FAILED: "[red]échouée[/]",
               SKIPPED: "[yellow]ignorée[/]", WARNED: "[yellow]avertissement[/]"}


@dataclass
class _State:
    """Shared between the worker threads and the main thread (Ctrl-C)."""

    cancel: threading.Event = field(default_factory=threading.Event)
    runs: set[DeckRun] = field(default_factory=set)
    updates: dict[str, list] = field(default_factory=dict)  # deck -> (expect, output) pairs
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class Options:
    """What `invoke verify` is asked, besides the decks (its command-line options)."""

    demo: str | None = None  # only this demo, and the steps before it that set it up
    parallel: int = 0  # decks at once (0: CPU count)
    junit: str | None = None  # JUnit XML written there
    json_path: str | None = None  # the report written there (default: the project's)
    keep: bool = False  # namespaces and work directories left for debugging
    update: bool = False  # `expect` blocks rewritten from a passing run
    changed: bool = False  # only what changed since the report (fingerprints)
    strict_warnings: bool = False  # a warning fails the run
    kubernetes: str | None = None  # "1.36.3,1.37.2" or "matrix": one local cluster each


@dataclass
class _Run:
    """What every deck run of one `invoke verify` shares, whatever the version it runs on."""

    project: Project
    options: Options
    console: Console
    state: _State


def run(decks: list[str], options: Options | None = None, *, root: Path | None = None,
        console: Console | None = None) -> int:
    """Verify the decks' demos; returns the exit code (0: every demo passed or was skipped;
    a warning fails only with `strict_warnings`).

    The project is the one at or above `root` (default: the current directory). With
    `options.changed`, only the decks whose fingerprints differ from the report's run, up to
    their last changed step (the steps before it set it up), and the report keeps the rest.
    With `options.kubernetes` ("1.36.3,1.37.2", or the `versions` of mkdocs.yml when "matrix"),
    every deck runs on the local control plane of each version; the report keeps each one's.
    """
    options = options or Options()
    project = Project.find(root)
    config, root = project.config, project.root
    demo, junit, changed, update = options.demo, options.junit, options.changed, options.update
    strict_warnings = options.strict_warnings
    # In a CI log (no terminal), rich would wrap the table at 80 columns.
    console = console or Console(highlight=False,
                                 width=None if sys.stdout.isatty() else 120)
    versions = matrix.versions(options.kubernetes, config)
    selected = project.decks(decks)
    report_path = Path(options.json_path) if options.json_path else project.report
    partial = bool(decks or demo or changed)
    previous = _previous(report_path, console)
    if changed:
        plans = plan_changed(selected, previous)
        if not plans:
            console.print(f"aucune démo modifiée depuis la vérification ({report_path})")
            return 0
        for deck, demos in plans:
            console.print(f"modifié : [b]{escape(deck.name)}[/] (jusqu'à la démo "
                          f"{escape(demos[-1].id)}, {len(demos)} étape(s))")
    else:
        plans = plan_demos(selected, demo)
    started = time.monotonic()
    state = _State()
    runs: list[Report] = []
    shared = _Run(project, options, console, state)
    with _sigterm_as_ctrl_c():
        if not versions:
            runs.append(_run_on(shared, resolve_target(project), plans))
        broken: list[ClusterError] = []
        for version in versions:
            try:
                with matrix.local_target(root, config, version, console) as kubeconfig:
                    target = resolve_target(project, kubeconfig=kubeconfig)
                    runs.append(_run_on(shared, target, plans))
            except ClusterError as exc:  # the other versions still run
                broken.append(exc)
                console.print(f"[red]✗ {escape(str(exc))}[/]")
        if not runs:
            raise broken[0]
    fresh = [list(run_.decks) for run_ in runs]  # what this run did (before merging)
    report = matrix.combine(runs, previous, [deck for deck, _ in plans], partial=partial,
                            default=str(config.kubernetes_version))
    report.save(report_path)
    if junit:
        write_junit(Report(runs[0].date, runs[0].cluster, fresh[0], matrix=[
            Report(r.date, r.cluster, d) for r, d in zip(runs[1:], fresh[1:])]), junit,
            strict_warnings=strict_warnings)
    bad = {FAILED, WARNED} if strict_warnings else {FAILED}
    results = [deck for decks_ in fresh for deck in decks_]
    failed = bool(versions and broken) or any(
        deck.status in bad or deck.error or any(d.status in bad for d in deck.demos)
        for deck in results)
    if update:
        _apply_updates(console, plans, fresh[0], state.updates)
    _summary(console, results, time.monotonic() - started, report_path, junit)
    if len(runs) > 1:
        console.print(matrix.summary_line(runs, time.monotonic() - started))
    if options.keep:
        for kept in results:
            if kept.namespace:
                console.print(f"conservé (--keep): namespace [b]{kept.namespace}[/] "
                              f"({kept.deck})")
    return 1 if failed else 0


def _run_on(shared: _Run, target: Target, plans: list[tuple[Deck, list[Demo]]]) -> Report:
    """Every plan on one cluster: the run's report (date, cluster, decks) and its table."""
    console = shared.console
    nodes = "nœuds simulés" if target.simulated else "nœud réel"
    console.print(f"cluster: contexte [b]{target.context}[/] ({target.server}, "
                  f"Kubernetes {target.version}, {nodes})")
    for orphan in target.orphans:
        console.print(f"[yellow]supprimé, laissé par une vérification interrompue: {orphan}[/]")
    if not target.simulated:  # real nodes have only the images built here (no registry)
        from diapo.cluster import images

        for deck, _ in plans:
            images.check(deck.path, shared.project.demos_dir(deck))
    workers = max(1, min(shared.options.parallel or os.cpu_count() or 1, len(plans) or 1))
    results = _run_all(shared, target, plans, workers)
    _final_table(console, results, target.version)
    return Report(
        date=datetime.now(UTC).isoformat(timespec="seconds"),
        cluster=ClusterInfo(target.context, target.server, target.version, target.simulated),
        decks=results,
    )


# ---------------------------------------------------------------------- selection


def plan_demos(decks: list[Deck], demo: str | None) -> list[tuple[Deck, list[Demo]]]:
    """Each deck with the demos to run: all, or up to `demo` (the steps before it set it up)."""
    if demo is None:
        return [(deck, deck.demos) for deck in decks]
    plans = []
    for deck in decks:
        ids = [d.id for d in deck.demos]
        if demo in ids:
            plans.append((deck, deck.demos[: ids.index(demo) + 1]))
    if not plans:
        raise DiapoError(f"aucune démo « {demo} » dans les decks vérifiés")
    return plans


def resolve_target(project: Project, kubeconfig: str | None = None) -> Target:
    """The current context ($KUBECONFIG), else the local control plane; allowed (never asked)
    and reachable. `kubeconfig` names the cluster instead (a version of the matrix)."""
    config = project.config
    if kubeconfig is None:
        kubeconfig = cluster_target.default_kubeconfig(project.root / config.state_dir
                                                       / "kubeconfig")
    if kubeconfig is None and not any(p.is_file() for p in kubeconfig_paths()):
        raise ClusterError("aucun cluster : pas de kubeconfig ni de cluster local",
                           hint="démarrez le cluster local avec `invoke cluster.up`")
    chosen = cluster_target.choose(list(config.contexts), config_path=project.mkdocs_yml,
                                   kubeconfig=kubeconfig)
    cluster = Cluster(kubeconfig)
    try:
        version = cluster.probe()
        simulated = cluster.simulated()
        orphans = remove_orphans(cluster)
    except ClusterError as exc:
        if kubeconfig and not exc.hint:  # the local control plane, stopped
            exc.hint = "démarrez le cluster local avec `invoke cluster.up`"
        raise
    finally:
        cluster.close()
    return replace(chosen, version=version, simulated=simulated, orphans=tuple(orphans))


# ---------------------------------------------------------------------- running


def _run_all(shared: _Run, target: Target, plans: list[tuple[Deck, list[Demo]]],
             workers: int) -> list[DeckResult]:
    console, state = shared.console, shared.state
    progress = Progress(TextColumn("{task.description}"), BarColumn(bar_width=20),
                        MofNCompleteColumn(), TextColumn("{task.fields[status]}"),
                        TimeElapsedColumn(), console=console, transient=True)
    tasks = {deck.name: progress.add_task(escape(deck.name), total=len(demos) or 1,
                                          status="en attente", start=False)
             for deck, demos in plans}
    results: dict[str, DeckResult] = {}
    todo: queue.Queue[tuple[Deck, list[Demo]]] = queue.Queue()
    for plan in plans:
        todo.put(plan)
    done = threading.Semaphore(0)
    errors: list[BaseException] = []

    def work() -> None:
        while not state.cancel.is_set():
            try:
                deck, demos = todo.get_nowait()
            except queue.Empty:
                return
            try:
                results[deck.name] = _run_deck(shared, target, deck, demos, progress,
                                               tasks[deck.name])
            except BaseException as exc:  # pragma: no cover - _run_deck catches Exception
                errors.append(exc)
            finally:
                done.release()

    # Daemon threads: after a Ctrl-C, one blocked in a watch must not hold the exit.
    threads = [threading.Thread(target=work, name=f"verify-{i}", daemon=True)
               for i in range(workers)]
    with progress:
        for thread in threads:
            thread.start()
        try:
            for _ in plans:
                while not done.acquire(timeout=0.2):
                    if not any(t.is_alive() for t in threads):
                        break
        except KeyboardInterrupt:
            _interrupt(state, console)
            raise
    if errors:
        raise errors[0]
    return [results[deck.name] for deck, _ in plans if deck.name in results]


@contextmanager
def _sigterm_as_ctrl_c() -> Iterator[None]:
    """A CI job cancelled (SIGTERM) cleans up like a Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(state: _State, console: Console) -> None:
    """Ctrl-C: stop the running steps and ask for every deletion, then exit within
    INTERRUPT_GRACE seconds; the API server finishes the deletions on its own."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not
    try:                                                      # abandon the cleanup
        console.print("[yellow]interruption: arrêt des démos et nettoyage…[/]")
        deadline = time.monotonic() + INTERRUPT_GRACE
        state.cancel.set()
        with state.lock:
            busy = list(state.runs)
        for deck_run in busy:
            deck_run.interrupt()

        # Every run's deletions are asked for from here, whatever its worker does (one may
        # sit in a `wait=` watch): what the runs created elsewhere, found in one listing for
        # all of them, then their namespaces; the API server finishes the deletions. Past
        # the deadline, a namespace not yet deleted stays as the anchor from which the next
        # verification removes the run's leftovers (`remove_orphans`).
        asked = threading.Thread(target=_ask_deletions, args=(busy, console), daemon=True)
        asked.start()
        asked.join(max(0.0, deadline - time.monotonic()))
        if asked.is_alive():
            console.print("[yellow]suppressions pas toutes demandées à temps : la prochaine "
                          "vérification supprimera le reste[/]")
    finally:
        signal.signal(signal.SIGINT, previous)


def _ask_deletions(runs: list[DeckRun], console: Console) -> None:
    """Ctrl-C: ask for the deletion of everything the runs created, waiting for none."""
    for deck_run in runs:
        deck_run.stop_now()
    started = [r for r in runs if r.run_namespace is not None and r.cluster is not None
               and not r.keep]
    if not started:
        return
    cluster = started[0].cluster
    assert cluster is not None

    def delete(refs: list) -> None:  # as each kind is listed: no time lost waiting for all
        for ref in reversed(refs):
            try:
                cluster.delete(ref)
            except (DiapoError, ApiException) as exc:
                console.print(f"[red]nettoyage: {escape(str(exc))}[/]")

    try:
        cluster.managed_by({r.field_manager for r in started},
                           since=min(r.run_namespace.created for r in started),  # type: ignore[union-attr]
                           skip_namespaces={r.run_namespace.name for r in started},  # type: ignore[union-attr]
                           on_found=delete)
    except (DiapoError, ApiException) as exc:
        console.print(f"[red]nettoyage: {escape(str(exc))}[/]")
    delete([r.run_namespace for r in started if r.run_namespace is not None])


def _run_deck(shared: _Run, target: Target, deck: Deck, demos: list[Demo], progress: Progress,
              task: TaskID) -> DeckResult:
    """One deck, in its own namespace: steps in order, stop at the first failure."""
    root, state, console = shared.project.root, shared.state, shared.console
    result = DeckResult(deck=deck.name, path=_relative(deck.path, root), status=PASSED)
    started = time.monotonic()
    progress.start_task(task)
    progress.update(task, status="")
    prints = deck_fingerprints(deck)  # before the run copies the files it fingerprints
    deck_run = DeckRun(deck, RunOptions(
        mode=CI, kubeconfig=target.kubeconfig, context=target.context, keep=shared.options.keep,
        update=shared.options.update, simulated=target.simulated), shared.project)
    try:
        with deck_run:
            with state.lock:
                state.runs.add(deck_run)
            result.namespace = deck_run.namespace
            failed = False
            for demo in demos:
                if state.cancel.is_set():
                    outcome = _not_run(demo, INTERRUPTED)
                elif failed:
                    outcome = _not_run(demo, AFTER_FAILURE)
                else:
                    progress.update(task, status=f"diapo {demo.slide} · {escape(demo.id)}")
                    outcome = deck_run.run_step(demo)
                    outcome.fingerprint = prints[demo.id]
                    if outcome.status == FAILED:
                        failed = True
                        _print_failure(console, demo, outcome, root)
                result.demos.append(outcome)
                progress.advance(task)
            progress.update(task, status="nettoyage")
    except Exception as exc:  # one deck's trouble must not stop the others
        message = exc.message if isinstance(exc, DiapoError) else f"{type(exc).__name__}: {exc}"
        result.error = str(exc) if isinstance(exc, DiapoError) else message
        console.print(f"[red]✗ {escape(deck.name)}[/]: {escape(result.error)}")
        done = {d.id for d in result.demos}
        result.demos += [_not_run(d, f"deck non exécuté: {message}") for d in demos
                         if d.id not in done]
    finally:
        with state.lock:
            state.runs.discard(deck_run)
    if deck_run.cleanup_errors:
        result.error = "nettoyage incomplet: " + "; ".join(deck_run.cleanup_errors)
        console.print(f"[red]✗ {escape(deck.name)}[/]: {escape(result.error)}")
    state.updates[deck.name] = deck_run.updates
    if result.error or any(d.status == FAILED for d in result.demos):
        result.status = FAILED
    result.duration = round(time.monotonic() - started, 3)
    progress.update(task, status=STATUS_TEXT[result.status], completed=len(demos) or 1)
    return result


def _not_run(demo: Demo, reason: str) -> DemoResult:
    return DemoResult(id=demo.id, slide=demo.slide, line=demo.location.line,
                      kind=demo.kind.value, status=SKIPPED, reason=reason, command=demo.code)


# ---------------------------------------------------------------------- output


def _print_failure(console: Console, demo: Demo, result: DemoResult, root: Path) -> None:
    console.print(f"[red]✗[/] [b]{escape(engine_where(demo, root))}[/] diapo {demo.slide}, "
                  f"démo {escape(demo.id)}: {escape(result.reason or 'échec')}")
    if result.diagnostics:
        console.print(escape(result.diagnostics), soft_wrap=True)


def _final_table(console: Console, results: list[DeckResult], version: str = "") -> None:
    title = "Vérification des démos" + (f" — Kubernetes {version}" if version else "")
    table = Table(title=title, show_lines=False)
    for name, justify in (("deck", "left"), ("diapo", "right"), ("démo", "left"),
                          ("statut", "left"), ("durée", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for deck in results:
        for demo in deck.demos:
            status = STATUS_TEXT[demo.status]
            if demo.status == WARNED:
                status += " [dim](" + escape(" ; ".join(demo.warnings)) + ")[/]"
            elif demo.status != PASSED and demo.reason:
                status += f" [dim]({escape(demo.reason)})[/]"
            table.add_row(escape(deck.deck), str(demo.slide), escape(demo.id), status,
                          f"{demo.duration:.2f} s")
        if not deck.demos:
            table.add_row(escape(deck.deck), "", "", "[dim]aucune démo[/]", "")
    console.print(table)


def _summary(console: Console, results: list[DeckResult], elapsed: float, report_path: Path,
             junit: str | None) -> None:
    counts = {s: sum(r.counts()[s] for r in results) for s in (PASSED, WARNED, FAILED, SKIPPED)}
    color = "red" if counts[FAILED] or any(r.error for r in results) else \
        "yellow" if counts[WARNED] else "green"
    console.print(f"[{color}]{counts[PASSED]} réussie(s), {counts[WARNED]} avec avertissement, "
                  f"{counts[FAILED]} échouée(s), {counts[SKIPPED]} ignorée(s)[/] — "
                  f"{len(results)} deck(s) en {elapsed:.1f} s")
    console.print(f"rapport: {report_path}" + (f", JUnit: {junit}" if junit else ""))


def _apply_updates(console: Console, plans: list[tuple[Deck, list[Demo]]],
                   results: list[DeckResult], all_updates: dict[str, list]) -> None:
    """Rewrite the expect blocks of the decks whose run passed."""
    decks = {deck.name: deck for deck, _ in plans}
    for result in results:
        updates = all_updates.get(result.deck, [])
        if not updates:
            continue
        deck = decks[result.deck]
        if result.status != PASSED:
            console.print(f"[yellow]{escape(deck.name)}: non mis à jour (le deck échoue)[/]")
            continue
        diff = rewrite_expects(deck.path, updates)
        if diff:
            console.print(f"[b]{escape(str(deck.path))}[/]: {len(updates)} bloc(s) expect "
                          "mis à jour")
            for line in diff.splitlines():
                style = "green" if line.startswith("+") else "red" if line.startswith("-") \
                    else ""
                console.print(f"[{style}]{escape(line)}[/]" if style else escape(line),
                              soft_wrap=True)


def _previous(path: Path, console: Console) -> Report | None:
    """The report a partial run merges into (None: none, or unreadable, said so)."""
    try:
        return report_mod.load(path)
    except DiapoError as exc:
        console.print(f"[yellow]{escape(str(exc))} : il sera remplacé[/]")
        return None


def plan_changed(decks: list[Deck], previous: Report | None) -> list[tuple[Deck, list[Demo]]]:
    """The decks whose fingerprints differ from `previous`, each up to its last changed demo.

    A demo counts as changed when the report has no result for it, a result without
    fingerprint (an older diapo's, or a step that did not run) or another fingerprint.
    """
    plans = []
    for deck in decks:
        old = previous.deck(deck.name) if previous else None
        results = {r.id: r for r in old.demos} if old else {}
        prints = deck_fingerprints(deck)
        stale = [i for i, d in enumerate(deck.demos)
                 if d.id not in results or results[d.id].fingerprint is None
                 or results[d.id].fingerprint != prints[d.id]]
        if stale or (old is not None and old.error):
            plans.append((deck, deck.demos[: (stale[-1] + 1) if stale else len(deck.demos)]))
    return plans


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
