"""`invoke present`: the real server process, driven by Debian's Chromium (Playwright), by
plain HTTP requests (the safety checks) and by its terminal (pexpect), against the local
control plane."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

import pexpect
import pytest

from diapo.demo.report import ClusterInfo, DeckResult, DemoResult, Report
from tests.demo.test_live import Screen, fence, kubectl, spawn, write_project
from tests.site.browser import chromium, context  # noqa: F401 (fixtures)

TIMEOUT = 30


class Presenting:
    """A running `python -m diapo.demo.present DECK --no-browser` on a pseudo-terminal."""

    def __init__(self, project: Path, kubeconfig: str | Path, deck: str = "cours"):
        env = dict(os.environ, KUBECONFIG=str(kubeconfig), COLUMNS="160", LINES="40",
                   TERM="xterm-256color")
        self.project = project
        self.child = pexpect.spawn(sys.executable, ["-m", "diapo.demo.present", deck,
                                                    "--no-browser"],
                                   cwd=str(project), env=env, encoding="utf-8",
                                   codec_errors="replace", dimensions=(40, 160),
                                   timeout=TIMEOUT)
        self.screen = Screen(self.child)
        self.urls_file = project / ".diapo" / "present" / f"{deck}.url"
        self.screen.wait(r"adresses avec le jeton")
        audience, presenter = self.urls_file.read_text(encoding="utf-8").split()
        self.audience, self.presenter = audience, presenter
        parts = urllib.parse.urlsplit(audience)
        self.port = parts.port
        self.token = urllib.parse.parse_qs(parts.query)["token"][0]
        self.page = parts.path

    def request(self, method: str, path: str, body: dict | None = None, *,
                token: str | None = "", headers: dict[str, str] | None = None
                ) -> tuple[int, dict]:
        """One request; `token=""` means the right one in the header, None none at all."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        sent = dict(headers or {})
        if token is not None:
            sent["X-Diapo-Token"] = token or self.token
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            sent["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        raw = response.read()
        connection.close()
        try:
            return response.status, json.loads(raw or b"{}")
        except ValueError:
            return response.status, {"text": raw.decode("utf-8", "replace")}

    def quit(self) -> int:
        self.child.send("q")
        return self.screen.end()


def deck_project(tmp_path: Path, context: str, slides: list[str]) -> Path:
    return write_project(tmp_path, slides, [context])


def present_deck() -> list[str]:
    return [
        "# Présentation\n\nsans démo",
        "## Bonjour\n\n" + fence('printf "\\033[32mvert\\033[0m <b>&amp;</b>\\n"; '
                                 'echo ligne-$((40+2))', "demo=bonjour")
        + "\n\n```text expect\nvert <b>&amp;</b>\nligne-41\n```",
        "## Lire\n\n" + fence('echo "Votre nom ?"; read -r nom; echo "salut, $nom!"',
                              "demo=lire interactive"),
        "## Fin\n\nmerci",
    ]


# --------------------------------------------------------------------------- safety, no cluster


def test_deck_without_demos_is_served_and_guarded(tmp_path: Path):
    project = deck_project(tmp_path, "diapo-local", ["# Sans démo", "## Deux\n\ntexte"])
    presenting = Presenting(project, tmp_path / "absent-kubeconfig")
    try:
        presenting.screen.wait(r"n'a pas de démo")
        # With the token: the page, with the control panel's assets injected.
        status, answer = presenting.request("GET", presenting.page)
        assert status == 200 and "/__present/present.js" in answer["text"]
        assert presenting.token in answer["text"]  # the page needs it for its requests
        status, state = presenting.request("GET", "/api/state")
        assert status == 200 and state["demos"] == [] and state["deck"] == "cours"
        # Without the token, with a wrong one, or from elsewhere: 403.
        assert presenting.request("GET", presenting.page, token=None)[0] == 403
        assert presenting.request("GET", "/api/state", token="x" * 32)[0] == 403
        assert presenting.request("POST", "/api/run", {"demo": "1-1"}, token=None)[0] == 403
        assert presenting.request("POST", "/api/slide", {"slide": 1},
                                  headers={"Origin": "http://evil.example"})[0] == 403
        assert presenting.request("GET", "/api/state",
                                  headers={"Host": f"attacker.example:{presenting.port}"}
                                  )[0] == 403
        # A command needs the header: the cookie alone (sent by any page) is not enough.
        cookie = {"Cookie": f"diapo_present={presenting.token}"}
        assert presenting.request("POST", "/api/slide", {"slide": 1}, token=None,
                                  headers=cookie)[0] == 403
        assert presenting.request("GET", "/api/state", token=None, headers=cookie)[0] == 200
        # Bad input: unknown demo, unknown command, outside the served folders.
        status, answer = presenting.request("POST", "/api/run", {"demo": "inventee"})
        assert status == 404 and "démo inconnue" in answer["erreur"]
        assert presenting.request("POST", "/api/shell-exec", {"cmd": "id"})[0] == 404
        assert presenting.request("GET", "/../mkdocs.yml")[0] == 404
        assert presenting.request("POST", "/api/keys", {"data": "ls\r"})[0] == 409
        # The token is in no log: not on the terminal, only in the user-only address file.
        assert presenting.token not in presenting.screen.text
        assert presenting.urls_file.stat().st_mode & 0o077 == 0
        # A second presentation of the same deck is refused, naming the first.
        second = subprocess.run([sys.executable, "-m", "diapo.demo.present", "cours",
                                 "--no-browser"], cwd=project, capture_output=True, text=True,
                                stdin=subprocess.DEVNULL, timeout=TIMEOUT)
        assert second.returncode == 2
        assert "tourne déjà" in second.stderr and "Traceback" not in second.stderr
        assert presenting.quit() == 0
        assert not presenting.urls_file.exists()
    finally:
        if presenting.child.isalive():
            presenting.child.terminate(force=True)


@pytest.mark.cluster
def test_a_page_of_another_origin_cannot_drive_the_presentation(tmp_path: Path, cluster,
                                                                context):  # noqa: F811
    project = deck_project(tmp_path, cluster.context, present_deck())
    presenting = Presenting(project, cluster.kubeconfig)
    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AnyPage)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        audience = context.new_page()
        audience.goto(presenting.audience)  # the browser now holds the presentation's cookie
        _events_open(audience)
        page = context.new_page()
        seen: list[tuple[str, int]] = []
        page.on("response", lambda r: seen.append((urllib.parse.urlsplit(r.url).path, r.status)))
        page.goto(f"http://127.0.0.1:{other.server_address[1]}/")
        # What any page could send (no-cors: no preflight; the cookie goes with it).
        page.evaluate("""async (base) => {
            for (const [method, path] of [["POST", "/api/run"], ["POST", "/api/slide"],
                                          ["GET", "/api/state"], ["GET", "/api/events"]]) {
                try {
                    await fetch(base + path, {method, mode: "no-cors", credentials: "include",
                        headers: {"Content-Type": "text/plain"},
                        body: method === "POST" ? '{"demo": "bonjour", "slide": 2}' : undefined});
                } catch (e) {}
            }
        }""", f"http://127.0.0.1:{presenting.port}")
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline and len([p for p, _ in seen if "/api/" in p]) < 4:
            time.sleep(0.05)
        assert sorted((p, s) for p, s in seen if "/api/" in p) == [
            ("/api/events", 403), ("/api/run", 403), ("/api/slide", 403), ("/api/state", 403)]
        state = presenting.request("GET", "/api/state")[1]
        assert state["running"] is None and "vert" not in presenting.screen.text
        assert audience.evaluate("window.diapo.state.index") == 0  # the slides did not move
        assert presenting.quit() == 0
    finally:
        other.shutdown()
        if presenting.child.isalive():
            presenting.child.terminate(force=True)


class _AnyPage(http.server.BaseHTTPRequestHandler):
    """Another site on another port of the same machine."""

    def do_GET(self) -> None:  # noqa: N802
        body = b"<!doctype html><title>autre site</title><p>autre site"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


# --------------------------------------------------------------------------- against the cluster


def _report(project: Path, demo_id: str, output: str) -> None:
    report = Report(date="2026-12-01T09:30:00+00:00",
                    cluster=ClusterInfo(context="diapo-local", kubernetes_version="v1.37.2"),
                    decks=[DeckResult(deck="cours", path="docs/cours.md", status="passed",
                                      demos=[DemoResult(id=demo_id, slide=2, line=1,
                                                        kind="run", status="passed",
                                                        output=output)])])
    report.save(project / ".diapo" / "verify.json")


def _events_open(page) -> None:
    page.wait_for_function("document.body.dataset.present === 'connected'")


def _launch_on_slide_2(context, presenting: Presenting, demo_id: str):  # noqa: F811
    """The audience window, moved to slide 2, once it cues `demo_id`, after its `l` key."""
    audience = context.new_page()
    audience.goto(presenting.audience)
    _events_open(audience)
    audience.keyboard.press("ArrowRight")
    audience.wait_for_function(f"document.body.dataset.presentCue === '{demo_id}'")
    audience.keyboard.press("l")
    return audience


def _children_named(presenting: Presenting, name: bytes) -> list[int]:
    """The server's descendant processes running `name`, waited for up to 10 s (a step
    starts its command a moment after printing what comes before it)."""
    deadline, found = time.monotonic() + 10, []
    while not found and time.monotonic() < deadline:
        found = [pid for pid in _pids_with(name) if _is_child_of(pid, presenting.child.pid)]
        time.sleep(0.02)
    return found


@pytest.mark.cluster
def test_slide_change_cues_lancer_runs_and_keys_reach_the_interactive_step(
        tmp_path: Path, cluster, context):  # noqa: F811
    project = deck_project(tmp_path, cluster.context, present_deck())
    presenting = Presenting(project, cluster.kubeconfig)
    try:
        audience = context.new_page()
        audience.goto(presenting.audience)
        _events_open(audience)
        assert "token" not in audience.url  # kept out of the projected address bar
        presenter = context.new_page()
        presenter.goto(presenting.presenter)
        _events_open(presenter)
        # Slide 2 cues its demo, in the presenter window and in the terminal.
        audience.keyboard.press("ArrowRight")
        presenter.wait_for_selector("#diapo-present-demos .diapo-present-demo.diapo-cued"
                                    "[data-demo='bonjour']")
        presenting.screen.wait(r"Diapo 2 · Bonjour · démo bonjour")
        row = presenter.locator(".diapo-present-demo[data-demo='bonjour']")
        assert row.locator(".diapo-badge").inner_text() == "non vérifié"
        # "Lancer": the output streams into the audience panel, escaped, coloured.
        presenter.uncheck("#diapo-present-advance")
        row.locator("button", has_text="Lancer").click()
        audience.wait_for_selector("#diapo-term[data-state='failed']")
        out = audience.locator("#diapo-term .diapo-term-out")
        assert "vert <b>&amp;</b>" in out.inner_text()
        assert out.locator("b").count() == 0  # HTML in the output stays text
        green = out.locator("span[style*='color']", has_text="vert")
        assert green.count() == 1
        # The expected output is beside it, the differing line marked on both sides.
        assert audience.locator(".diapo-term-want").inner_text().startswith("vert")
        marked = audience.locator(".diapo-term-out .diapo-differs")
        assert marked.count() == 1 and "ligne-42" in marked.inner_text()
        assert "ligne-41" in audience.locator(".diapo-term-want .diapo-differs").inner_text()
        presenting.screen.wait(r"(?m)^ligne-42")  # the terminal shows it too
        # The panel closes with the slide; slide 3 cues the interactive demo.
        audience.keyboard.press("ArrowRight")
        audience.wait_for_selector("#diapo-term", state="hidden")
        presenter.wait_for_selector(".diapo-present-demo.diapo-cued[data-demo='lire']")
        audience.keyboard.press("l")  # the key of "Lancer", in the audience window too
        audience.wait_for_selector("#diapo-term.diapo-term-interactive")
        audience.wait_for_function(
            "document.querySelector('#diapo-term .diapo-term-out').innerText"
            ".includes('Votre nom ?')")
        audience.keyboard.type("Ada")
        audience.keyboard.press("Enter")
        audience.wait_for_selector("#diapo-term[data-state='passed']")
        assert "salut, Ada!" in out.inner_text()
        presenting.screen.wait(r"salut, Ada!")
        assert audience.evaluate("window.diapo.state.index") == 2  # keys did not move slides
        assert presenting.quit() == 0
    finally:
        if presenting.child.isalive():
            presenting.child.terminate(force=True)


@pytest.mark.cluster
def test_terminal_keys_keep_working_and_the_last_demo_advances(tmp_path: Path, cluster,
                                                              context):  # noqa: F811
    project = deck_project(tmp_path, cluster.context, [
        "# Titre",
        "## Un\n\n" + fence("echo un-$((1+1))", "demo=un"),
        "## Deux\n\ntexte",
    ])
    presenting = Presenting(project, cluster.kubeconfig)
    try:
        audience = context.new_page()
        audience.goto(presenting.audience)
        _events_open(audience)
        at = presenting.screen.wait(r"démo un \(1/1\)")
        audience.keyboard.press("ArrowRight")
        presenting.screen.child.send("\r")  # Enter in the terminal runs the cued demo
        at = presenting.screen.wait(r"(?m)^un-2", since=at)
        audience.wait_for_function(
            "document.querySelector('#diapo-term .diapo-term-out').innerText.includes('un-2')")
        audience.wait_for_selector("#diapo-term[data-state='passed']")  # the step has ended
        # From the browser, with "advance" (the default): slide 3 follows the slide's last demo.
        status, _ = presenting.request("POST", "/api/run", {"demo": "un", "advance": True})
        assert status == 200
        audience.wait_for_function("window.diapo.state.index === 2")
        # `b` in the terminal goes back to the demo: the slides follow it.
        at = presenting.screen.wait(r"Fin des démos", since=at)
        presenting.screen.child.send("b")
        presenting.screen.wait(r"démo un \(1/1\)", since=at)
        audience.wait_for_function("window.diapo.state.index === 1")
        assert presenting.quit() == 0
    finally:
        if presenting.child.isalive():
            presenting.child.terminate(force=True)


@pytest.mark.cluster
def test_unreachable_api_server_shows_the_recorded_output_with_its_banner(
        tmp_path: Path, cluster, context):  # noqa: F811
    project = deck_project(tmp_path, cluster.context, present_deck())
    _report(project, "bonjour", "vert enregistré\nligne-42\n")
    # A kubeconfig whose allowed context points at a port where nothing listens.
    dead = tmp_path / "dead-kubeconfig"
    config = cluster.kubeconfig.read_text(encoding="utf-8")
    dead.write_text(config.replace(cluster.server, "https://127.0.0.1:9"), encoding="utf-8")
    presenting = Presenting(project, dead)
    try:
        presenting.screen.wait(r"serveur API injoignable")
        audience = _launch_on_slide_2(context, presenting, "bonjour")
        audience.wait_for_selector("#diapo-term[data-state='recorded']")
        banner = audience.locator(".diapo-term-banner")
        assert "sortie enregistrée le 01/12/2026, Kubernetes 1.37" in banner.inner_text()
        assert "injoignable" in banner.inner_text()
        assert "vert enregistré" in audience.locator(".diapo-term-out").inner_text()
        assert banner.locator("button", has_text="Réessayer").is_visible()
        banner.locator("button", has_text="Continuer").click()
        presenting.screen.wait(r"démo bonjour passée")
        assert presenting.quit() == 0
    finally:
        if presenting.child.isalive():
            presenting.child.terminate(force=True)


@pytest.mark.cluster
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill"])
def test_killed_server_leaves_no_process_behind(tmp_path: Path, cluster, sig):
    ns = f"present-{uuid.uuid4().hex[:6]}"
    project = deck_project(tmp_path, cluster.context, [
        "# Titre",
        "## Long\n\n" + fence(f"kubectl create namespace {ns} >/dev/null; echo PRET; sleep 300",
                              "demo=long"),
    ])
    presenting = Presenting(project, cluster.kubeconfig)
    try:
        presenting.screen.wait(r"démo long")
        assert presenting.request("POST", "/api/run", {"demo": "long"})[0] == 200
        presenting.screen.wait(r"(?m)^PRET")
        sleepers = _children_named(presenting, b"sleep")
        assert sleepers
        work = [Path(os.readlink(f"/proc/{pid}/cwd")) for pid in sleepers]
        os.kill(presenting.child.pid, sig)
        presenting.screen.end()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in sleepers):
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in sleepers)
        while time.monotonic() < deadline and any(w.exists() for w in work):
            time.sleep(0.05)
        assert not any(w.exists() for w in work)  # the run's work directory is gone too
        if sig == signal.SIGTERM:
            assert not presenting.urls_file.exists()
        # What the step created on the cluster is what `demo.reset` removes.
        reset = Screen(spawn(project, cluster.kubeconfig, task=("demo.reset", "cours")))
        reset.wait(r"objet\(s\) supprimé\(s\)")
        assert reset.end() == 0
        assert f"supprimé: namespace/{ns}" in reset.text, reset.text
        gone = kubectl(cluster, "get", "namespace", ns, "-o", "jsonpath={.status.phase}")
        assert gone.returncode != 0 or gone.stdout == "Terminating", gone
    finally:
        if presenting.child.isalive():
            presenting.child.terminate(force=True)
        kubectl(cluster, "delete", "namespace", ns, "--wait=false")


@pytest.mark.cluster
def test_a_browser_closed_mid_step_leaves_the_step_to_its_timeout(tmp_path: Path, cluster,
                                                                  context):  # noqa: F811
    project = deck_project(tmp_path, cluster.context, [
        "# Titre",
        "## Attente\n\n" + fence("echo PRET; cat; echo lu", "demo=attente interactive timeout=3"),
    ])
    presenting = Presenting(project, cluster.kubeconfig)
    try:
        audience = _launch_on_slide_2(context, presenting, "attente")
        audience.wait_for_function(
            "document.querySelector('#diapo-term .diapo-term-out').innerText.includes('PRET')")
        readers = _children_named(presenting, b"cat")
        assert readers  # the step waits on its input
        audience.close()  # nobody will ever type the rest
        at = presenting.screen.wait(r"délai dépassé \(3 s\)")
        presenting.screen.wait(r"Fin des démos", since=at)
        assert "lu" not in presenting.screen.text[at:].split()
        assert not any(_alive(pid) for pid in readers)  # killed at its timeout
        assert presenting.quit() == 0
    finally:
        if presenting.child.isalive():
            presenting.child.terminate(force=True)


def _pids_with(name: bytes) -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as handle:
                    if handle.read().split(b"\0")[0].endswith(name):
                        pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def _is_child_of(pid: int, ancestor: int) -> bool:
    while pid > 1:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            return False
        pid = int(stat[stat.rfind(b")") + 2:].split()[1])
        if pid == ancestor:
            return True
    return False


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False



@pytest.mark.cluster
def test_a_failing_step_falls_back_to_its_recorded_output(tmp_path: Path, cluster,
                                                          context):  # noqa: F811
    project = deck_project(tmp_path, cluster.context, [
        "# Titre",
        "## Panne\n\n" + fence("echo 'en direct: Unable to connect'; exit 3", "demo=panne"),
    ])
    _report(project, "panne", "NAME     STATUS\nnode-1   Ready\n")
    presenting = Presenting(project, cluster.kubeconfig)
    try:
        audience = _launch_on_slide_2(context, presenting, "panne")
        audience.wait_for_selector("#diapo-term[data-state='recorded']")
        banner = audience.locator(".diapo-term-banner").inner_text()
        assert "sortie enregistrée le 01/12/2026, Kubernetes 1.37" in banner
        assert "code de sortie 3" in banner
        assert "node-1   Ready" in audience.locator(".diapo-term-out").inner_text()
        assert "Unable to connect" in audience.locator(".diapo-term-failed").text_content()
        at = presenting.screen.wait(r"Fin des démos")
        audience.locator(".diapo-term-banner button", has_text="Réessayer").click()
        at = presenting.screen.wait(r"Diapo 2 · Panne · démo panne", since=at)
        presenting.screen.wait(r"code de sortie 3|code 3", since=at)  # run again, for real
        assert presenting.quit() == 0
    finally:
        if presenting.child.isalive():
            presenting.child.terminate(force=True)
