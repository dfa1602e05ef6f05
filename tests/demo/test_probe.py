"""`wait="http://URL [CODE]"`: polling a real local HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from diapo.demo import probe
from diapo.errors import DemoError


class _Server(ThreadingHTTPServer):
    ready_after = 3  # answers 404 to the first requests, as an Ingress not yet routed
    seen: list[tuple[str, str]]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.seen.append((self.headers.get("Host", ""), self.path))
        routed = len(self.server.seen) > self.server.ready_after
        self.send_response(200 if routed else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.seen = []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_waits_until_the_url_answers_and_sends_the_host(server: _Server) -> None:
    port = server.server_address[1]
    url = f"http://whoami.dev.localhost:{port}/chemin?x=1"
    assert probe.is_url(url) and not probe.is_url("deployment/whoami Available")
    assert probe.wait_http(url, timeout=10) == 200
    assert len(server.seen) == server.ready_after + 1
    assert server.seen[-1] == (f"whoami.dev.localhost:{port}", "/chemin?x=1")


def test_a_given_code_is_waited_for(server: _Server) -> None:
    port = server.server_address[1]
    assert probe.wait_http(f"http://127.0.0.1:{port} 404", timeout=10) == 404
    assert len(server.seen) == 1


def test_the_timeout_names_the_last_answer(server: _Server) -> None:
    server.ready_after = 10_000
    port = server.server_address[1]
    with pytest.raises(DemoError) as err:
        probe.wait_http(f"http://localhost:{port}/", timeout=0.5)
    assert "pas de réponse 2xx/3xx en 0.5 s" in str(err.value)
    assert "dernière réponse : 404" in str(err.value)


def test_nothing_listening_and_a_bad_code_are_clear_errors(server: _Server) -> None:
    port = server.server_address[1]
    server.shutdown()
    server.server_close()
    with pytest.raises(DemoError) as err:
        probe.wait_http(f"http://127.0.0.1:{port}", timeout=0.3)
    assert "dernière erreur" in str(err.value)
    with pytest.raises(DemoError) as err:
        probe.wait_http("http://127.0.0.1 ok", timeout=1)
    assert "attendu URL [CODE HTTP]" in str(err.value)
