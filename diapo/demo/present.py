"""`invoke present DECK`: the slides and the live demos as one performance.

One process runs the lecture of `invoke demo` (same engine, pre-flight, allowed-context guard,
cleanup, terminal keys) and, beside it, a local server (`present_server`) that serves the
deck's presentation view with a control panel: moving to a slide cues its first demo, the
presenter window lists the slide's demos with their verify status and a "Lancer" button, the
audience slide shows the step's output next to the expected one, keys typed in that panel go
to an interactive step. When the cluster fails, the slide shows what `invoke verify` recorded.

A lock per deck (`.diapo/present/<deck>.lock`) keeps a second `invoke present` of the same
deck from starting; the addresses to open (they carry the token) are written, readable by the
user only, to `.diapo/present/<deck>.url`, never printed nor logged.

Also runnable as `python -m diapo.demo.present DECK [--no-browser] [--port N]`.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import secrets
import signal
import sys
import tempfile
import webbrowser
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from rich.console import Console

from diapo.deck.model import Deck
from diapo.demo import live, live_ui as ui, present_guard, report as report_mod
from diapo.demo.engine import deck_slug
from diapo.demo.live_keys import RemoteKeys
from diapo.demo.present_hub import Hub
from diapo.demo.present_server import PresentServer
from diapo.errors import DemoError, DiapoError
from diapo.project import Project
from diapo.site import presentation


def state_dir(root: Path) -> Path:
    """Where the lock and the address file of running presentations live."""
    return root / ".diapo" / "present"


@contextmanager
def deck_lock(root: Path, deck: Deck) -> Iterator[Path]:
    """Hold the deck's lock; a `DemoError` when another `invoke present` holds it."""
    folder = state_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{deck_slug(deck.name)}.lock"
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held until the end)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        owner = handle.read().strip() or "?"
        handle.close()
        raise DemoError(f"invoke present {deck.name} tourne déjà ({owner})",
                        hint="une seule présentation par deck : utilisez la fenêtre ouverte, "
                             "ou quittez l'autre (q dans son terminal)") from None
    try:
        yield path
    finally:
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


@contextmanager
def _terminated() -> Iterator[None]:
    """SIGTERM and SIGHUP end the presentation like `q` (cleanup runs)."""
    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run(deck: str, *, port: int = 0, browser: bool = True, context: str | None = None) -> int:
    """Present `deck` (name or path); returns the exit code. See the module docstring."""
    project = Project.find()
    config, root = project.config, project.root
    the_deck = project.find_deck(deck)
    demos = [d for d in the_deck.demos if d.only != "ci"]
    console = ui.make_console()
    report = _report(project.report, console)
    with deck_lock(root, the_deck) as lock, _terminated(), \
            tempfile.TemporaryDirectory(prefix="diapo-present-") as view:
        page = presentation.write(the_deck, site_dir=Path(view), config=config, report=report)
        keys = RemoteKeys()
        recorded = live.Recorded(project.report, the_deck, console)
        hub = Hub(the_deck, demos, keys, recorded, report)
        server = PresentServer(hub, token=secrets.token_urlsafe(24), port=port,
                               roots=[Path(view), project.docs_dir, project.site_dir],
                               page="/" + page.relative_to(view).as_posix())
        lock.write_text(f"pid {os.getpid()}, http://127.0.0.1:{server.port}/\n",
                        encoding="utf-8")
        urls = state_dir(root) / f"{deck_slug(the_deck.name)}.url"
        _write_private(urls, f"{server.url()}\n{server.url(presenter=True)}\n")
        server.start()
        console.print(f"[bold]invoke present[/] {the_deck.name} · http://127.0.0.1:"
                      f"{server.port}/ · adresses avec le jeton: {urls.relative_to(root)}")
        try:
            if browser:
                webbrowser.open(server.url(), new=1)
                webbrowser.open(server.url(presenter=True), new=1)
            if not demos:
                return _without_demos(keys, console)

            guard = present_guard.start()

            def guarded(event: str, data: dict) -> None:
                if event == "connected":
                    present_guard.watch(guard, data["run"].base_dir)

            @contextmanager
            def watched(lecture: live.Lecture) -> Iterator[None]:
                hub.lecture = lecture
                lecture.observers += [hub.observe, guarded]
                lecture.enter_quits = False  # the slides go on after the last demo
                yield

            try:
                return live.lecture(the_deck, demos, project=project, console=console,
                                    keys=keys, context=context, around=watched)
            finally:
                if guard.stdin is not None:
                    guard.stdin.close()  # after our own cleanup: nothing left for it
                guard.wait(timeout=30)
        finally:
            server.stop()
            urls.unlink(missing_ok=True)


def _without_demos(keys: RemoteKeys, console: Console) -> int:
    """A deck without demos: the slides are served, `q` ends."""
    console.print("[dim]ce deck n'a pas de démo: seules les diapositives sont servies · "
                  "[b]q[/] quitter[/]")
    with keys:
        while True:
            key = keys.read()
            if key == "remote":
                keys.pop()
            elif key in ("q", "ctrl-d"):
                console.print("[dim]au revoir.[/]")
                return 0


def _report(path: Path, console: Console) -> report_mod.Report | None:
    try:
        return report_mod.load(path)
    except DiapoError as exc:
        console.print(f"[yellow]rapport de vérification ignoré: {exc}[/]")
        return None


def _write_private(path: Path, text: str) -> None:
    """Write `text` readable by the user only (it holds the token)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def main(argv: list[str] | None = None) -> int:
    """`python -m diapo.demo.present`: the same options as `invoke present`."""
    parser = argparse.ArgumentParser(prog="python -m diapo.demo.present",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("deck")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-browser", dest="browser", action="store_false")
    parser.add_argument("--context")
    args = parser.parse_args(argv)
    return live.cli_call(run, args.deck, port=args.port, browser=args.browser,
                         context=args.context)


if __name__ == "__main__":
    sys.exit(main())
