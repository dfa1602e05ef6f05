"""Lecture mode latency: key press to first output of a `kubectl get nodes` step.

Baseline, measured in the same run: Enter pressed after `kubectl get nodes` typed in a plain
bash on a pseudo-terminal, to the first byte of its table ("NAME"). Measured: Enter pressed in
`python -m diapo.demo.live` on a `kubectl get nodes` demo, to the same first byte. Both against
the local control plane (started if needed, stopped afterwards if this run started it). The
overhead floor the lecture mode must stay under is 50 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

ROUNDS = 12
FLOOR_MS = 50.0


def _press_to_table(child: pexpect.spawn, ready: str) -> float:
    """Wait for `ready`, press Enter, return seconds until the table header is shown."""
    child.expect(ready)
    started = time.perf_counter()
    child.send("\r")
    child.expect("NAME")
    return time.perf_counter() - started


def _direct(env: dict[str, str]) -> list[float]:
    """Enter pressed in a plain bash after typing the command."""
    shell = pexpect.spawn("bash", ["--noprofile", "--norc"], env=dict(env, PS1="prompt$ "),
                          encoding="utf-8", timeout=30, dimensions=(40, 160))
    times = []
    for _ in range(ROUNDS):
        shell.expect_exact("prompt$ ")
        shell.send("kubectl get nodes")
        times.append(_press_to_table(shell, "nodes"))
    shell.sendline("exit")
    shell.expect(pexpect.EOF)
    return times


def _lecture(env: dict[str, str], context: str) -> list[float]:
    """Enter pressed in the lecture mode on a `kubectl get nodes` demo."""
    with tempfile.TemporaryDirectory(prefix="diapo-bench-live-") as tmp:
        project = Path(tmp)
        (project / "docs").mkdir()
        (project / "mkdocs.yml").write_text(
            f"site_name: bench\nplugins:\n  - diapo:\n      contexts: [{context}]\n",
            encoding="utf-8")
        slides = [f"## Étape {i}\n\n```bash demo=n{i}\nkubectl get nodes\n```"
                  for i in range(ROUNDS)]
        (project / "docs" / "bench.md").write_text("\n\n---\n\n".join(slides) + "\n",
                                                  encoding="utf-8")
        child = pexpect.spawn(sys.executable, ["-m", "diapo.demo.live", "bench"],
                              cwd=str(project), env=env, encoding="utf-8", timeout=30,
                              dimensions=(40, 160))
        times = [_press_to_table(child, rf"démo n{i} \(") for i in range(ROUNDS)]
        child.send("q")
        child.expect(pexpect.EOF)
        return times


def main() -> None:
    """Print the median latencies, their ratio and the overhead against the 50 ms floor."""
    from diapo.cluster import local

    with local.shared() as cluster:
        env = dict(os.environ, KUBECONFIG=str(cluster.kubeconfig), TERM="xterm-256color")
        direct = statistics.median(_direct(env))
        lecture = statistics.median(_lecture(env, cluster.context))
    overhead = (lecture - direct) * 1000
    print(f"kubectl get nodes, Enter to first output byte (median of {ROUNDS}):")
    print(f"  bash (baseline)   {direct * 1000:7.1f} ms   1.00x")
    print(f"  invoke demo       {lecture * 1000:7.1f} ms   {lecture / direct:.2f}x")
    verdict = "OK" if overhead < FLOOR_MS else "OVER"
    print(f"  overhead          {overhead:7.1f} ms   (floor {FLOOR_MS:.0f} ms: {verdict})")


if __name__ == "__main__":
    main()
