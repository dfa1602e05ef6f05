"""What the lecture mode shows: demo headers, commands, YAML, results, help, recorded output.

All text the lecturer reads is French. Rendering only: no key handling, no cluster access.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from diapo.deck.model import Deck, Demo, DemoKind
from diapo.demo.live_preflight import Health, Target
from diapo.demo.live_typing import highlighted
from diapo.demo.report import FAILED, PASSED, SKIPPED, DemoResult

PROMPT = "$ "
KEYS_HINT = ("[b]Entrée[/] exécuter · [b]s[/] passer · [b]b[/] retour · [b]r[/] relancer · "
             "[b]e[/] sortie enregistrée · [b]![/] shell · [b]q[/] quitter · [b]?[/] aide")
HELP = [
    ("Entrée, →, ↓", "exécuter la démo affichée (avec --type: taper la suite de la commande)"),
    ("s", "passer cette démo sans l'exécuter"),
    ("b, ←, ↑", "revenir à la démo précédente"),
    ("r", "relancer la dernière démo exécutée"),
    ("e", "afficher la sortie enregistrée par le dernier `invoke verify`"),
    ("Ctrl-C", "pendant une démo: l'arrêter (ex. kubectl get pods -w) et revenir ici"),
    ("!", "un shell libre dans le namespace et le répertoire des démos; `exit` pour revenir"),
    ("q", "quitter"),
    ("?", "cette aide"),
]


def make_console() -> Console:
    """The lecture console: colours when stdout is a terminal, no automatic highlighting."""
    return Console(file=sys.stdout, highlight=False, soft_wrap=False)


def seconds(value: float) -> str:
    """A duration the French way: "0,41 s"."""
    return f"{value:.2f} s".replace(".", ",")


def slide_title(deck: Deck, demo: Demo) -> str:
    """The title of the slide holding `demo`, and the nearest heading above the demo when it
    is another one ("Les principaux concepts › Les Pods en pratique")."""
    if not 1 <= demo.slide <= len(deck.slides):
        return ""
    slide = deck.slides[demo.slide - 1]
    title = slide.title or ""
    first = slide.location.line
    in_fence = {line for f in slide.fences for line in range(f.location.line, f.end_line + 1)}
    nearest = ""
    for number, line in enumerate(slide.source.splitlines(), first):
        if number >= demo.location.line:
            break
        heading = re.match(r"\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
        if heading and number not in in_fence:
            nearest = heading.group(1)
    if nearest and nearest != title:
        return f"{title} › {nearest}" if title else nearest
    return title


def header(console: Console, deck: Deck, demo: Demo, position: int, total: int,
           note: str = "") -> None:
    """A rule naming the slide number and title, the demo id and its place in the lecture."""
    title = slide_title(deck, demo)
    parts = [f"[bold]Diapo {demo.slide}[/]"]
    if title:
        parts.append(escape(title))
    parts.append(f"démo {escape(demo.id)} ({position}/{total})")
    if note:
        parts.append(f"[yellow]{escape(note)}[/]")
    console.print()
    console.rule(" · ".join(parts), align="left", style="cyan")


def _yaml_panel(demo: Demo) -> Panel:
    """A `file=` or `apply` block: its YAML in a panel titled with what will happen."""
    if demo.kind == DemoKind.FILE:
        title = f"fichier {escape(demo.path or '')}"
    else:
        title = "appliqué sur le cluster (server-side apply)"
    syntax = Syntax(demo.code.rstrip("\n"), demo.lang or "yaml", theme="monokai",
                    background_color="default", line_numbers=False)
    return Panel(syntax, title=title, title_align="left", border_style="blue", expand=False)


def show_code(console: Console, demo: Demo) -> None:
    """The demo as the lecturer will run it: `$ command` highlighted, or the YAML to apply."""
    if demo.kind == DemoKind.RUN:
        console.print(Text(PROMPT, style="bold green") + highlighted(demo.code, demo.lang),
                      soft_wrap=True)
    else:
        console.print(_yaml_panel(demo))


def prompt(console: Console) -> None:
    """The shell prompt the typing effect writes after."""
    console.print(Text(PROMPT, style="bold green"), end="")
    console.file.flush()


def result_line(console: Console, result: DemoResult, expected_exit: int,
                interrupted: bool = False) -> None:
    """One line after a step: passed / failed (exit code, reason) / stopped, and its duration."""
    took = seconds(result.duration)
    if interrupted:
        console.print(f"[yellow]■ arrêtée (Ctrl-C)[/] [dim]{took}[/]")
    elif result.status == PASSED and result.kind == DemoKind.FILE.value:
        console.print("[green]✓[/] fichier prêt dans le répertoire de travail")
    elif result.status == PASSED:
        console.print(f"[green]✓[/] [dim]{took}[/]")
    elif result.status == SKIPPED:
        console.print(f"[yellow]○ ignorée[/]: {escape(result.reason or '')}")
    else:
        code = result.exit_code
        what = f"code {code} (attendu {expected_exit})" if code != expected_exit else "échec"
        reason = f": {escape(result.reason.splitlines()[0])}" if result.reason else ""
        console.print(f"[red]✗ {what}[/]{reason} [dim]{took}[/]")


def hidden_line(console: Console, demo: Demo, result: DemoResult) -> None:
    """A hidden setup step is run without a key press; one dim line says so."""
    state = "ok" if result.status == PASSED else result.status
    console.print(f"[dim]étape cachée {escape(demo.id)} (diapo {demo.slide}): {state}, "
                  f"{seconds(result.duration)}[/]")


def health_line(target: Target, health: Health) -> str:
    """The pre-flight line: context, API server URL, server version, node readiness."""
    where = f"contexte [bold]{escape(target.context)}[/] · {escape(health.server or '?')}"
    if not health.ok:
        return f"[red]✗[/] {where} · [red]serveur API injoignable: {escape(health.error or '')}[/]"
    colour = "green" if health.nodes_total and health.nodes_ready == health.nodes_total else "yellow"
    return (f"[{colour}]●[/] {where} · Kubernetes {escape(health.version or '?')} · "
            f"[{colour}]nœuds prêts {health.nodes_ready}/{health.nodes_total}[/]")


def unreachable_line(console: Console, target: Target, health: Health,
                     recorded_date: str | None) -> None:
    """The cluster died mid-lecture: one line, and what the lecturer can do instead."""
    offer = (f" · [b]e[/] sortie enregistrée le {recorded_date}" if recorded_date
             else " · aucune sortie enregistrée")
    console.print(f"[red]✗ serveur API injoignable ({escape(health.server or target.server)}): "
                  f"{escape(health.error or '')}[/]{offer} · [b]Entrée[/] réessayer · "
                  "[b]s[/] passer", soft_wrap=True)


def french_date(iso: str) -> str:
    """An ISO timestamp as "26/11/2026 à 17:00 UTC" (as written when it does not parse)."""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    zone = when.tzname() or ""
    zone = "UTC" if zone in ("UTC", "UTC+00:00") else zone
    return f"{when:%d/%m/%Y à %H:%M} {zone}".strip()


def recorded(console: Console, demo: Demo, result: DemoResult | None, date: str | None) -> None:
    """The demo's output from the last verify report, unmistakably marked as recorded."""
    if result is None or date is None:
        console.print(f"[yellow]aucune sortie enregistrée pour la démo {escape(demo.id)}[/] "
                      "[dim](lancez `invoke verify` avant le cours)[/]")
        return
    body = Text.from_ansi(result.output.rstrip("\n")) if result.output else Text("(aucune sortie)",
                                                                                  style="dim")
    status = {PASSED: "réussie", FAILED: "échouée", SKIPPED: "ignorée"}.get(result.status,
                                                                          result.status)
    console.print(Panel(
        body,
        title=f"[bold yellow]ENREGISTRÉ le {french_date(date)}[/] — pas exécuté maintenant",
        subtitle=f"invoke verify · {status}",
        title_align="left", border_style="yellow", expand=False,
    ))


def help_panel(console: Console) -> None:
    """The keys, in French."""
    table = Table.grid(padding=(0, 2))
    for key, what in HELP:
        table.add_row(f"[bold]{key}[/]", what)
    console.print(Panel(table, title="Touches", title_align="left", border_style="cyan",
                        expand=False))


def first_command(demo: Demo) -> str:
    """What `--list` shows of a demo: the file name, or its first line that is not a comment
    (with "…" when more lines follow)."""
    if demo.kind == DemoKind.FILE:
        return demo.path or ""
    lines = [line.strip() for line in demo.code.strip().splitlines()]
    code = [line for line in lines if line and not line.startswith("#")] or lines or [""]
    more = len([line for line in lines if line and not line.startswith("#")]) > 1
    return code[0].rstrip("\\ ") + (" …" if more or code[0].endswith("\\") else "")


def _kind(demo: Demo) -> str:
    """"commande", "fichier" or "apply", with the flags that change how it runs."""
    kind = {DemoKind.RUN: "commande", DemoKind.FILE: "fichier", DemoKind.APPLY: "apply"}.get(
        demo.kind, str(demo.kind))
    flags = [f for f, on in (("cachée", demo.hidden), (f"only={demo.only}", demo.only),
                             (f"needs={demo.needs}", demo.needs)) if on]
    return kind + (f" ({', '.join(flags)})" if flags else "")


def listing(console: Console, deck: Deck, demos: list[Demo]) -> None:
    """`--list`: the deck's demos grouped by slide (number and title), each with its id, kind
    and first command line; one line per demo, cut to the terminal's width."""
    console.print(f"[bold]Démos de {escape(deck.name)}[/] ({len(demos)})")
    kinds = [_kind(demo) for demo in demos]
    id_width = max((len(d.id) for d in demos), default=0)
    kind_width = max((len(k) for k in kinds), default=0)
    heading = None
    for demo, kind in zip(demos, kinds):
        title = slide_title(deck, demo)
        if (demo.slide, title) != heading:
            heading = (demo.slide, title)
            console.print(Text.assemble((f"Diapo {demo.slide}", "bold cyan"),
                                        (f" · {title}" if title else "", "cyan")),
                          no_wrap=True, overflow="ellipsis")
        line = Text.assemble("  ", (demo.id.ljust(id_width), "bold"), "  ",
                             (kind.ljust(kind_width), "dim"), "  ", first_command(demo))
        console.print(line, no_wrap=True, overflow="ellipsis")
