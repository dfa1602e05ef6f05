"""One shell session per deck run: each step is a fresh `bash` that restores the session state.

Why not one long-lived interactive shell: a fresh `bash` per step in its own process group
(start_new_session) gives a clean exit code, a timeout that kills exactly the step's processes,
and no prompt parsing. Continuity comes from a state file the previous step wrote on exit
(`declare -p` of its variables, `declare -f`, `alias -p`, the working directory), sourced by
the next one: variables, functions, aliases and `cd` persist like in a terminal.

Output goes to one pipe (or pseudo-terminal) per session, so stdout and stderr stay in order
and what background jobs (`kubectl port-forward &`) print later shows up in the next step, as
it would in a terminal. Background process groups are killed when the session closes.
"""

from __future__ import annotations

import fcntl
import os
import pty as pty_mod
import select
import shutil
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Bash's own variables: read-only, per-process, or meaningless to carry to the next step.
_SKIPPED_VARS = (
    "BASH*|EUID|UID|PPID|SHELLOPTS|BASHOPTS|SHLVL|PWD|_|FUNCNAME|GROUPS|HISTCMD|LINENO|"
    "RANDOM|SRANDOM|SECONDS|EPOCHREALTIME|EPOCHSECONDS|PIPESTATUS|DIRSTACK|HOSTNAME|HOSTTYPE|"
    "MACHTYPE|OSTYPE|OPTIND|OPTERR|IFS|COLUMNS|LINES|COMP_*|__diapo*|__DIAPO*"
)

# Sourced at the start of every step. The step's code is then run by `eval` (a separate parse,
# so aliases restored here apply to it, and errors read `bash: cmd: ...` as in a terminal).
PRELUDE = r"""
shopt -s expand_aliases
if [[ -r $__DIAPO_DIR/state.sh ]]; then builtin source "$__DIAPO_DIR/state.sh" >/dev/null 2>&1; fi
case ":$PATH:" in *":$__DIAPO_DIR/bin:"*) ;; *) PATH="$__DIAPO_DIR/bin:$PATH";; esac
__diapo_save() {
  local __diapo_rc=$? __diapo_n
  local -a __diapo_vars=()
  set +e
  # ${!X@} lists the variables starting with X, without the fork of $(compgen -v).
  for __diapo_n in %(names)s; do
    case $__diapo_n in %(skipped)s) continue;; esac
    __diapo_vars+=("$__diapo_n")
  done
  {
    builtin declare -p "${__diapo_vars[@]}"
    builtin declare -f
    builtin alias -p
    builtin printf 'builtin cd -- %%q\n' "$PWD"
  } >"$__DIAPO_DIR/state.sh" 2>/dev/null
  return $__diapo_rc
}
trap __diapo_save EXIT
set -eo pipefail
""" % {"skipped": _SKIPPED_VARS, "names": " ".join(
    "${!%s@}" % c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")}

MAX_OUTPUT = 4 * 1024 * 1024  # bytes of output kept per step (the tail is kept)
KILL_GRACE = 0.3  # seconds between SIGTERM and SIGKILL of a timed-out step


@dataclass
class StepOutcome:
    """What one shell step did."""

    exit_code: int  # bash's exit status; 128+N when killed by signal N
    output: bytes  # stdout and stderr, in order
    duration: float
    timed_out: bool = False
    interrupted: bool = False


class Session:
    """A shell session whose state survives across steps (see the module docstring).

    `state_dir` is private to the session (state file, prelude, `bin/` put first on PATH);
    steps start in `work_dir`.
    """

    def __init__(self, work_dir: Path, state_dir: Path, env: dict[str, str] | None = None):
        self.work_dir = Path(work_dir)
        self.state_dir = Path(state_dir)
        (self.state_dir / "bin").mkdir(parents=True, exist_ok=True)
        (self.state_dir / "prelude.sh").write_text(PRELUDE, encoding="utf-8")
        self.env = dict(os.environ if env is None else env)
        self.env["__DIAPO_DIR"] = str(self.state_dir)
        self._bash = shutil.which("bash", path=self.env.get("PATH")) or "/bin/bash"
        self._pipe: tuple[int, int] | None = None  # (read, write) for captured steps
        self._pty: tuple[int, int] | None = None  # (master, slave) for terminal steps
        self._pty_attrs: list | None = None  # its modes when opened
        self._groups: list[int] = []  # process groups of past steps (background jobs)
        self._current: subprocess.Popen | None = None
        self._interactive = False  # the running step owns the pty (send / resize reach it)
        self._interrupted = False
        self._close_lock = threading.Lock()

    # ------------------------------------------------------------------ running

    def run(
        self,
        code: str,
        *,
        timeout: float,
        on_output: Callable[[bytes], None] | None = None,
        pty: bool = False,
        interactive: bool = False,
        stdin: Path | None = None,
        shell: bool = False,
    ) -> StepOutcome:
        """Run `code` as one step; stop it at its first failing command (errexit, pipefail).

        Past `timeout` seconds the step's whole process group is killed (exit code 124, like
        `timeout(1)`). `on_output` receives output chunks as they come. With `pty`, the step
        runs on a pseudo-terminal (colours, `kubectl exec -it`); otherwise on a pipe with
        stdin from /dev/null, or from the file `stdin`.

        With `pty` and `interactive`, the pseudo-terminal becomes the step's controlling
        terminal: `send()` reaches its stdin, `resize()` its window size (SIGWINCH), and a
        Ctrl-C byte interrupts it as in a terminal. With `shell` too, `code` is ignored and an
        interactive bash opens in the session's state (working directory, variables), until
        `exit` (its changes are not kept for the next steps).
        """
        interactive = interactive and pty
        read_fd, write_fd, stdin_ = self._channel(pty)
        script = ('__diapo_code=$1; set --; builtin source "$__DIAPO_DIR/prelude.sh"\n'
                  'eval "$__diapo_code"')
        argv = [self._bash, "--noprofile", "--norc", "-c", script, "bash", code]
        if shell and interactive:
            argv = [self._bash, "--noprofile", "--rcfile", str(self._shell_rc()), "-i"]
        setsid = shutil.which("setsid") if interactive else None
        if setsid:  # a session of its own whose controlling terminal is the pty (stdin)
            argv = [setsid, "--ctty", *argv]
        started = time.monotonic()
        self._interrupted = False
        handle = open(stdin, "rb") if stdin is not None and not pty else None  # noqa: SIM115
        try:
            proc = subprocess.Popen(
                argv,
                cwd=self.work_dir,
                env=self.env,
                stdin=handle if handle is not None else stdin_,
                stdout=write_fd,
                stderr=write_fd,
                start_new_session=not setsid,
            )
        finally:
            if handle is not None:
                handle.close()
        self._current = proc
        self._interactive = interactive
        self._groups.append(proc.pid)
        exited = os.pidfd_open(proc.pid)  # readable once bash exits: no polling delay
        chunks: list[bytes] = []
        size = 0
        timed_out = False
        deadline = started + timeout

        def take(data: bytes) -> None:
            nonlocal size
            chunks.append(data)
            size += len(data)
            while size > MAX_OUTPUT and len(chunks) > 1:
                size -= len(chunks.pop(0))
            if on_output is not None:
                on_output(data)

        try:
            while proc.poll() is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    timed_out = True
                    self._kill_group(proc.pid, proc)
                    break
                data = _read_ready(read_fd, remaining, exited)
                if data:
                    take(data)
            # Bash has exited: everything it wrote is in the channel already.
            while data := _read_ready(read_fd, 0):
                take(data)
        finally:
            os.close(exited)
            self._current = None
            self._interactive = False
            if proc.poll() is None:  # exception while running (e.g. KeyboardInterrupt)
                self._kill_group(proc.pid, proc)
        code_ = proc.returncode
        exit_code = 124 if timed_out else (128 - code_ if code_ < 0 else code_)
        return StepOutcome(
            exit_code=exit_code,
            output=b"".join(chunks),
            duration=time.monotonic() - started,
            timed_out=timed_out,
            interrupted=self._interrupted,
        )

    def interrupt(self) -> None:
        """Send SIGINT to the running step's process group only (Ctrl-C in a terminal)."""
        proc = self._current
        if proc is not None and proc.poll() is None:
            self._interrupted = True
            _signal_group(proc.pid, signal.SIGINT)

    @property
    def interactive(self) -> bool:
        """Whether the running step is an interactive one (keys may be sent to it)."""
        return self._interactive and self._current is not None

    def send(self, data: bytes) -> bool:
        """Keys for the running interactive step (as typed on its terminal); False if none.

        A Ctrl-C byte on a terminal that turns it into a signal interrupts the step (so the
        outcome says "interrompue"), as the lecturer's Ctrl-C does.
        """
        if not self.interactive or self._pty is None:
            return False
        master = self._pty[0]
        if b"\x03" in data and termios.tcgetattr(master)[3] & termios.ISIG:
            before, _, after = data.partition(b"\x03")
            if before:
                self.send(before)
            self.interrupt()
            return True
        view = memoryview(data)
        deadline = time.monotonic() + 1.0  # a full input queue (nobody reads): give up
        while view and time.monotonic() < deadline:
            try:
                view = view[os.write(master, view):]
            except BlockingIOError:
                select.select([], [master], [], 0.05)
            except OSError:
                return False
        return True

    def resize(self, rows: int, cols: int) -> None:
        """Set the pty's window size (the step's foreground processes get SIGWINCH)."""
        if self._pty is not None and rows > 0 and cols > 0:
            fcntl.ioctl(self._pty[0], termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def _shell_rc(self) -> Path:
        """The rc file of the `!` shell: the session's state, its PATH, a prompt naming it."""
        path = self.state_dir / "shell-rc.sh"
        path.write_text(
            'if [[ -r $__DIAPO_DIR/state.sh ]]; then builtin source "$__DIAPO_DIR/state.sh"'
            ' >/dev/null 2>&1; fi\n'
            'PATH="$__DIAPO_DIR/bin:$PATH"\n'
            "PS1='(diapo${DIAPO_NAMESPACE:+ $DIAPO_NAMESPACE}) \\w \\$ '\n",
            encoding="utf-8")
        return path

    def close(self) -> None:
        """Kill what steps left running in the background and release the channels.

        A finished step's group id may since have been reused by a stranger: only processes
        that carry this session's marker in their environment are signalled.
        """
        with self._close_lock:  # a Ctrl-C may close it from another thread at the same time
            self._close()

    def _close(self) -> None:
        marker = f"__DIAPO_DIR={self.state_dir}".encode()
        left = [pid for pgid in self._groups for pid in group_members(pgid)
                if marker in _environ(pid)]
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in left:
                try:
                    os.kill(pid, sig)
                except (ProcessLookupError, PermissionError):
                    pass
            end = time.monotonic() + KILL_GRACE
            while left and time.monotonic() < end:
                left = [pid for pid in left if _running(pid)]
                time.sleep(0.01)
        self._groups.clear()
        for pair in (self._pipe, self._pty):
            if pair:
                for fd in pair:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
        self._pipe = self._pty = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pty_fd(self) -> int | None:
        """The pseudo-terminal's master side, once a `pty` step ran (e.g. to set its size)."""
        return self._pty[0] if self._pty else None

    # ------------------------------------------------------------------ internals

    def _channel(self, pty: bool) -> tuple[int, int, int]:
        """(read fd, write fd, stdin) of the session's pipe or pseudo-terminal."""
        if pty:
            if self._pty is None:
                master, slave = pty_mod.openpty()
                cols, rows = shutil.get_terminal_size((120, 40))
                fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                os.set_blocking(master, False)
                self._pty = (master, slave)
                self._pty_attrs = termios.tcgetattr(slave)
            master, slave = self._pty
            # A past step (an editor, `stty raw`) may have changed the modes: start sane.
            assert self._pty_attrs is not None  # set with self._pty
            termios.tcsetattr(slave, termios.TCSANOW, self._pty_attrs)
            return master, slave, slave
        if self._pipe is None:
            read_fd, write_fd = os.pipe()
            os.set_blocking(read_fd, False)
            self._pipe = (read_fd, write_fd)
        return self._pipe[0], self._pipe[1], subprocess.DEVNULL

    def _kill_group(self, pgid: int, proc: subprocess.Popen | None) -> None:
        """SIGTERM the group, then SIGKILL what is left after a short grace."""
        if not _signal_group(pgid, signal.SIGTERM):
            if proc is not None:
                proc.wait()
            return
        end = time.monotonic() + KILL_GRACE
        while time.monotonic() < end and group_alive(pgid):
            if proc is not None:
                proc.poll()
            time.sleep(0.01)
        _signal_group(pgid, signal.SIGKILL)
        if proc is not None:
            proc.wait()


def _signal_group(pgid: int, sig: int) -> bool:
    """Signal a process group; False when it no longer exists."""
    try:
        os.killpg(pgid, sig)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def group_alive(pgid: int) -> bool:
    """Whether a process of this group is still running (zombies awaiting reaping don't count)."""
    return bool(group_members(pgid))


def group_members(pgid: int) -> list[int]:
    """The running (non-zombie) processes of a process group."""
    members = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # Fields after the command name (which may contain spaces): state ppid pgrp ...
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != b"Z":
            members.append(int(entry.name))
    return members


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return False
    return stat[stat.rfind(b")") + 2 :][:1] != b"Z"


def _environ(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _read_ready(fd: int, timeout: float, wake: int | None = None) -> bytes:
    """Read what is available on `fd` within `timeout` seconds (b"" when nothing, or as soon
    as `wake` becomes readable)."""
    ready, _, _ = select.select([fd] if wake is None else [fd, wake], [], [], timeout)
    if fd not in ready:
        return b""
    try:
        return os.read(fd, 65536)
    except (BlockingIOError, InterruptedError):
        return b""
    except OSError:  # EIO on a pseudo-terminal whose slave side is gone
        return b""
