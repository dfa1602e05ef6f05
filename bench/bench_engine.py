"""Demo engine overhead per step: 100 `true` steps through the engine's shell session vs the
same 100 commands in one plain `bash` (baseline measured in the same run).

The session starts a fresh `bash` per step in its own process group and restores the deck's
state (variables, functions, aliases, directory) saved by the previous step; the bench gives the
session a realistic state first (50 variables, 10 functions). Floor: under 20 ms per step.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

from diapo.demo.session import Session

STEPS, RUNS = 100, 3
FLOOR_MS = 20.0
SETUP = "\n".join([*(f"export VAR_{i}='valeur {i}'" for i in range(50)),
                   *(f"fonction_{i}() {{ echo {i}; }}" for i in range(10)),
                   "alias k=kubectl", "mkdir -p rep && cd rep"])


def _engine_ms() -> float:
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        with Session(work, Path(tmp) / "state") as session:
            assert session.run(SETUP, timeout=10).exit_code == 0
            started = time.perf_counter()
            for _ in range(STEPS):
                if session.run("true", timeout=10).exit_code != 0:
                    raise RuntimeError("a `true` step failed")
            return (time.perf_counter() - started) * 1000 / STEPS


def _plain_ms() -> float:
    script = SETUP + "\n" + "true\n" * STEPS
    started = time.perf_counter()
    subprocess.run(["bash", "--noprofile", "--norc", "-c", script], check=True,
                   cwd=tempfile.gettempdir())
    return (time.perf_counter() - started) * 1000 / STEPS


def main() -> None:
    """Print ms/step for the engine and for plain bash, the overhead and the floor check."""
    engine = min(_engine_ms() for _ in range(RUNS))
    plain = min(_plain_ms() for _ in range(RUNS))
    overhead = engine - plain
    print(f"plain bash (baseline): {plain:.3f} ms/step ({STEPS} `true` in one bash)")
    print(f"engine session:        {engine:.2f} ms/step ({STEPS} steps, best of {RUNS})")
    print(f"overhead:              {overhead:.2f} ms/step, {engine / plain:.0f}x the baseline "
          f"— floor {FLOOR_MS:.0f} ms: {'OK' if overhead < FLOOR_MS else 'DÉPASSÉ'}")


if __name__ == "__main__":
    main()
