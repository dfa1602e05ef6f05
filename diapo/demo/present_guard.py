"""The guard of `invoke present`: cleans up after a presentation killed without notice.

A killed server (SIGKILL, a closed laptop lid that ends the session) cannot run its own
cleanup, and the step it was running lives on in its own process session. The guard is a tiny
separate process that `present` starts first; `present` tells it, on its stdin, the work
directory of each engine run it opens. When its stdin reaches end of file, whatever the reason,
the guard kills the processes of those runs (those carrying the session's marker in their
environment, as `Session.close` finds them) and removes the directories. After a normal exit
there is nothing left for it to do. What a step created on the cluster is what
`invoke demo.reset DECK` removes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from diapo.demo.session import _environ, terminate


def start() -> subprocess.Popen:
    """The guard process, in a session of its own (a signal to present's group spares it)."""
    return subprocess.Popen([sys.executable, "-m", "diapo.demo.present_guard"],
                            stdin=subprocess.PIPE, start_new_session=True)


def watch(guard: subprocess.Popen, base_dir: Path | None) -> None:
    """Tell the guard about an engine run's directory."""
    if base_dir is not None and guard.stdin is not None:
        guard.stdin.write(f"{base_dir}\n".encode())
        guard.stdin.flush()


def clean(base_dir: Path) -> None:
    """Kill the processes of the run in `base_dir`, then remove it."""
    marker = f"__DIAPO_DIR={base_dir / 'session'}".encode()
    terminate([int(e.name) for e in os.scandir("/proc")
               if e.name.isdigit() and int(e.name) != os.getpid()
               and marker in _environ(int(e.name)).split(b"\0")])
    shutil.rmtree(base_dir, ignore_errors=True)


def main() -> int:
    """Read run directories until end of file, then clean them up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    dirs = [Path(line.strip()) for line in sys.stdin if line.strip()]
    for base_dir in dirs:
        if base_dir.name.startswith("diapo-"):  # only what the engine made
            clean(base_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
