"""Background processes of the local control plane, tracked by pid files.

Each component runs in its own session (so its process group id is its pid) with its output in
`logs/<name>.log`. `run/<name>.pid` holds `<pid> <start time>`: the start time (field 22 of
/proc/<pid>/stat) tells our process from an unrelated one that reused the pid after a crash, so
a stale pid file is never used to kill a stranger.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# Popen objects of the components this Python process started: kept so they are reaped (no
# zombie, no ResourceWarning) when `stop` runs in the same process, e.g. a pytest session.
_children: dict[int, subprocess.Popen] = {}


@dataclass(frozen=True)
class Proc:
    """A component process recorded in a pid file."""

    name: str
    pid: int
    start_time: str

    def alive(self) -> bool:
        """True while this very process (not a pid reuser) runs and is not a zombie."""
        _reap(self.pid)
        stat = _stat(self.pid)
        return stat is not None and stat[0] != "Z" and stat[19] == self.start_time


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state first), or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return raw[raw.rindex(")") + 2:].split()


def _reap(pid: int) -> None:
    child = _children.get(pid)
    if child is not None and child.poll() is not None:
        del _children[pid]


def log_path(state_dir: Path, name: str) -> Path:
    """Where component `name` writes its output."""
    return state_dir / "logs" / f"{name}.log"


def pid_path(state_dir: Path, name: str) -> Path:
    """The pid file of component `name`."""
    return state_dir / "run" / f"{name}.pid"


def start(state_dir: Path, name: str, argv: list[str],
          env: dict[str, str] | None = None) -> Proc:
    """Start `argv` in a new session with output to its log; record and return it."""
    log = log_path(state_dir, name)
    log.parent.mkdir(parents=True, exist_ok=True)
    pid_file = pid_path(state_dir, name)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    with _interrupts_deferred(), open(log, "wb") as out:
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=subprocess.STDOUT, start_new_session=True,
                                 cwd=state_dir, env=env)
        _children[child.pid] = child
        stat = _stat(child.pid)
        proc = Proc(name, child.pid, stat[19] if stat else "")
        tmp = pid_file.with_suffix(".tmp")
        tmp.write_text(f"{proc.pid} {proc.start_time}\n")
        tmp.replace(pid_file)
    return proc


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C back from the start of a component until its pid file names it.

    An interrupt in between would leave a process that no pid file names, so nothing would
    stop it. The interrupt is raised once the pid file is written. Only the main thread
    receives signals; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received and previous is not signal.SIG_IGN:
        if callable(previous):
            previous(signal.SIGINT, None)  # Python's default handler raises KeyboardInterrupt
        else:
            raise KeyboardInterrupt


def recorded(state_dir: Path, name: str) -> Proc | None:
    """The process recorded for `name`, or None when there is no readable pid file."""
    try:
        pid, start_time = pid_path(state_dir, name).read_text().split()
        return Proc(name, int(pid), start_time)
    except (FileNotFoundError, ValueError):
        return None


def stop(state_dir: Path, names: list[str], timeout: float = 15.0) -> None:
    """Stop the recorded processes `names` together: SIGTERM to each process group, then
    SIGKILL past `timeout`; remove their pid files. Processes already gone are fine."""
    procs = [proc for name in names if (proc := recorded(state_dir, name))]
    live = [proc for proc in procs if proc.alive()]
    for proc in live:
        _signal_group(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(proc.alive() for proc in live) and time.monotonic() < deadline:
        time.sleep(0.05)
    for proc in live:
        if proc.alive():
            _signal_group(proc.pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while any(proc.alive() for proc in live) and time.monotonic() < deadline:
        time.sleep(0.02)
    for proc in procs:
        child = _children.pop(proc.pid, None)
        if child is not None:
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:  # killed, still exiting on a loaded machine
                _children[proc.pid] = child
        pid_path(state_dir, proc.name).unlink(missing_ok=True)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)  # start_new_session: the group id is the leader's pid
    except ProcessLookupError:
        pass


def register(directory: Path) -> Path:
    """Record this process as a user of a shared resource: `directory/<pid>-<start time>`."""
    directory.mkdir(parents=True, exist_ok=True)
    stat = _stat(os.getpid())
    entry = directory / f"{os.getpid()}-{stat[19] if stat else ''}"
    entry.touch()
    return entry


def live_registrations(directory: Path) -> list[Path]:
    """Entries of `register` whose process still runs; entries of dead processes are removed."""
    live = []
    for entry in directory.glob("*-*") if directory.is_dir() else []:
        pid, _, start_time = entry.name.partition("-")
        if pid.isdigit() and Proc(entry.name, int(pid), start_time).alive():
            live.append(entry)
        else:
            entry.unlink(missing_ok=True)
    return live


def rss_bytes(pid: int) -> int:
    """Resident memory of one process (VmRSS), 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def log_tail(state_dir: Path, name: str, lines: int = 20) -> str:
    """The last `lines` lines of a component's log (for error messages)."""
    try:
        text = log_path(state_dir, name).read_text(errors="replace")
    except FileNotFoundError:
        return "(pas de journal)"
    return "\n".join(text.rstrip().splitlines()[-lines:])
