"""The shell session: state across steps, errexit/pipefail, ordered output, timeouts, Ctrl-C."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from diapo.demo.session import Session, group_alive


@pytest.fixture
def session(tmp_path: Path):
    work = tmp_path / "work"
    work.mkdir()
    with Session(work, tmp_path / "state") as shell:
        yield shell


def run(shell: Session, code: str, timeout: float = 10):
    outcome = shell.run(code, timeout=timeout)
    return outcome, outcome.output.decode()


def test_variables_functions_aliases_and_cd_persist(session: Session, tmp_path: Path):
    first, _ = run(session, 'X=42; export Y="a b"; f() { echo "f:$1"; }\n'
                            'alias hello="echo bonjour"; arr=(un "deux trois")\n'
                            "mkdir -p sub/dir && cd sub/dir")
    assert first.exit_code == 0
    second, out = run(session, 'echo "$X|$Y"; f z; hello; echo "${arr[1]}"; pwd; '
                               'bash -c \'echo "child:$Y"\'')
    assert second.exit_code == 0
    assert out.split("\n")[:6] == ["42|a b", "f:z", "bonjour", "deux trois",
                                   str(tmp_path / "work" / "sub" / "dir"), "child:a b"]


def test_a_failing_command_stops_the_step(session: Session):
    outcome, out = run(session, "echo avant\nfalse\necho après")
    assert outcome.exit_code == 1
    assert out == "avant\n"


def test_pipefail_and_command_not_found(session: Session):
    outcome, out = run(session, "false | cat\necho jamais")
    assert (outcome.exit_code, out) == (1, "")
    outcome, out = run(session, "commande_inexistante_xyz\necho jamais")
    assert outcome.exit_code == 127
    assert "commande_inexistante_xyz: command not found" in out
    assert "jamais" not in out


def test_explicit_exit_code_is_recorded(session: Session):
    outcome, _ = run(session, "exit 3")
    assert outcome.exit_code == 3
    # The session goes on after a failed step.
    assert run(session, "echo ok")[1] == "ok\n"


def test_stdout_and_stderr_stay_in_order(session: Session):
    _, out = run(session, "echo 1; echo 2 >&2; echo 3; echo 4 >&2")
    assert out == "1\n2\n3\n4\n"


def test_timeout_kills_the_whole_process_group_quickly(session: Session):
    started = time.monotonic()
    outcome = session.run("sleep 600 & sleep 600", timeout=2)
    elapsed = time.monotonic() - started
    assert outcome.timed_out and outcome.exit_code == 124
    assert elapsed < 3, elapsed
    pgid = session._groups[-1]
    assert not group_alive(pgid), "a process of the timed-out step is still running"


def test_interrupt_sends_sigint_to_the_step_only(session: Session):
    timer = threading.Timer(0.5, session.interrupt)
    timer.start()
    started = time.monotonic()
    outcome = session.run("sleep 30", timeout=20)
    timer.join()
    assert outcome.interrupted
    assert outcome.exit_code == 130
    assert time.monotonic() - started < 5
    assert run(session, "echo encore")[1] == "encore\n"


def test_background_jobs_outlive_their_step_and_die_with_the_session(tmp_path: Path):
    work = tmp_path / "w"
    work.mkdir()
    shell = Session(work, tmp_path / "s")
    outcome = shell.run("sleep 300 &\necho $! > pid", timeout=5)
    assert outcome.exit_code == 0
    pgid = shell._groups[-1]
    assert group_alive(pgid)  # like a terminal: `cmd &` keeps running
    shell.close()
    assert not group_alive(pgid)


def test_pty_mode_gives_a_terminal(session: Session):
    outcome = session.run("[ -t 1 ] && echo terminal", timeout=5, pty=True)
    assert outcome.exit_code == 0
    assert outcome.output.replace(b"\r\n", b"\n") == b"terminal\n"


def test_output_streams_to_the_callback(session: Session):
    chunks: list[bytes] = []
    outcome = session.run("echo un; sleep 0.2; echo deux", timeout=5, on_output=chunks.append)
    assert b"".join(chunks) == outcome.output == b"un\ndeux\n"
