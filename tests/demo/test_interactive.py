"""Interactive steps: the `interactive` / `input=` tags, keys and window size reaching a step's
pty (the session), and the lecture mode forwarding the lecturer's terminal to it (pexpect)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from diapo.demo.session import Session
from diapo.errors import DeckError
from tests.deck.conftest import deck, error
from tests.demo.test_live import Screen, fence, spawn, write_project

# --------------------------------------------------------------------------- the tags


def test_interactive_and_input_tags() -> None:
    d = deck("""\
        # Un

        ```bash demo=edit interactive
        kubectl edit deploy/whoami
        ```

        ```bash demo=lire input=reponses.txt
        read -r nom; echo "bonjour $nom"
        ```

        ```bash demo=simple
        echo non
        ```
        """)
    edit, lire, simple = d.demos
    assert (edit.interactive, edit.input) == (True, None)
    assert (lire.interactive, lire.input) == (True, "reponses.txt")  # input= implies it
    assert (simple.interactive, simple.input) == (False, None)


@pytest.mark.parametrize(("info", "message"), [
    ("bash demo interactive=oui", "'interactive' ne prend pas de valeur"),
    ("bash demo input", "'input' demande une valeur"),
    ("bash demo input=/etc/passwd", "input='/etc/passwd' doit être un chemin relatif"),
    ("bash demo input=../x", "sort du répertoire de travail de l'exécution"),
    ("yaml apply interactive", "'interactive' demande une étape shell"),
    ("yaml file=a.yaml input=b", "input= demande une étape shell"),
])
def test_bad_interactive_options_name_the_line(info: str, message: str) -> None:
    err = error(f"# Titre\n\ntexte\n\n```{info}\nx: 1\n```\n")
    assert isinstance(err, DeckError)
    assert message in err.message, err.message
    assert err.location.line == 5


# --------------------------------------------------------------------------- the session


@pytest.fixture
def session(tmp_path: Path):
    (tmp_path / "w").mkdir()
    shell = Session(tmp_path / "w", tmp_path / "state")
    yield shell
    shell.close()


class Feeder:
    """Collects a step's output; `when(text, action)` acts once `text` has been printed."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.changed = threading.Condition()

    def __call__(self, data: bytes) -> None:
        with self.changed:
            self.chunks.append(data)
            self.changed.notify_all()

    def when(self, text: bytes, action, timeout: float = 10) -> threading.Thread:
        def wait_then_act() -> None:
            with self.changed:
                self.changed.wait_for(lambda: text in b"".join(self.chunks), timeout)
            action()
        thread = threading.Thread(target=wait_then_act, daemon=True)
        thread.start()
        return thread


def test_keys_reach_an_interactive_step_through_its_pty(session: Session):
    feed = Feeder()
    feed.when(b"PRET", lambda: session.send(b"Ada Lovelace\r"))
    outcome = session.run('echo PRET; read -r nom; echo "bonjour <$nom>"', timeout=10,
                          on_output=feed, pty=True, interactive=True)
    assert outcome.exit_code == 0, outcome.output
    assert b"bonjour <Ada Lovelace>" in outcome.output
    assert b"Ada Lovelace\r\n" in outcome.output  # echoed by the pty, as a terminal does


def test_resize_reaches_the_step_as_sigwinch(session: Session):
    feed = Feeder()
    feed.when(b"PRET", lambda: session.resize(31, 97))
    outcome = session.run("trap 'echo WINCH $(stty size); exit 0' WINCH; echo PRET; "
                          "sleep 20 & wait; echo jamais", timeout=15, on_output=feed, pty=True,
                          interactive=True)
    assert outcome.exit_code == 0, outcome.output
    # The signal came while it waited, and the terminal had the new size.
    assert outcome.output.decode().split() == ["PRET", "WINCH", "31", "97"]


def test_ctrl_c_byte_interrupts_the_interactive_step_only(session: Session):
    feed = Feeder()
    feed.when(b"PRET", lambda: session.send(b"\x03"))
    started = time.monotonic()
    # (`read`, a builtin: a ^C sent while bash forks an external command could be lost.)
    outcome = session.run("echo PRET; read -r x; echo jamais", timeout=20, on_output=feed,
                          pty=True, interactive=True)
    assert outcome.interrupted and outcome.exit_code == 130
    assert time.monotonic() - started < 10
    after = session.run("echo encore", timeout=10, pty=True)
    assert after.exit_code == 0 and b"encore" in after.output


def test_keys_are_refused_when_no_interactive_step_runs(session: Session):
    assert session.send(b"x") is False
    feed = Feeder()
    sent: list[bool] = []
    feed.when(b"PRET", lambda: sent.append(session.send(b"y\r")))
    outcome = session.run("echo PRET; sleep 0.3", timeout=10, on_output=feed, pty=True)
    assert outcome.exit_code == 0 and sent == [False]


def test_shell_opens_in_the_session_state_and_exit_returns(session: Session, tmp_path: Path):
    session.run("mkdir -p sous && cd sous && export COULEUR=bleu", timeout=10)
    feed = Feeder()
    feed.when(b"sous # ", lambda: session.send(b'echo "ici=$PWD couleur=$COULEUR"\rexit\r'))
    outcome = session.run("", timeout=20, on_output=feed, pty=True, interactive=True,
                          shell=True)
    text = outcome.output.decode()
    assert outcome.exit_code == 0, text
    assert f"ici={tmp_path / 'w' / 'sous'} couleur=bleu" in text
    # The free shell's changes are its own: the next step still starts where the deck was.
    after = session.run("pwd", timeout=10)
    assert after.output.decode().strip() == str(tmp_path / "w" / "sous")


def test_stdin_from_a_file_without_pty(session: Session, tmp_path: Path):
    answers = tmp_path / "w" / "reponses.txt"
    answers.write_text("un\ndeux\n", encoding="utf-8")
    outcome = session.run("read -r a; read -r b; echo $b-$a; ! read -r c", timeout=10,
                          interactive=True, stdin=answers)
    assert outcome.exit_code == 0 and outcome.output == b"deux-un\n"
    closed = session.run("! read -r x && echo ferme", timeout=10, interactive=True)
    assert closed.output == b"ferme\n"


# --------------------------------------------------------------------------- lecture mode


def interactive_deck() -> list[str]:
    return [
        "# Cours interactif",
        "## Lire\n\n" + fence('echo "Votre nom ?"; read -r nom; echo "bonjour, $nom!"',
                              "demo=lire interactive"),
        "## Taille\n\n" + fence("trap 'echo WINCH $(stty size); exit 0' WINCH; echo PRET; "
                                "sleep 20 & wait", "demo=taille interactive"),
        "## Fin\n\n" + fence("echo fini-$((6*7))", "demo=fin"),
    ]


@pytest.mark.cluster
def test_lecture_forwards_keys_and_window_size_to_an_interactive_step(tmp_path, cluster):
    project = write_project(tmp_path, interactive_deck(), [cluster.context])
    screen = Screen(spawn(project, cluster.kubeconfig))
    at = screen.wait(r"démo lire \(1/3\)")
    screen.child.send("\r")
    at = screen.wait(r"(?m)^Votre nom \?", since=at)
    screen.child.send("Grace Hopper\r")
    at = screen.wait(r"(?m)^bonjour, Grace Hopper!$", since=at)
    at = screen.wait(r"✓", since=at)
    at = screen.wait(r"démo taille \(2/3\)", since=at)
    screen.child.send("\r")
    at = screen.wait(r"(?m)^PRET$", since=at)
    screen.child.setwinsize(27, 101)  # the lecturer's terminal changes size (SIGWINCH)
    at = screen.wait(r"(?m)^WINCH 27 101$", since=at)
    at = screen.wait(r"démo fin \(3/3\)", since=at)
    screen.child.send("\r")
    at = screen.wait(r"(?m)^fini-42$", since=at)
    screen.quit_at_end(at)


@pytest.mark.cluster
def test_ctrl_c_stops_the_interactive_step_and_bang_opens_a_shell(tmp_path, cluster):
    project = write_project(tmp_path, interactive_deck(), [cluster.context])
    screen = Screen(spawn(project, cluster.kubeconfig))
    at = screen.wait(r"démo lire \(1/3\)")
    screen.child.send("\r")
    at = screen.wait(r"(?m)^Votre nom \?", since=at)
    screen.child.sendcontrol("c")
    at = screen.wait(r"arrêtée \(Ctrl-C\)", since=at)
    assert screen.child.isalive()  # Ctrl-C stopped the step, not the lecture
    at = screen.wait(r"démo taille \(2/3\)", since=at)
    screen.child.send("!")
    at = screen.wait(r"shell libre dans .*work", since=at)
    at = screen.wait(r"\(diapo \S+\) .*[#$] $", since=at)
    screen.child.send("echo ns=$DIAPO_NAMESPACE; kubectl config view --minify -o "
                      "jsonpath='{..namespace}'; echo; exit\r")
    at = screen.wait(r"(?m)^ns=(\S+)\r?\n\1\r?$", since=at)
    at = screen.wait(r"démo taille \(2/3\)", since=at)  # back at the cue
    screen.child.send("q")
    assert screen.end() == 0


# --------------------------------------------------------------------------- verification


@pytest.mark.cluster
def test_verification_closes_stdin_feeds_input_and_skips_what_needs_a_person(tmp_path, cluster):
    from diapo.deck import parse
    from diapo.demo.engine import DeckRun, RunOptions
    from diapo.demo.report import FAILED, PASSED, SKIPPED
    from diapo.project import Project
    from tests.demo.conftest import write_project as write_config

    project = write_config(tmp_path / "cours", contexts=(cluster.context,))
    (project / "demos" / "cours").mkdir(parents=True)
    (project / "demos" / "cours" / "reponses.txt").write_text("Ada\n", encoding="utf-8")
    path = project / "docs" / "cours.md"
    path.write_text("# Cours\n\n" + "\n\n".join([
        fence('read -r nom; echo "bonjour $nom"', "demo=scripte input=reponses.txt"),
        fence("if read -r x; then echo lu; else echo ferme; fi; [ -t 0 ] || echo pas-un-tty",
              "demo=ferme interactive"),
        fence("kubectl edit configmap/x", "demo=edit interactive only=live"),
        fence("cat", "demo=absent input=absent.txt"),
    ]) + "\n", encoding="utf-8")
    deck = parse(path, name="cours")
    with DeckRun(deck, RunOptions(kubeconfig=str(cluster.kubeconfig), context=cluster.context),
                 Project(project)) as run:
        scripted, closed, edit, absent = (run.run_step(d) for d in deck.demos)
    assert (scripted.status, scripted.output) == (PASSED, "bonjour Ada\n")
    assert (closed.status, closed.output) == (PASSED, "ferme\npas-un-tty\n")
    assert edit.status == SKIPPED and "personne au clavier" in edit.reason
    assert absent.status == FAILED
    assert "input=absent.txt: fichier introuvable" in absent.reason
    assert f"{path}:" in absent.reason or "cours.md:" in absent.reason
