"""`invoke demo DECK`: the lecture mode, stepping through a deck's demos in front of students.

The lecturer sees a header per demo (slide number and title), the command highlighted (or typed
out with `--type` / `--auto`), and presses keys: Enter runs, `s` skips, `b` goes back, `r`
reruns, `e` shows the recorded output, `q` quits, `?` helps. Steps run through the same engine
as `invoke verify` (`DeckRun`, mode "live": where the slides say, no random namespace), their
output streamed through a pseudo-terminal. Ctrl-C stops the running step only.

Before the first demo a pre-flight line shows the context, server, version and node readiness,
and a context the config does not allow is refused (see live_preflight). When the API server
dies mid-lecture, one line says so and the output recorded by the last `invoke verify` can be
shown instead, marked as recorded.

Also runnable as `python -m diapo.demo.live DECK [options]` (same options as the task).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from rich.console import Console
from rich.markup import escape

from diapo.cluster import target as cluster_target
from diapo.cluster.target import Target
from diapo.deck.model import Deck, Demo, DemoKind
from diapo.demo import live_ui as ui, report as report_mod
from diapo.demo.engine import INTERRUPTED, LIVE, DeckRun, RunOptions, reset as engine_reset
from diapo.demo.live_input import KeyForwarder
from diapo.demo.live_keys import CTRL_C, CTRL_D, ENTER, REMOTE, KeyReader, RemoteKeys
from diapo.demo.live_preflight import Health, HealthWatch, probe
from diapo.demo.live_typing import Typist
from diapo.demo.report import FAILED, PASSED, DemoResult
from diapo.errors import ClusterError, DemoError, DiapoError
from diapo.project import Project

RUN_KEYS = {ENTER, "right", "down"}
BACK_KEYS = {"b", "left", "up"}
COMMAND_KEYS = RUN_KEYS | BACK_KEYS | {"s", "r", "e", "q", "?", "!", CTRL_C, CTRL_D, REMOTE}
# What a lecture tells its observers (`Lecture.observers`, e.g. the `invoke present` server).
Observer = Callable[[str, dict], None]


# --------------------------------------------------------------------------- decks and demos


def select_demos(deck: Deck, *, slide: int | None = None, start: int | None = None,
                 demo: str | None = None) -> list[Demo]:
    """The demos of a lecture: all but `only=ci`, narrowed by --slide / --from / --demo."""
    demos = [d for d in deck.demos if d.only != "ci"]
    if demo is not None:
        chosen = [d for d in demos if d.id == demo]
        if not chosen:
            raise DemoError(f"aucune démo « {demo} » dans {deck.path}",
                            hint="démos : " + ", ".join(d.id for d in demos))
        return chosen
    if slide is not None:
        demos = [d for d in demos if d.slide == _slide_number(slide, "--slide")]
    elif start is not None:
        demos = [d for d in demos if d.slide >= _slide_number(start, "--from")]
    if not demos:
        where = f"diapo {slide}" if slide is not None else f"à partir de la diapo {start}"
        raise DemoError(f"aucune démo {where} dans {deck.path}" if slide or start
                        else f"aucune démo dans {deck.path}")
    return demos


def _slide_number(value: int | str, option: str) -> int:
    """A slide number given on the command line (invoke passes text)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise DemoError(f"{option} {value}: un numéro de diapo (1, 2, ...) est attendu")
    return number


class Recorded:
    """The outputs of the last `invoke verify` of a deck, to show when the cluster is down."""

    def __init__(self, path: Path, deck: Deck, console: Console):
        self.date: str | None = None
        self.version = ""  # Kubernetes version the outputs were recorded with
        self.results: dict[str, DemoResult] = {}
        try:
            report = report_mod.load(path)
        except DiapoError as exc:
            console.print(f"[yellow]rapport de vérification ignoré: {exc}[/]")
            return
        deck_result = report.deck(deck.name) if report else None
        if report and deck_result:
            self.date = report.date
            self.version = report.cluster.kubernetes_version
            self.results = {d.id: d for d in deck_result.demos}

    def date_for(self, demo: Demo) -> str | None:
        """The French date of the recording of `demo`, None when it was not recorded."""
        return ui.french_date(self.date) if self.date and demo.id in self.results else None


# --------------------------------------------------------------------------- the lecture loop


@dataclass(frozen=True)
class Pace:
    """How a command appears before it runs: `type_speed` characters typed per key pressed
    (--type), or typed alone at `auto` characters per second (--auto); 0 and 0: at once."""

    type_speed: int = 0
    auto: float = 0


@dataclass(frozen=True)
class Stage:
    """What a lecture is given: the keys it reads, the terminal it prints to, the cluster it
    runs on with its last probe, and the outputs recorded by the last verification."""

    keys: KeyReader
    console: Console
    target: Target
    health: Health
    recorded: Recorded


class Lecture:
    """Steps through `demos` with single keys, running each through the engine.

    `open_run()` enters the engine's `DeckRun` (it needs the cluster): it is called at once
    when the server answers, else at the first demo run after the server is back, so that a
    lecture that starts with the cluster down can still show the recorded outputs.
    """

    def __init__(self, deck: Deck, demos: list[Demo], open_run: Callable[[], DeckRun],
                 stage: Stage, pace: Pace | None = None):
        self.deck = deck
        self.demos = demos
        self.open_run = open_run
        self.run: DeckRun | None = None
        self.keys = stage.keys
        self.console = stage.console
        self.target = stage.target
        self.recorded = stage.recorded
        pace = pace or Pace()
        self.type_speed = int(pace.type_speed or 0)
        self.auto = float(pace.auto or 0)
        self.watch = HealthWatch(stage.target)
        self.down = not stage.health.ok  # the last probe found the API server unreachable
        self.last_run: int | None = None
        self._stepping = False
        self._interrupted = False  # Ctrl-C arrived while the current step ran
        self._typist: Typist | None = None  # the command being typed (--type / --auto)
        self._pending: str | None = None  # a key read by the typing effect, still to act on
        self.observers: list[Observer] = []  # told "cue", "start", "output", "end", "down"
        self.cue: int | None = None  # the demo shown, waiting for its key
        self.last_result: DemoResult | None = None
        self.enter_quits = True  # Enter after the last demo ends the lecture
        self._hidden_done: set[int] = set()  # hidden steps already run
        self._follow = False  # the next cue comes from the terminal's s / b: slides follow
        self._remote_key = False  # the key being handled came from the browser

    def emit(self, event: str, **data: object) -> None:
        """Tell the observers (they must not raise, nor block for long)."""
        for observer in list(self.observers):
            observer(event, data)

    # -- keys and signals

    def _key(self, timeout: float | None = None) -> str | None:
        """One key; Ctrl-C at the prompt reads as the key "ctrl-c" (it does not quit)."""
        try:
            return self.keys.read(timeout)
        except KeyboardInterrupt:
            return CTRL_C

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        """Ctrl-C stops the running step only; elsewhere it is an ordinary key."""
        if self._stepping and self.run is not None:
            self._interrupted = True
            self.run.interrupt()
        else:
            raise KeyboardInterrupt

    @contextmanager
    def _sigint(self) -> Iterator[None]:
        previous = signal.signal(signal.SIGINT, self._on_sigint)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    # -- the engine

    def connect(self, demo: Demo | None = None) -> bool:
        """Enter the engine's run if not yet done; False (one line said why) if it failed."""
        if self.run is not None:
            return True
        try:
            self.run = self.open_run()
            self.emit("connected", run=self.run)
        except ClusterError as exc:
            health = probe(self.target)  # says briefly why, when the server is the cause
            if health.ok:
                health = Health(server=self.target.server, error=exc.message)
            self._say_down(health, demo)
            return False
        return True

    def _say_down(self, health: Health, demo: Demo | None) -> None:
        """The server is unreachable: one line, offering the recorded output of `demo`."""
        self.down = True
        ui.unreachable_line(self.console, self.target, health,
                            self.recorded.date_for(demo) if demo else None)
        self.emit("down", demo=demo, health=health)

    def _position(self, index: int) -> tuple[int, int]:
        """(n, total) of demo `index` among the demos the lecturer sees (hidden ones are not)."""
        visible = [i for i, demo in enumerate(self.demos) if not demo.hidden]
        return (visible.index(index) + 1 if index in visible else 0), len(visible)

    def _skip_reason(self, demo: Demo) -> str | None:
        """The engine's reason not to run `demo` here (none known before it is connected)."""
        return self.run.skip_reason(demo) if self.run is not None else None

    # -- showing a demo

    def present(self, index: int, note: str = "") -> str | None:
        """Show demo `index`; with `--auto`, type it out. Returns a key already read, if any.

        With `--type`, the prompt is left waiting: `typing()` types on the next key presses.
        """
        demo = self.demos[index]
        ui.header(self.console, self.deck, demo, *self._position(index), note)
        self.cue = index
        self.emit("cue", index=index, demo=demo, follow=self._follow)
        self._follow = False
        reason = self._skip_reason(demo)
        self._typist = None
        if (self.type_speed or self.auto) and demo.kind == DemoKind.RUN and not reason:
            ui.prompt(self.console)
            self._typist = Typist(self.console, demo.code, demo.lang, self.type_speed or 1)
            if self.auto:
                return self._type(lambda: self._typist.at_speed(self.auto, self._key))  # type: ignore[union-attr]
            return None
        ui.show_code(self.console, demo)
        if reason:
            self.console.print(f"[yellow]○ ignorée[/]: {escape(reason)} "
                               "[dim](Entrée: suivante)[/]")
        return None

    def typing(self, key: str | None) -> bool:
        """With `--type`: whether `key` goes to the typing effect rather than being a command.

        Before the first character, command keys keep their meaning; after it, every key
        types (as in doitlive) and Enter types the rest at once.
        """
        if self._typist is None or key in COMMAND_KEYS - RUN_KEYS:
            return False
        self._typist.type(-1 if key in RUN_KEYS else None)
        self._pending = self._type(lambda: self._typist.by_keys(self._key))  # type: ignore[union-attr]
        return True

    def _type(self, typing: Callable[[], str | None]) -> str | None:
        """Run a typing loop; once the command is all shown, end its line."""
        key = typing()
        if self._typist is not None and self._typist.done:
            self.console.print()
            self._typist = None
        return key

    def _reprompt(self) -> None:
        """After help or a message, show the prompt (and what was typed) again."""
        if self._typist is not None:
            ui.prompt(self.console)
            self._typist.retype()

    # -- running a demo

    def execute(self, index: int) -> bool:
        """Run demo `index`; False when it did not run because the API server is down."""
        demo = self.demos[index]
        if self.down or self.watch.failed():
            health = probe(self.target)  # the server may be back: ask again, a few seconds max
            self.down = not health.ok
            if self.down:
                self._say_down(health, demo)
                return False
        if not self.connect(demo):
            return False
        self.watch.hold()
        self.console.file.flush()
        out = sys.stdout.fileno()
        tail = b"\n"

        def stream(data: bytes) -> None:
            nonlocal tail
            os.write(out, data)
            tail = data[-1:] or tail
            self.emit("output", demo=demo, data=data)

        self.emit("start", demo=demo)
        result, interrupted = self._step(demo, on_output=stream)
        self.last_result = result
        self.emit("end", demo=demo, result=result, interrupted=interrupted)
        self.last_run = index
        if tail not in (b"\n", b"\r"):
            self.console.print()  # the result line starts on a line of its own
        ui.result_line(self.console, result, demo.exit, interrupted=interrupted)
        if result.status != PASSED and not interrupted:
            health = probe(self.target)
            if not health.ok:
                self._say_down(health, demo)
                return False
        self.watch.start()  # check the server again while the lecturer talks
        return True

    def _step(self, demo: Demo, on_output: Callable[[bytes], None] | None = None
              ) -> tuple[DemoResult, bool]:
        """Run one step through the engine, Ctrl-C stopping only it; (result, interrupted)."""
        assert self.run is not None
        self._stepping, self._interrupted = True, False
        try:
            with self._keyboard(demo.interactive and on_output is not None):
                result = self.run.run_step(demo, on_output=on_output,
                                           pty=on_output is not None)
        except DiapoError as exc:  # e.g. invalid YAML in an apply block: say so, go on
            result = DemoResult(id=demo.id, slide=demo.slide, line=demo.location.line,
                                kind=demo.kind.value, status=FAILED, reason=str(exc))
        finally:
            self._stepping = False
        self.keys.drain()  # keys pressed while it ran must not act on the next demo
        # An interactive step gets Ctrl-C as a key, through its terminal: the engine says so.
        return result, self._interrupted or result.reason == INTERRUPTED

    @contextmanager
    def _keyboard(self, forward: bool) -> Iterator[None]:
        """While an interactive step runs, the terminal's keys and size go to its pty."""
        session = self.run.session if self.run is not None else None
        if not forward or session is None or not self.keys.interactive:
            yield
            return
        with KeyForwarder(self.keys.fd, session.send, session.resize):
            yield

    def shell(self) -> None:
        """`!`: a free shell in the session's namespace and work directory; `exit` returns."""
        if not self.keys.interactive and not self.observers:
            self.console.print("[yellow]shell: pas de terminal pour le taper[/]")
            return
        if not self.connect() or self.run is None:
            return
        self.console.print(f"[dim]shell libre dans {escape(str(self.run.work_dir))} "
                           f"(namespace {escape(self.run.namespace or '?')}) · [b]exit[/] pour "
                           "revenir à la démo[/]")
        self.console.file.flush()
        out = sys.stdout.fileno()

        def stream(data: bytes) -> None:
            os.write(out, data)
            self.emit("output", demo=None, data=data)

        self.emit("shell", open=True)
        self._stepping = True
        try:
            with self._keyboard(True):
                self.run.shell(on_output=stream)
        finally:
            self._stepping = False
            self.emit("shell", open=False)
        self.keys.drain()
        self.console.print()

    def run_hidden(self, index: int) -> None:
        """Hidden steps (setup) run without a key press, their output kept off the screen."""
        demo = self.demos[index]
        if self._skip_reason(demo) or not self.connect():
            return
        result, _ = self._step(demo)
        self._hidden_done.add(index)
        ui.hidden_line(self.console, demo, result)
        if result.status != PASSED and result.output:
            self.console.print(result.output.rstrip("\n"), markup=False, highlight=False)

    # -- the loop

    def loop(self) -> int:
        """Step through the demos until the last one or `q`; returns the exit code (0)."""
        self.console.print(f"[dim]{ui.KEYS_HINT}[/]")
        index, shown = 0, -1
        with self._sigint():
            while True:
                at_end = index >= len(self.demos)
                if not at_end and self.demos[index].hidden:
                    self.run_hidden(index)
                    index += 1
                    continue
                if shown != index:
                    if at_end:
                        self._show_end()
                    else:
                        self._pending = self.present(index)
                        self.watch.start()
                    shown = index
                key, self._pending = self._pending or self._key(), None
                if self.typing(key):
                    continue
                if self._typist is not None:
                    self.console.print()  # the prompt waits: messages go below it
                if key in ("q", CTRL_D) or (at_end and key in RUN_KEYS and self.enter_quits):
                    self.console.print("[dim]au revoir.[/]")
                    return 0
                index, shown = self._act(key, index, shown)
                if shown == index:
                    self._reprompt()

    def _act(self, key: str | None, index: int, shown: int) -> tuple[int, int]:
        """Do what `key` asks on demo `index`; returns the new (index, shown)."""
        at_end = index >= len(self.demos)
        if key == REMOTE:
            return self._remote(index, shown)
        if key == CTRL_C:
            self.console.print("[dim]Ctrl-C: aucune démo ne tourne; [b]q[/] pour quitter[/]")
        elif key == "?":
            ui.help_panel(self.console)
        elif key == "!":
            self.shell()
            return index, -1  # show the cue again
        elif key in BACK_KEYS:
            self._follow = not self._remote_key  # moved from the terminal: slides follow
            return self._previous(index), -1
        elif key == "r":
            if self.last_run is None:
                self.console.print("[dim]rien à relancer: aucune démo exécutée[/]")
            else:
                self.present_and_rerun(self.last_run)
                return index, -1  # show again where the lecture stands
        elif at_end:
            pass
        elif key in RUN_KEYS:
            if self._skip_reason(self.demos[index]) or self.execute(index):
                return index + 1, shown
        elif key == "s":
            self.console.print(f"[dim]démo {self.demos[index].id} passée[/]")
            self._follow = not self._remote_key
            return index + 1, shown
        elif key == "e":
            demo = self.demos[index]
            found = self.recorded.results.get(demo.id)
            ui.recorded(self.console, demo, found, self.recorded.date)
            if found is not None:  # shown instead of running it: on to the next demo
                return index + 1, shown
        return index, shown

    def _remote(self, index: int, shown: int) -> tuple[int, int]:
        """A command from the browser (`invoke present`): what the same keys would do.

        ("slide", N) cues the first demo of slide N (or after it); ("run", id, advance) runs
        that demo, and with `advance`, tells the observers to move on after the slide's last
        demo; ("skip",) and ("recorded",) are `s` and `e`.
        """
        command = self.keys.pop() if isinstance(self.keys, RemoteKeys) else None
        if not command:
            return index, shown
        kind = command[0]
        if kind == "slide":
            target = self.first_at(int(command[1]))
            return (target, -1) if target != index else (index, shown)
        if kind == "run":
            target = next(i for i, d in enumerate(self.demos) if d.id == command[1])
            if shown != target:
                self.present(target)
            demo = self.demos[target]
            self.last_result = None
            reason = self._skip_reason(demo)
            if reason:
                self.emit("skipped", demo=demo, reason=reason)
            elif not self.execute(target):
                return target, target
            passed = self.last_result is not None and self.last_result.status == PASSED
            if len(command) > 2 and command[2] and passed and self._last_of_slide(target):
                self.emit("advance", slide=demo.slide)
            return target + 1, target
        if kind == "skip":
            self._remote_key = True
            try:
                return self._act("s", index, shown)
            finally:
                self._remote_key = False
        if kind == "recorded":
            return self._act("e", index, shown)
        return index, shown

    def first_at(self, slide: int) -> int:
        """The demo a move to `slide` cues: its first (or the next slide's), hidden steps
        already run left out; len(demos) when none is left."""
        return next((i for i, d in enumerate(self.demos)
                     if d.slide >= slide and i not in self._hidden_done), len(self.demos))

    def _last_of_slide(self, index: int) -> bool:
        slide = self.demos[index].slide
        return not any(d.slide == slide and not d.hidden for d in self.demos[index + 1:])

    def _show_end(self) -> None:
        self._typist = None
        self.console.print()
        self.console.rule(f"[bold]Fin des démos de {self.deck.name}[/]", style="cyan")
        self.console.print("[dim][b]b[/] retour · [b]r[/] relancer · [b]q[/] ou [b]Entrée[/] "
                           "quitter[/]")

    def _previous(self, index: int) -> int:
        """The visible demo before `index` (hidden steps are not stepped back into)."""
        for previous in range(min(index, len(self.demos)) - 1, -1, -1):
            if not self.demos[previous].hidden:
                return previous
        self.console.print("[dim]déjà à la première démo[/]")
        return min(index, len(self.demos) - 1) if index < len(self.demos) else index

    def present_and_rerun(self, index: int) -> None:
        """`r`: show the last demo run again and run it at once."""
        demo = self.demos[index]
        ui.header(self.console, self.deck, demo, *self._position(index), "relance")
        ui.show_code(self.console, demo)
        self.execute(index)

    def close(self) -> None:
        """Stop the background probe."""
        self.watch.close()


# --------------------------------------------------------------------------- entry points


def run(deck: str, *, slide: int | None = None, start: int | None = None,
        demo: str | None = None, list_only: bool = False, type_speed: int = 0,
        auto: float = 0, context: str | None = None) -> int:
    """Lecture mode for `deck` (name or path); returns the exit code. See the module doc."""
    project = Project.find()
    the_deck = project.find_deck(deck)
    demos = select_demos(the_deck, slide=slide, start=start, demo=demo)
    console = ui.make_console()
    if list_only:
        ui.listing(console, the_deck, demos)
        return 0
    return lecture(the_deck, demos, project=project, console=console, keys=KeyReader(),
                   context=context, pace=Pace(type_speed, auto))


def lecture(the_deck: Deck, demos: list[Demo], *, project: Project, console: Console,
            keys: KeyReader, context: str | None = None, pace: Pace | None = None,
            around: Callable[[Lecture], AbstractContextManager] | None = None) -> int:
    """The lecture itself: pre-flight, the engine's run, the key loop; the exit code.

    `around(lecture)` wraps the loop (e.g. the `invoke present` server, which watches and
    drives the same lecture): the same engine, pre-flight, context guard and cleanup.
    """
    with keys:
        target = _choose(project, context, keys)
        health = probe(target)
        console.print(ui.health_line(target, health), soft_wrap=True)
        recorded = Recorded(project.report, the_deck, console)
        if not health.ok and recorded.date:
            console.print(f"[yellow]sorties enregistrées le {ui.french_date(recorded.date)} "
                          "disponibles: touche [b]e[/][/]")
        with ExitStack() as stack:
            def open_run() -> DeckRun:
                # Mode "live": steps run where the slides say (no namespace of their own).
                return stack.enter_context(DeckRun(the_deck, RunOptions(
                    mode=LIVE, kubeconfig=target.kubeconfig, context=target.context), project))

            steps = Lecture(the_deck, demos, open_run,
                            Stage(keys, console, target, health, recorded), pace)
            try:
                with around(steps) if around else nullcontext():
                    if health.ok:
                        steps.connect()
                    return steps.loop()
            finally:
                steps.close()


def _choose(project: Project, context: str | None, keys: KeyReader) -> Target:
    """The lecture's context: the kubeconfig's current one (or `--context`), checked against
    `contexts` as verify's is; `--context` may confirm an unlisted one with a typed "oui"."""
    return cluster_target.choose(list(project.config.contexts), config_path=project.mkdocs_yml,
                                 requested=context, confirm=keys.ask)


def reset(deck: str, *, context: str | None = None) -> int:
    """`invoke demo.reset DECK`: remove what the deck's demos created on the cluster."""
    project = Project.find()
    the_deck = project.find_deck(deck)
    console = ui.make_console()
    with KeyReader() as keys:
        target = _choose(project, context, keys)
    health = probe(target)
    console.print(ui.health_line(target, health), soft_wrap=True)
    if not health.ok:
        raise DemoError(f"serveur API injoignable ({health.server}): {health.error}")
    removed = engine_reset(the_deck, project, kubeconfig=target.kubeconfig,
                           context=target.context)
    for line in removed or []:
        console.print(f"supprimé: {line}")
    console.print(f"[green]✓[/] {the_deck.name}: {len(removed or [])} objet(s) supprimé(s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m diapo.demo.live`: the same options as `invoke demo`."""
    parser = argparse.ArgumentParser(prog="python -m diapo.demo.live", description=__doc__
                                     .splitlines()[0])
    parser.add_argument("deck")
    parser.add_argument("--slide", type=int)
    parser.add_argument("--from", dest="start", type=int)
    parser.add_argument("--demo")
    parser.add_argument("--list", dest="list_only", action="store_true")
    parser.add_argument("--type", dest="type_speed", type=int, default=0)
    parser.add_argument("--auto", type=float, default=0)
    parser.add_argument("--context")
    parser.add_argument("--reset", action="store_true", help="remove what the demos created")
    args = vars(parser.parse_args(argv))
    if args.pop("reset"):
        return cli_call(reset, args["deck"], context=args["context"])
    return cli_call(run, args.pop("deck"), **args)


def cli_call(fn: Callable[..., int], *args: object, **kwargs: object) -> int:
    """Run an entry point for `python -m`: errors in one French line, exit codes as invoke's."""
    try:
        return fn(*args, **kwargs)
    except DiapoError as exc:
        print(f"erreur: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrompu.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
