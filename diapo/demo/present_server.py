"""The local HTTP server of `invoke present`: the deck's presentation view and a control API.

It can make the lecture's shell run things, so it guards itself as a notebook server does:
it listens on 127.0.0.1 only, on a free port; every request needs the random token (in the
URL it opens, then an HttpOnly SameSite cookie; commands also need the `X-Diapo-Token`
header); a `Host` or `Origin` that is not its own address gets 403 (DNS rebinding, other
sites); it never logs a request (the token must not end up in a log).

    GET  /<deck>.html?token=T      the presentation view, with present.js / present.css added
    GET  /__present/present.js|css the browser side of the control panel
    GET  /api/state                the deck's demos, their verify status, the cue (JSON)
    GET  /api/events               Server-Sent Events: cue, start, output, end, recorded...
    POST /api/<command>            slide, run, skip, recorded, stop, keys (JSON body)

Other paths are files of the presentation view, else of docs/ (images), else of the built
site, never outside them.
"""

from __future__ import annotations

import hmac
import json
import mimetypes
import queue
import threading
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from diapo.demo.present_hub import Hub, Refusal
from diapo.site import themes

COOKIE = "diapo_present"
HEADER = "X-Diapo-Token"
PING = 15.0  # seconds between keep-alive comments on the event stream
MAX_BODY = 64 * 1024
ASSETS = ("present.js", "present.css")


class PresentServer(ThreadingHTTPServer):
    """The server: `roots` are searched in order for files; `page` is the deck's view."""

    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, hub: Hub, *, token: str, roots: list[Path], page: str, port: int = 0):
        super().__init__(("127.0.0.1", port), Handler)
        self.hub = hub
        self.token = token
        self.roots = [r.resolve() for r in roots]
        self.page = page  # URL path of the presentation view, e.g. "/cours.html"
        self.stopping = threading.Event()

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def origins(self) -> set[str]:
        return {f"http://127.0.0.1:{self.port}", f"http://localhost:{self.port}"}

    def url(self, *, presenter: bool = False) -> str:
        """The address to open (with the token), for the audience or the presenter window."""
        query = f"token={self.token}" + ("&presenter" if presenter else "")
        return f"http://127.0.0.1:{self.port}{self.page}?{query}#1"

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                  name="diapo-present", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stopping.set()
        self.hub.close()
        self.shutdown()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    """One request; see the module docstring for the routes and the checks."""

    server: PresentServer
    protocol_version = "HTTP/1.1"
    server_version = "diapo-present"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Never log: request lines carry the token."""

    # ------------------------------------------------------------------ checks

    def _allowed(self, *, command: bool) -> bool:
        host = self.headers.get("Host", "")
        if host not in {o.removeprefix("http://") for o in self.server.origins}:
            return self._refuse("hôte refusé")
        origin = self.headers.get("Origin")
        if origin is not None and origin not in self.server.origins:
            return self._refuse("origine refusée")
        # A browser says where a request comes from even when it sends no Origin (a no-cors
        # GET from another page, which carries the cookie): only our pages, or the address bar.
        if self.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            return self._refuse("origine refusée")
        token = self.headers.get(HEADER, "")
        if not command:
            token = token or self._query().get("token", "") or self._cookie()
        if not hmac.compare_digest(token.encode(), self.server.token.encode()):
            return self._refuse("jeton absent ou invalide")
        return True

    def _refuse(self, why: str) -> bool:
        self._json(HTTPStatus.FORBIDDEN, {"erreur": why})
        return False

    def _query(self) -> dict[str, str]:
        query = urllib.parse.urlsplit(self.path).query
        return {k: v[0] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}

    def _cookie(self) -> str:
        for part in self.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE:
                return value
        return ""

    # ------------------------------------------------------------------ GET

    def do_GET(self) -> None:  # noqa: N802
        if not self._allowed(command=False):
            return
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        if path == "/api/events":
            self._events()
        elif path == "/api/state":
            self._json(HTTPStatus.OK, self.server.hub.state())
        elif path.startswith("/__present/") and path.removeprefix("/__present/") in ASSETS:
            name = path.removeprefix("/__present/")
            self._send(HTTPStatus.OK, (themes.ASSETS_DIR / name).read_bytes(),
                       mimetypes.guess_type(name)[0] or "application/octet-stream")
        elif path in ("/", ""):
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", self.server.page)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._file(path)

    def _file(self, path: str) -> None:
        relative = path.lstrip("/")
        for root in self.server.roots:
            candidate = (root / relative).resolve()
            if candidate.is_relative_to(root) and candidate.is_file():
                body = candidate.read_bytes()
                kind = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
                if path == self.server.page:
                    body = self._inject(body)
                self._send(HTTPStatus.OK, body, kind)
                return
        self._json(HTTPStatus.NOT_FOUND, {"erreur": f"introuvable: {path}"})

    def _inject(self, page: bytes) -> bytes:
        """The presentation view, with the control panel's assets and its settings."""
        settings = json.dumps({"token": self.server.token, "deck": self.server.hub.deck.name})
        settings = settings.replace("</", "<\\/")
        extra = (f'<script type="application/json" id="diapo-present-config">'
                 f'{settings}</script>\n'
                 '<link rel="stylesheet" href="/__present/present.css">\n'
                 '<script src="/__present/present.js"></script>\n').encode()
        head, found, tail = page.rpartition(b"</body>")
        return head + extra + found + tail if found else page + extra

    def _events(self) -> None:
        hub = self.server.hub
        client = hub.subscribe()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        self.close_connection = True
        try:
            while not self.server.stopping.is_set():
                try:
                    message = client.get(timeout=PING)
                except queue.Empty:
                    message = ": ping\n\n"  # also finds out that a browser went away
                if message is None:
                    break
                self.wfile.write(message.encode("utf-8"))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            hub.unsubscribe(client)

    # ------------------------------------------------------------------ POST

    def do_POST(self) -> None:  # noqa: N802
        if not self._allowed(command=True):
            return
        path = urllib.parse.urlsplit(self.path).path
        if not path.startswith("/api/"):
            self._json(HTTPStatus.NOT_FOUND, {"erreur": f"introuvable: {path}"})
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self._json(HTTPStatus.BAD_REQUEST, {"erreur": "corps de requête invalide"})
            return
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            self._json(HTTPStatus.BAD_REQUEST, {"erreur": "JSON attendu"})
            return
        try:
            answer = self.server.hub.command(path.removeprefix("/api/"), body)
        except Refusal as refusal:
            self._json(refusal.status, {"erreur": refusal.message})
            return
        self._json(HTTPStatus.OK, answer)

    # ------------------------------------------------------------------ replies

    def _json(self, status: int, data: dict[str, Any]) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"),
                   "application/json")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        if kind.startswith("text/") or kind in ("application/json", "application/javascript"):
            kind += "; charset=utf-8"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if self._query().get("token") == self.server.token:
            self.send_header("Set-Cookie", f"{COOKIE}={self.server.token}; HttpOnly; "
                                           "SameSite=Strict; Path=/")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
