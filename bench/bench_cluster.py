"""Local cluster: warm `invoke cluster.up` time, `cluster.down` time, resident memory and the
Kubernetes version, in a private state directory (the shared cluster is left alone), with kwok
nodes and, where this machine can run containers, with a real node and its add-ons.

Baseline, measured in the same run: etcd alone started until healthy (the smallest piece of
the control plane). Set DIAPO_BENCH_COLD=1 to also time a cold build of the binaries (fresh
Go build cache and diapo cache; the Go module cache stays warm): many minutes.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from diapo.cluster import binaries, host, local, processes

ROOT = Path(__file__).resolve().parents[1]
RUNS = 3


def _etcd_alone(bins: binaries.Binaries, state_dir: Path) -> float:
    port, peer = local.free_port(), local.free_port()
    argv = [str(bins["etcd"]), f"--data-dir={state_dir / 'etcd'}",
            f"--listen-client-urls=http://127.0.0.1:{port}",
            f"--advertise-client-urls=http://127.0.0.1:{port}",
            f"--listen-peer-urls=http://127.0.0.1:{peer}", "--unsafe-no-fsync",
            "--log-level=warn"]
    started = time.monotonic()
    processes.start(state_dir, "etcd", argv)
    try:
        deadline = started + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                    return time.monotonic() - started
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("etcd not healthy within 30 s")
    finally:
        processes.stop(state_dir, ["etcd"])


def _invoke(task: str, state_dir: Path, nodes: str) -> float:
    env = {**os.environ, "DIAPO_CLUSTER_DIR": str(state_dir), local.NODES_ENV: nodes}
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "invoke", task], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - started


def _cold_build(version: str) -> float:
    with tempfile.TemporaryDirectory(prefix="diapo-cold-") as tmp:
        env = {key: value for key, value in os.environ.items() if key != "KUBEBUILDER_ASSETS"}
        env.update(DIAPO_CACHE=f"{tmp}/diapo", GOCACHE=f"{tmp}/go-build")
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", "from diapo.cluster import binaries; "
                        f"binaries.ensure_all({version!r}, quiet=True)"], cwd=ROOT, env=env,
                       check=True)
        return time.monotonic() - started


def main() -> None:
    """Print the figures (see the module docstring)."""
    bins = binaries.ensure_all(quiet=True)
    with tempfile.TemporaryDirectory(prefix="diapo-bench-") as tmp:
        state_dir = Path(tmp) / "cluster"
        baseline = statistics.median(_etcd_alone(bins, Path(tmp) / f"etcd{i}")
                                     for i in range(RUNS))
        modes = [local.SIMULATED] + ([local.REAL] if host.why_not_real() is None
                                     and not local.real_node_elsewhere(state_dir) else [])
        figures = {}
        try:
            for mode in modes:
                ups, downs, rss = [], [], []
                for _ in range(RUNS):
                    ups.append(_invoke("cluster.up", state_dir, mode))
                    rss.append(local.control_plane_rss(state_dir))
                    downs.append(_invoke("cluster.down", state_dir, mode))
                figures[mode] = ups, downs, rss
        finally:
            local.down(state_dir=state_dir, quiet=True)
    print(f"kubernetes version            v{bins.version} (kwok {binaries.kwok_version()}, "
          f"etcd {binaries.etcd_version()})")
    print(f"baseline: etcd alone healthy   {baseline:6.2f} s")
    for mode, (ups, downs, rss) in figures.items():
        up, down = statistics.median(ups), statistics.median(downs)
        what = ("kwok nodes, floor 15 s" if mode == local.SIMULATED
                else "real node and add-ons, floor 20 s")
        print(f"warm invoke cluster.up         {up:6.2f} s  = {up / baseline:5.1f} x baseline "
              f"({what}; runs: {', '.join(f'{t:.2f}' for t in ups)})")
        print(f"invoke cluster.down            {down:6.2f} s  = {down / baseline:5.1f} x baseline")
        print(f"RSS of the whole cluster       {statistics.median(rss) / 2**20:6.0f} MiB "
              f"({'control plane and kwok' if mode == local.SIMULATED else 'control plane, node daemons, shims and every container'})")
    if os.environ.get("DIAPO_BENCH_COLD"):
        cold = _cold_build(bins.version)
        print(f"cold build of the binaries     {cold:6.0f} s  = {cold / baseline:5.0f} x baseline "
              f"(fresh Go build cache, warm module cache)")


if __name__ == "__main__":
    main()
