"""Lecture mode latency: key press to first output of a `kubectl get nodes` step.

Baseline, measured in the same run: Enter pressed after `kubectl get nodes` typed in a plain
bash on a pseudo-terminal, to the first byte of its table ("NAME"). Measured: Enter pressed in
`python -m diapo.demo.live` on a `kubectl get nodes` demo, to the same first byte. Both against
the local control plane (started if needed, stopped afterwards if this run started it). The
overhead floor the lecture mode must stay under is 50 ms.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

ROUNDS = 20
FLOOR_MS = 50.0


def _press_to_output(child: pexpect.spawn, ready: str, first: str) -> float:
    """Wait for `ready`, press Enter, return seconds until `first` (the output) is shown."""
    child.expect(ready)
    started = time.perf_counter()
    child.send("\r")
    child.expect(first)
    return time.perf_counter() - started


def _shell(env: dict[str, str]) -> pexpect.spawn:
    """A plain bash on a pseudo-terminal (the baseline)."""
    return pexpect.spawn("bash", ["--noprofile", "--norc"], env=dict(env, PS1="prompt$ "),
                         encoding="utf-8", timeout=30, dimensions=(40, 160))


def _lecture(env: dict[str, str], project: Path, context: str, command: str) -> pexpect.spawn:
    """The lecture mode on a deck of ROUNDS demos running `command`."""
    (project / "docs").mkdir()
    (project / "mkdocs.yml").write_text(
        f"site_name: bench\nplugins:\n  - diapo:\n      contexts: [{context}]\n",
        encoding="utf-8")
    slides = [f"## Étape {i}\n\n```bash demo=n{i}\n{command}\n```" for i in range(ROUNDS)]
    (project / "docs" / "bench.md").write_text("\n\n---\n\n".join(slides) + "\n",
                                              encoding="utf-8")
    return pexpect.spawn(sys.executable, ["-m", "diapo.demo.live", "bench"], cwd=str(project),
                         env=env, encoding="utf-8", timeout=30, dimensions=(40, 160))


def _measure(env: dict[str, str], context: str, command: str, first: str
             ) -> tuple[float, float]:
    """Median seconds from Enter to `first` in bash and in the lecture mode. Rounds
    alternate between the two, so load from other processes hits both alike."""
    direct, lecture = [], []
    with tempfile.TemporaryDirectory(prefix="diapo-bench-live-") as tmp:
        shell, live = _shell(env), _lecture(env, Path(tmp), context, command)
        shell.delaybeforesend = live.delaybeforesend = None  # pexpect sleeps 50 ms otherwise
        for i in range(ROUNDS):
            shell.expect_exact("prompt$ ")
            shell.send(command)
            direct.append(_press_to_output(shell, re.escape(command), first))
            lecture.append(_press_to_output(live, rf"démo n{i} \(", first))
        shell.sendline("exit")
        live.expect("Fin des démos")  # keys pressed while a step runs are dropped
        live.send("q")
        for child in (shell, live):
            child.expect(pexpect.EOF)
    return statistics.median(direct), statistics.median(lecture)


def main() -> None:
    """Print median latencies, their ratio and the overhead against the 50 ms floor."""
    from diapo.cluster import local

    cases = [("kubectl get nodes", "kubectl get nodes", "NAME"),
             ("echo (floor of a step)", "echo diapo-$((6*7))", "diapo-42")]
    with local.shared() as cluster:
        env = dict(os.environ, KUBECONFIG=str(cluster.kubeconfig), TERM="xterm-256color")
        figures = [(label, *_measure(env, cluster.context, command, first))
                   for label, command, first in cases]
    print(f"Enter to first output byte, median of {ROUNDS} alternating rounds:")
    for label, direct, lecture in figures:
        overhead = (lecture - direct) * 1000
        verdict = "OK" if overhead < FLOOR_MS else "OVER"
        print(f"  {label}")
        print(f"    bash (baseline)  {direct * 1000:7.1f} ms   1.00x")
        print(f"    invoke demo      {lecture * 1000:7.1f} ms   {lecture / direct:.2f}x   "
              f"overhead {overhead:+.1f} ms (floor {FLOOR_MS:.0f} ms: {verdict})")


if __name__ == "__main__":
    main()
