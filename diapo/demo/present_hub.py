"""What `invoke present` tells the browser, and what it accepts from it.

`Hub` watches the lecture (an observer of `live.Lecture`) and turns its events into JSON
messages for the browser's Server-Sent Events stream: the cue, a step's output as escaped HTML
(ANSI colours kept), its end with the lines that differ from the expected output, the
recorded output when the cluster fails, "advance" after a slide's last demo. Commands from the
browser go to the lecture loop as "remote keys": only the deck's own demos can be run; keys
reach only an interactive step or the `!` shell that is open.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from diapo.deck.model import Deck, Demo
from diapo.demo import match as match_mod
from diapo.demo.live import Lecture, Recorded
from diapo.demo.live_keys import RemoteKeys
from diapo.demo.present_ansi import AnsiHtml
from diapo.demo.report import FAILED, DemoResult, Report
from diapo.site import badges

MAX_REPLAY = 1024 * 1024  # bytes of the current step's output kept for a browser that joins
CLIENT_QUEUE = 10_000  # messages waiting for a slow browser before it is dropped
ASKED_FOR = 10.0  # seconds an accepted run may take to start before another is accepted
SHELL = "!"  # the demo id the `!` shell's output is sent under


@dataclass
class Refusal(Exception):
    """A command the server refuses: HTTP status and a French message."""

    status: int
    message: str


def short_date(iso: str) -> str:
    """`2026-12-01T10:00:00+00:00` -> `01/12/2026` (as written when it does not parse)."""
    try:
        return datetime.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso


def minor(version: str) -> str:
    """`v1.37.2` -> `1.37`."""
    parts = version.lstrip("v").split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else version.lstrip("v")


def banner(recorded: Recorded) -> str:
    """"sortie enregistrée le 01/12/2026, Kubernetes 1.37"."""
    text = f"sortie enregistrée le {short_date(recorded.date or '')}"
    return text + (f", Kubernetes {minor(recorded.version)}" if recorded.version else "")


class Hub:
    """The shared state of one presentation: events out, commands in."""

    def __init__(self, deck: Deck, demos: list[Demo], keys: RemoteKeys, recorded: Recorded,
                 report: Report | None):
        self.deck = deck
        self.demos = demos
        self.keys = keys
        self.recorded = recorded
        self.proofs = badges.proofs(deck, report)
        self.lecture: Lecture | None = None
        self._lock = threading.Lock()
        self._clients: list[queue.Queue[str | None]] = []
        self.cue: Demo | None = None
        self.running: Demo | None = None
        # When a run was accepted and its step has not started yet (pre-flight, connection):
        # a second click then is refused too. Bounded, in case the lecture drops the command.
        self._asked: float | None = None
        self.shell_open = False
        self.last_slide: int | None = None
        self._raw = bytearray()  # the running step's output so far
        self._html: list[str] = []
        self._ansi = AnsiHtml()
        self._last: dict[str, Any] | None = None  # the last end / recorded message

    # ------------------------------------------------------------------ browser side

    def subscribe(self) -> queue.Queue[str | None]:
        """A new SSE client: it first gets the current state."""
        client: queue.Queue[str | None] = queue.Queue(CLIENT_QUEUE)
        with self._lock:
            client.put(_sse(self.state()))
            if self.running is not None:
                client.put(_sse({**self._start_message(self.running),
                                 "html": "".join(self._html)}))
            elif self._last is not None:
                client.put(_sse(self._last))
            self._clients.append(client)
        return client

    def unsubscribe(self, client: queue.Queue[str | None]) -> None:
        with self._lock:
            if client in self._clients:
                self._clients.remove(client)

    def close(self) -> None:
        """End every event stream (the server stops)."""
        with self._lock:
            for client in self._clients:
                try:
                    client.put_nowait(None)
                except queue.Full:
                    pass
            self._clients.clear()

    def _send(self, message: dict[str, Any]) -> None:
        text = _sse(message)
        with self._lock:
            for client in list(self._clients):
                try:
                    client.put_nowait(text)
                except queue.Full:  # a browser that stopped reading: let it go
                    self._clients.remove(client)

    def state(self) -> dict[str, Any]:
        """Everything the presenter window lists: the deck's demos by slide, the cue."""
        return {
            "type": "state",
            "deck": self.deck.name,
            "demos": [self._describe(d) for d in self.demos if not d.hidden],
            "cue": self.cue.id if self.cue else None,
            "running": self.running.id if self.running else None,
            "shell": self.shell_open,
            "recorded": banner(self.recorded) if self.recorded.date else None,
        }

    def _describe(self, demo: Demo) -> dict[str, Any]:
        proof = self.proofs.get(demo.id)
        return {"id": demo.id, "slide": demo.slide, "kind": demo.kind.value,
                "command": demo.code if demo.kind.value == "run" else f"({demo.kind.value})",
                "interactive": demo.interactive,
                "status": proof.status if proof else badges.UNVERIFIED,
                "label": proof.label if proof else badges.LABELS[badges.UNVERIFIED],
                "detail": proof.detail if proof else ""}

    # ------------------------------------------------------------------ commands

    def command(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        """Do what the browser asks; `Refusal` when it may not."""
        if kind == "slide":
            slide = body.get("slide")
            if not isinstance(slide, int) or not 1 <= slide <= len(self.deck.slides):
                raise Refusal(400, f"diapo inconnue: {slide!r}")
            if slide != self.last_slide:
                self.last_slide = slide
                if self.demos:
                    self.keys.push(("slide", slide))
            return {"ok": True}
        if kind == "run":
            demo_id = body.get("demo")
            if not any(d.id == demo_id and not d.hidden for d in self.demos):
                raise Refusal(404, f"démo inconnue dans {self.deck.name}: {demo_id!r}")
            with self._lock:
                self._refuse_if_busy()
                self._asked = time.monotonic()
            self.keys.push(("run", demo_id, bool(body.get("advance"))))
            return {"ok": True}
        if kind in ("skip", "recorded"):  # never "shell": only the terminal's `!` opens it
            with self._lock:
                self._refuse_if_busy()
            self.keys.push((kind,))
            return {"ok": True}
        if kind == "stop":
            if self.lecture is not None and self.lecture.run is not None and self.running:
                self.lecture.run.interrupt()
            return {"ok": True}
        if kind == "keys":
            data = body.get("data")
            if not isinstance(data, str) or len(data) > 4096:
                raise Refusal(400, "touches attendues: un texte (4096 caractères au plus)")
            session = (self.lecture.run.session
                       if self.lecture is not None and self.lecture.run is not None else None)
            if session is None or not session.interactive or not self._takes_keys():
                raise Refusal(409, "aucune démo interactive ne tourne")
            session.send(data.encode("utf-8"))
            return {"ok": True}
        raise Refusal(404, f"commande inconnue: {kind}")

    def _refuse_if_busy(self) -> None:
        asked = self._asked is not None and time.monotonic() - self._asked < ASKED_FOR
        if self.running is not None or self.shell_open or asked:
            raise Refusal(409, "une démo tourne déjà")

    def _takes_keys(self) -> bool:
        return self.shell_open or (self.running is not None and self.running.interactive)

    # ------------------------------------------------------------------ lecture events

    def observe(self, event: str, data: dict[str, Any]) -> None:
        """The lecture's observer (see `Lecture.emit`)."""
        demo: Demo | None = data.get("demo")  # type: ignore[assignment]
        if event == "cue" and demo is not None:
            self.cue = demo
            follow = bool(data.get("follow"))
            if follow:  # the slides go to the cue; their report back must not move it again
                self.last_slide = demo.slide
            self._send({"type": "cue", "demo": demo.id, "slide": demo.slide, "follow": follow})
        elif event == "start" and demo is not None:
            with self._lock:
                self.running, self._raw, self._html, self._ansi = demo, bytearray(), [], AnsiHtml()
                self._asked = None
                self._last = None
            self._send(self._start_message(demo))
        elif event == "output":
            chunk = self._ansi.feed(data["data"])  # type: ignore[arg-type]
            with self._lock:
                if len(self._raw) < MAX_REPLAY:
                    self._raw += data["data"]  # type: ignore[operator]
                    self._html.append(chunk)
            if chunk:
                self._send({"type": "output", "demo": demo.id if demo else SHELL,
                            "html": chunk})
        elif event == "end" and demo is not None:
            self._end(demo, data["result"], bool(data.get("interrupted")))  # type: ignore[arg-type]
        elif event == "down":
            if demo is not None:
                self._fallback(demo, f"serveur API injoignable: {data['health'].error}")  # type: ignore[union-attr]
        elif event == "skipped" and demo is not None:
            with self._lock:
                self._asked = None
            self._send(self._start_message(demo))
            self._send({"type": "end", "demo": demo.id, "status": "skipped",
                        "reason": data.get("reason"), "interrupted": False,
                        "exit_code": None, "lines": [], "expected_marks": []})
        elif event == "advance":
            self._send({"type": "advance", "slide": data["slide"]})
        elif event == "shell":
            self.shell_open = bool(data.get("open"))
            with self._lock:
                self._raw, self._html, self._ansi = bytearray(), [], AnsiHtml()
            self._send({"type": "shell", "open": self.shell_open})

    def _start_message(self, demo: Demo) -> dict[str, Any]:
        expected, label = self._expected(demo)
        return {"type": "start", "demo": demo.id, "slide": demo.slide,
                "command": demo.code if demo.kind.value == "run" else "",
                "interactive": demo.interactive, "expected": expected, "label": label}

    def _expected(self, demo: Demo) -> tuple[str | None, str]:
        """The text to show beside the live output, and what it is."""
        if demo.expect is not None:
            return demo.expect.text, "attendu (bloc expect)"
        proof = self.proofs.get(demo.id)
        if proof and proof.status == badges.VERIFIED and proof.result and proof.result.output:
            return proof.result.output, f"sortie vérifiée {proof.detail}"
        return None, "aucune sortie attendue"

    def _end(self, demo: Demo, result: DemoResult, interrupted: bool) -> None:
        with self._lock:
            raw = bytes(self._raw)
            self.running, self._asked = None, None
        actual = match_mod.clean_output(raw)
        got_marks: set[int] = set()
        want_marks: set[int] = set()
        if demo.expect is not None and not interrupted:
            try:
                got_marks, want_marks = match_mod.differing_lines(demo.expect, actual)
            except Exception:  # noqa: BLE001 (a bad regex is already the step's failure)
                pass
        message = {"type": "end", "demo": demo.id, "status": result.status,
                   "reason": result.reason, "interrupted": interrupted,
                   "exit_code": result.exit_code,
                   "lines": _marked_lines(raw, got_marks),
                   "expected_marks": sorted(want_marks)}
        self._last = message
        self._send(message)
        # A step that failed (not one whose output merely differs: the marks show that) is
        # replaced by what the last verification recorded, when there is a recording.
        if (result.status == FAILED and not interrupted and not result.diff
                and demo.id in self.recorded.results):
            self._fallback(demo, f"échec: {result.reason or 'la démo a échoué'}")

    def _fallback(self, demo: Demo, why: str) -> None:
        """The cluster failed: show what the last `invoke verify` recorded, with a banner."""
        found = self.recorded.results.get(demo.id)
        if found is None or self.recorded.date is None:
            message = {"type": "recorded", "demo": demo.id, "why": why, "banner": None,
                       "html": None}
        else:
            converter = AnsiHtml()
            html = converter.feed(found.output.encode()) + converter.close()
            message = {"type": "recorded", "demo": demo.id, "why": why,
                       "banner": banner(self.recorded), "html": html,
                       "status": found.status}
        with self._lock:
            self.running, self._asked = None, None
        self._last = message
        self._send(message)


def _marked_lines(raw: bytes, marks: set[int]) -> list[dict[str, Any]]:
    """The output line by line as balanced HTML, each flagged when it differs."""
    converter = AnsiHtml()
    return [{"html": html, "differs": i in marks}
            for i, html in enumerate(converter.lines(raw))]


def _sse(message: dict[str, Any]) -> str:
    return "data: " + json.dumps(message, ensure_ascii=False) + "\n\n"
