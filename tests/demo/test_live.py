"""The lecture mode (`invoke demo`), driven through a pseudo-terminal like a lecturer would.

Each test writes a small project (mkdocs.yml + docs/cours.md) in tmp_path and runs the real
`invoke demo cours ...` in it with pexpect, against the local control plane.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pexpect
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")
TIMEOUT = 30


def write_project(path: Path, slides: list[str], contexts: list[str], deck: str = "cours"
                  ) -> Path:
    """mkdocs.yml allowing `contexts`, and docs/<deck>.md made of `slides`."""
    (path / "docs").mkdir(parents=True, exist_ok=True)
    (path / "mkdocs.yml").write_text(
        "site_name: Test\nplugins:\n  - diapo:\n      contexts: [" + ", ".join(contexts) + "]\n",
        encoding="utf-8",
    )
    text = "---\nmarp: true\n---\n\n" + "\n\n---\n\n".join(slides) + "\n"
    (path / "docs" / f"{deck}.md").write_text(text, encoding="utf-8")
    return path


def fence(code: str, attrs: str) -> str:
    return f"```bash {attrs}\n{code}\n```"


def spawn(project: Path, kubeconfig: str, *args: str, task: tuple[str, ...] = ("demo", "cours")
          ) -> pexpect.spawn:
    """`invoke demo cours ARGS` (or another `task`) in `project`, on a 40x160 terminal."""
    env = dict(os.environ, KUBECONFIG=str(kubeconfig), COLUMNS="160", LINES="40",
               TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    return pexpect.spawn(
        sys.executable, ["-m", "invoke", "-r", str(ROOT), *task, *args],
        cwd=str(project), env=env, encoding="utf-8", codec_errors="replace",
        dimensions=(40, 160), timeout=TIMEOUT,
    )


class Screen:
    """What the lecturer sees so far, without colour codes; waits on text with a deadline."""

    def __init__(self, child: pexpect.spawn):
        self.child = child
        self.raw = ""

    @property
    def text(self) -> str:
        return ANSI.sub("", self.raw)

    def wait(self, pattern: str, timeout: float = TIMEOUT, since: int = 0) -> int:
        """Wait until `pattern` (regex) appears in the visible text after offset `since`;
        returns the offset just past the match."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            found = regex.search(self.text, since)
            if found:
                return found.end()
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{pattern!r} not shown within {timeout}s; screen:\n"
                                     + self.text[-3000:])
            try:
                self.raw += self.child.read_nonblocking(65536, timeout=min(left, 1))
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                if not regex.search(self.text, since):
                    raise AssertionError(f"exited before {pattern!r}; screen:\n"
                                         + self.text[-3000:]) from None

    def quit_at_end(self, since: int) -> None:
        """Wait for the end of the lecture, press q, and check the exit status is 0."""
        self.wait(r"Fin des démos", since=since)
        self.child.send("q")
        assert self.end() == 0

    def end(self, timeout: float = TIMEOUT) -> int:
        """Wait for the program to exit; returns its exit status."""
        self.raw += self.child.read() if self.child.isalive() else ""
        self.child.expect(pexpect.EOF, timeout=timeout)
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else -1


# --------------------------------------------------------------------------- without a cluster


def test_list_prints_demos_with_slides_and_ids(tmp_path):
    project = write_project(tmp_path, [
        "# Titre",
        "## Les nœuds\n\n" + fence("kubectl get nodes", "demo=noeuds"),
        "## Bonjour\n\n" + fence("echo bonjour", "demo") + "\n\n" + fence("true", "demo only=ci"),
    ], ["diapo-local"])
    screen = Screen(spawn(project, tmp_path / "absent", "--list"))
    screen.wait(r"Démos de cours \(2\)")
    assert screen.end() == 0
    listed = screen.text[screen.text.index("Démos de cours"):]
    assert re.search(r"Diapo 2 · Les nœuds\n\s+noeuds\s+commande\s+kubectl get nodes\n"
                     r"Diapo 3 · Bonjour\n\s+3-1\s+commande\s+echo bonjour\n", listed), listed
    assert "true" not in listed  # only=ci is not part of the lecture


# --------------------------------------------------------------------------- against the cluster

def steps_deck(extra: list[str] | None = None) -> list[str]:
    return [
        "# Cours de test",
        "## Les nœuds\n\n" + fence("kubectl get nodes", "demo=noeuds"),
        "## Un calcul\n\n" + fence("echo bonjour-$((20+22))", "demo=calcul"),
        "## Encore\n\n" + fence("echo encore-$((3*3))", "demo=encore"),
        *(extra or []),
    ]


@pytest.mark.cluster
def test_enter_skip_back_rerun_quit(tmp_path, cluster):
    project = write_project(tmp_path, steps_deck(), [cluster.context])
    screen = Screen(spawn(project, cluster.kubeconfig))
    # Pre-flight: context, server, version and node readiness on one line.
    at = screen.wait(rf"{cluster.context} · https://127\.0\.0\.1:\d+ · Kubernetes v1\.\d+\.\d+\S* · "
                     r"nœuds prêts (\d+)/\1")
    at = screen.wait(r"Diapo 2 · Les nœuds · démo noeuds \(1/3\)", since=at)
    screen.child.send("\r")
    at = screen.wait(r"NAME\s+STATUS\s+ROLES", since=at)
    at = screen.wait(r"✓", since=at)
    at = screen.wait(r"Diapo 3 · Un calcul · démo calcul \(2/3\)", since=at)
    screen.child.send("s")
    at = screen.wait(r"démo calcul passée", since=at)
    at = screen.wait(r"Diapo 4 · Encore", since=at)
    assert "bonjour-42" not in screen.text  # skipped: never ran
    screen.child.send("b")
    at = screen.wait(r"Diapo 3 · Un calcul", since=at)
    screen.child.send("\r")
    at = screen.wait(r"(?m)^bonjour-42$", since=at)
    at = screen.wait(r"Diapo 4 · Encore", since=at)
    screen.child.send("r")
    at = screen.wait(r"Diapo 3 · Un calcul · démo calcul \(2/3\) · relance", since=at)
    at = screen.wait(r"(?m)^bonjour-42$", since=at)
    at = screen.wait(r"Diapo 4 · Encore", since=at)  # back where we were
    screen.child.send("?")
    at = screen.wait(r"Touches", since=at)
    screen.child.send("q")
    at = screen.wait(r"au revoir", since=at)
    assert screen.end() == 0
    assert "encore-9" not in screen.text


@pytest.mark.cluster
def test_hidden_setup_runs_by_itself_and_is_not_counted(tmp_path, cluster):
    project = write_project(tmp_path, [
        "# Cours",
        "## Préparé\n\n" + fence("export SALUT=coucou", "demo=prep hidden") + "\n\n"
        + fence("echo $SALUT-$((1+1))", "demo=salut"),
    ], [cluster.context])
    screen = Screen(spawn(project, cluster.kubeconfig))
    at = screen.wait(r"étape cachée prep \(diapo 2\): ok")
    at = screen.wait(r"démo salut \(1/1\)", since=at)
    assert "export SALUT" not in screen.text  # hidden: never shown
    screen.child.send("\r")
    at = screen.wait(r"(?m)^coucou-2$", since=at)
    screen.quit_at_end(at)


@pytest.mark.cluster
def test_typing_effect_types_on_key_presses(tmp_path, cluster):
    project = write_project(tmp_path, steps_deck(), [cluster.context])
    screen = Screen(spawn(project, cluster.kubeconfig, "--demo", "calcul", "--type", "3"))
    at = screen.wait(r"Diapo 3 · Un calcul")
    at = screen.wait(r"\$ $", since=at)
    screen.child.send("?")  # before typing starts, keys keep their meaning...
    at = screen.wait(r"Touches(.*\n)+\$ $", since=at)
    for typed in ("ech", "echo b", "echo bonj"):  # ...then every key types 3 characters
        screen.child.send("x")
        screen.wait(re.escape(typed), since=at)
        assert screen.text.endswith("$ " + typed), screen.text[-200:]
    screen.child.send("\r")  # Enter types the rest at once...
    screen.wait(re.escape("echo bonjour-$((20+22))") + r"\n", since=at)
    screen.child.send("\r")  # ...and the next Enter runs it
    at = screen.wait(r"(?m)^bonjour-42$", since=at)
    screen.quit_at_end(at)


@pytest.mark.cluster
def test_auto_types_on_its_own(tmp_path, cluster):
    project = write_project(tmp_path, steps_deck(), [cluster.context])
    screen = Screen(spawn(project, cluster.kubeconfig, "--demo", "encore", "--auto", "200"))
    at = screen.wait(re.escape("$ echo encore-$((3*3))") + r"\n")  # typed with no key pressed
    assert "encore-9" not in screen.text
    screen.child.send("\r")
    screen.wait(r"(?m)^encore-9$", since=at)
    screen.child.send("q")
    assert screen.end() == 0


@pytest.mark.cluster
def test_ctrl_c_stops_a_watch_and_the_next_demo_runs(tmp_path, cluster):
    ns = f"diapo-live-{uuid.uuid4().hex[:6]}"
    setup = (f"kubectl create namespace {ns}\n"
             f"kubectl -n {ns} run web --image=nginx:1.27")
    project = write_project(tmp_path, steps_deck([
        "## Préparation\n\n" + fence(setup, "demo=prep"),
        "## Surveiller\n\n" + fence(f"kubectl -n {ns} get pods -w", "demo=watch"),
        "## Ensuite\n\n" + fence("echo apres-$((1+1))", "demo=apres"),
    ]), [cluster.context])
    screen = Screen(spawn(project, cluster.kubeconfig, "--from", "5"))
    try:
        at = screen.wait(r"démo prep")
        screen.child.send("\r")
        at = screen.wait(r"pod/web created", since=at)
        at = screen.wait(r"démo watch", since=at)
        screen.child.send("\r")
        at = screen.wait(r"(?m)^web\s+\d/1\s", since=at)  # the watch is up and printing
        started = time.monotonic()
        screen.child.sendintr()
        at = screen.wait(r"arrêtée \(Ctrl-C\)", since=at, timeout=10)
        assert time.monotonic() - started < 5
        at = screen.wait(r"Diapo 7 · Ensuite", since=at)
        screen.child.send("\r")
        at = screen.wait(r"(?m)^apres-2$", since=at)
        screen.child.send("q")
        assert screen.end() == 0
    finally:
        kubectl(cluster, "delete", "namespace", ns, "--wait=false")


def kubectl(cluster, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["kubectl", "--kubeconfig", str(cluster.kubeconfig), *args],
                          capture_output=True, text=True, timeout=30)


@pytest.mark.cluster
def test_yaml_is_shown_before_it_is_applied_and_reset_removes_it(tmp_path, cluster):
    deck = f"reset-{uuid.uuid4().hex[:6]}"
    ns = f"diapo-{deck}"
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: depuis-fichier\n"
    applied = (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applique\n"
               f"  namespace: {ns}\ndata:\n  couleur: bleu\n")
    project = write_project(tmp_path, [
        "# Objets",
        "## Namespace\n\n" + fence(f"kubectl create namespace {ns}", "demo=ns"),
        "## Fichier\n\n```yaml file=cm.yaml\n" + manifest + "```\n\n"
        + fence(f"kubectl -n {ns} apply -f cm.yaml", "demo=depuis-fichier"),
        "## Apply\n\n```yaml apply\n" + applied + "```",
    ], [cluster.context], deck=deck)
    try:
        screen = Screen(spawn(project, cluster.kubeconfig, task=("demo", deck)))
        at = screen.wait(r"démo ns")
        screen.child.send("\r")
        at = screen.wait(rf"namespace/{ns} created", since=at)
        # The file= block: its YAML in a panel, before anything happens.
        at = screen.wait(r"fichier cm\.yaml.*\n.*apiVersion: v1.*\n.*kind: ConfigMap", since=at)
        screen.child.send("\r")
        at = screen.wait(r"fichier prêt", since=at)
        at = screen.wait(r"démo depuis-fichier", since=at)
        screen.child.send("\r")
        at = screen.wait(r"configmap/depuis-fichier created", since=at)
        # The apply block: shown first, applied on Enter only.
        at = screen.wait(r"appliqué sur le cluster.*\n(.*\n)*.*couleur: bleu", since=at)
        assert kubectl(cluster, "-n", ns, "get", "configmap", "applique").returncode != 0
        screen.child.send("\r")
        at = screen.wait(r"configmap/applique serverside-applied", since=at)
        screen.quit_at_end(at)
        assert kubectl(cluster, "-n", ns, "get", "configmap", "applique").returncode == 0

        reset = Screen(spawn(project, cluster.kubeconfig, task=("demo.reset", deck)))
        reset.wait(r"objet\(s\) supprimé\(s\)")
        assert reset.end() == 0
        assert re.search(rf"supprimé: namespace/{ns}", reset.text), reset.text
        assert re.search(r"supprimé: configmap/applique", reset.text), reset.text
        gone = kubectl(cluster, "get", "namespace", ns, "-o", "jsonpath={.status.phase}")
        assert gone.returncode != 0 or gone.stdout == "Terminating", gone
    finally:
        kubectl(cluster, "delete", "namespace", ns, "--wait=false")


def marker_deck(marker: Path) -> list[str]:
    return ["# Cours", "## Trace\n\n" + fence(f"touch {marker}", "demo=trace")]


@pytest.mark.cluster
def test_context_not_in_config_is_refused_and_nothing_runs(tmp_path, cluster):
    marker = tmp_path / "a-tourne"
    project = write_project(tmp_path / "p", marker_deck(marker), ["cluster-de-la-classe"])
    screen = Screen(spawn(project, cluster.kubeconfig))
    screen.wait(rf"contexte « {cluster.context} » refusé : il n'est pas dans `contexts` "
                r"\(autorisés : cluster-de-la-classe\)")
    screen.wait(r"mkdocs\.yml:\d+")
    assert screen.end() != 0
    assert not marker.exists()


@pytest.mark.cluster
def test_named_context_needs_typed_confirmation(tmp_path, cluster):
    marker = tmp_path / "a-tourne"
    project = write_project(tmp_path / "p", marker_deck(marker), ["cluster-de-la-classe"])
    screen = Screen(spawn(project, cluster.kubeconfig, "--context", cluster.context))
    at = screen.wait(r"Tapez « oui »")
    screen.child.sendline("non")
    screen.wait(r"refusé : non confirmé", since=at)
    assert screen.end() != 0
    assert not marker.exists()

    screen = Screen(spawn(project, cluster.kubeconfig, "--context", cluster.context))
    at = screen.wait(r"Tapez « oui »")
    screen.child.sendline("oui")
    at = screen.wait(r"nœuds prêts", since=at)
    at = screen.wait(r"démo trace", since=at)
    screen.child.send("\r")
    screen.wait(r"✓", since=at)
    screen.child.send("q")
    assert screen.end() == 0
    assert marker.exists()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recorded_report(project: Path, demo_id: str, output: str) -> None:
    """A verify report (.diapo/verify.json) holding `output` for demo `demo_id` of `cours`."""
    report = {
        "version": 1, "date": "2026-11-20T09:30:00+00:00",
        "cluster": {"context": "diapo-local", "server": "https://127.0.0.1:6443",
                    "kubernetes_version": "v1.33.13", "simulated": True},
        "decks": [{"deck": "cours", "path": "docs/cours.md", "status": "passed",
                   "duration": 1.0, "namespace": "diapo-cours-ab12", "demos": [
                       {"id": demo_id, "slide": 2, "line": 12, "kind": "run",
                        "status": "passed", "reason": None, "duration": 0.2,
                        "command": "kubectl get nodes", "output": output,
                        "exit_code": 0, "diff": None}]}],
    }
    (project / ".diapo").mkdir(exist_ok=True)
    (project / ".diapo" / "verify.json").write_text(json.dumps(report), encoding="utf-8")


class Relay:
    """A TCP relay in front of the API server; `cut()` takes the server off the network."""

    def __init__(self, host: str, port: int):
        self.upstream = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.cut_event = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.cut_event.is_set():
            try:
                client, _ = self.listener.accept()
                if self.cut_event.is_set():  # accepted while being cut: refuse it
                    client.close()
                    return
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                return
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        """Close the listening port and every relayed connection."""
        self.cut_event.set()
        try:  # wakes the blocked accept(); close() alone leaves the port accepting
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


@pytest.mark.cluster
def test_server_lost_mid_lecture_is_one_line_and_recorded_output_is_shown(tmp_path, cluster):
    host, port = re.match(r"https://([\d.]+):(\d+)", cluster.server).groups()
    relay = Relay(host, int(port))
    config = yaml.safe_load(Path(cluster.kubeconfig).read_text(encoding="utf-8"))
    for entry in config["clusters"]:
        entry["cluster"]["server"] = f"https://127.0.0.1:{relay.port}"
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(config), encoding="utf-8")
    project = write_project(tmp_path / "p", steps_deck([
        "## Plus tard\n\n" + fence("kubectl get nodes -o wide", "demo=plus-tard"),
    ]), [cluster.context])
    recorded_report(project, "plus-tard", "NAME   STATUS   ROLES\nnoeud-du-20-novembre   Ready\n")
    try:
        screen = Screen(spawn(project, kubeconfig, "--demo", "noeuds"))
        at = screen.wait(r"nœuds prêts")
        screen.child.send("\r")
        at = screen.wait(r"NAME\s+STATUS", since=at)
        screen.quit_at_end(at)

        screen = Screen(spawn(project, kubeconfig, "--from", "5"))
        at = screen.wait(r"nœuds prêts")
        at = screen.wait(r"démo plus-tard", since=at)
        relay.cut()  # the class cluster drops off the network while the lecturer talks
        screen.child.send("\r")
        pressed = time.monotonic()
        at = screen.wait(rf"✗ serveur API injoignable \(https://127\.0\.0\.1:{relay.port}\): "
                         r"connexion refusée · e sortie enregistrée le 20/11/2026 à 09:30 UTC",
                         since=at, timeout=10)
        assert time.monotonic() - pressed < 5
        screen.child.send("e")
        at = screen.wait(r"ENREGISTRÉ le 20/11/2026 à 09:30 UTC", since=at)
        at = screen.wait(r"noeud-du-20-novembre\s+Ready", since=at)
        screen.quit_at_end(at)
    finally:
        relay.cut()


def test_unreachable_server_is_one_line_and_recorded_output_is_offered(tmp_path):
    port = closed_port()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "classe",
        "clusters": [{"name": "classe", "cluster": {"server": f"https://127.0.0.1:{port}",
                                                    "insecure-skip-tls-verify": True}}],
        "users": [{"name": "prof", "user": {"token": "x"}}],
        "contexts": [{"name": "classe", "context": {"cluster": "classe", "user": "prof"}}],
    }), encoding="utf-8")
    project = write_project(tmp_path / "p", steps_deck(), ["classe"])
    recorded_report(project, "noeuds", "NAME     STATUS   ROLES    AGE   VERSION\n"
                                       "noeud-enregistre   Ready    agent   3d    v1.33.13\n")

    screen = Screen(spawn(project, kubeconfig))
    started = time.monotonic()
    at = screen.wait(rf"✗ contexte classe · https://127\.0\.0\.1:{port} · serveur API "
                     r"injoignable: connexion refusée")
    at = screen.wait(r"Diapo 2 · Les nœuds", since=at)
    screen.child.send("\r")
    pressed = time.monotonic()
    at = screen.wait(r"✗ serveur API injoignable \(https://127\.0\.0\.1:\d+\): connexion refusée"
                     r" · e sortie enregistrée le 20/11/2026 à 09:30 UTC", since=at)
    assert time.monotonic() - pressed < 3, "the dead server took too long to report"
    assert time.monotonic() - started < 15
    screen.child.send("e")
    at = screen.wait(r"ENREGISTRÉ le 20/11/2026 à 09:30 UTC", since=at)
    at = screen.wait(r"noeud-enregistre\s+Ready", since=at)
    at = screen.wait(r"Diapo 3 · Un calcul", since=at)  # and the lecture goes on
    screen.child.send("q")
    assert screen.end() == 0
