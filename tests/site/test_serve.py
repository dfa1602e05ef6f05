"""`invoke serve`: the real MkDocs dev server rebuilds a deck's reading page when it changes."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable

import pytest
from sitekit import demo_result, verify_report


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` until it holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def test_serve_rebuilds_the_changed_deck_and_new_proof(make_project) -> None:
    project = make_project()
    demo = "```bash demo=ls\nls\n```\n"
    deck = project.write("docs/cours.md", f"# Cours\n\n---\n\n## Première version\n\n{demo}")
    port = free_port()
    code = ("from pathlib import Path; from diapo.site import commands; "
            f"commands.serve('127.0.0.1:{port}', root=Path({str(project.root)!r}))")
    server = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/cours/"
    try:
        wait_for(lambda: "Première version" in (fetch(url) or ""), 60, "the first build")
        deck.write_text(f"# Cours\n\n---\n\n## Seconde version\n\n{demo}", encoding="utf-8")
        wait_for(lambda: "Seconde version" in (fetch(url) or ""), 30, "the live-reload rebuild")
        page = fetch(url) or ""
        assert '<div class="diapo-slide-bar" id="2">' in page
        assert "Première version" not in page
        assert "diapo-badge--unverified" in page
        # `invoke verify` finishing while the server runs: the badges follow the new report
        project.report(verify_report("cours", [demo_result("ls", "passed", "ls")]))
        wait_for(lambda: "diapo-badge--verified" in (fetch(url) or ""), 30,
                 "the rebuild after a new verify report")
    finally:
        server.terminate()
        try:
            _, errors = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            _, errors = server.communicate()
    assert "Traceback" not in errors, errors
