"""`invoke present` latency and memory: key press on the slide to first output byte on the slide.

Baseline, measured in the same run: Enter pressed after the command typed in a plain bash on a
pseudo-terminal, to the first byte of its output. Measured: `l` ("Lancer") pressed in the
audience window (Debian's Chromium through Playwright) of `python -m diapo.demo.present`, to
the output's first text in the slide's terminal panel, both instants taken inside the page
(keydown listener, MutationObserver). Rounds alternate between the two. The overhead floor is
100 ms. Memory: the resident size of the present process (server + lecture + engine) while
the deck is presented, against `python -m diapo.demo.live` (the lecture alone) on the same deck.
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

ROUNDS = 15
FLOOR_MS = 100.0
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

_ARM = """(marker) => {
  window.__bench = new Promise((resolve) => {
    let pressed = null;
    document.addEventListener('keydown', () => { pressed = performance.now(); },
      { capture: true, once: true });
    const seen = () => {
      const out = document.querySelector('#diapo-term .diapo-term-out');
      return out && !document.getElementById('diapo-term').hidden &&
        out.textContent.includes(marker);
    };
    const observer = new MutationObserver(() => {
      if (pressed !== null && seen()) { observer.disconnect(); resolve(performance.now() - pressed); }
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  });
}"""


def _project(root: Path, context: str, command: str) -> Path:
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(
        f"site_name: bench\nplugins:\n  - diapo:\n      contexts: [{context}]\n",
        encoding="utf-8")
    slides = ["# Bench"] + [f"## Étape {i}\n\n```bash demo=n{i}\n{command}\n```"
                            for i in range(ROUNDS)]
    (root / "docs" / "bench.md").write_text("\n\n---\n\n".join(slides) + "\n", encoding="utf-8")
    return root


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _shell(env: dict[str, str]) -> pexpect.spawn:
    return pexpect.spawn("bash", ["--noprofile", "--norc"], env=dict(env, PS1="prompt$ "),
                         encoding="utf-8", timeout=30, dimensions=(40, 160))


def _direct(shell: pexpect.spawn, command: str, first: str) -> float:
    shell.expect_exact("prompt$ ")
    shell.send(command)
    shell.expect(re.escape(command))
    started = time.perf_counter()
    shell.send("\r")
    shell.expect(first)
    return time.perf_counter() - started


def _measure(env: dict[str, str], context: str, command: str, first: str, browser
             ) -> tuple[float, float, int, int]:
    """(median baseline s, median present s, present RSS KiB, lecture RSS KiB)."""
    direct, present, rss = [], [], []
    with tempfile.TemporaryDirectory(prefix="diapo-bench-present-") as tmp:
        project = _project(Path(tmp) / "p", context, command)
        child = pexpect.spawn(sys.executable, ["-m", "diapo.demo.present", "bench",
                                               "--no-browser"], cwd=str(project), env=env,
                              encoding="utf-8", timeout=60, dimensions=(40, 160))
        child.expect("adresses avec le jeton")
        child.expect(r"démo n0 \(")
        urls = (project / ".diapo" / "present" / "bench.url").read_text().split()
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(urls[0])
        page.wait_for_function("document.body.dataset.present === 'connected'")
        page.evaluate("localStorage.setItem('diapo-present-advance', 'non')")  # we move
        shell = _shell(env)
        shell.delaybeforesend = child.delaybeforesend = None
        for i in range(ROUNDS):
            direct.append(_direct(shell, command, first))
            page.keyboard.press("ArrowRight")
            page.wait_for_function(f"document.body.dataset.presentCue === 'n{i}'")
            page.evaluate(_ARM, first)
            page.keyboard.press("l")
            present.append(page.evaluate("window.__bench") / 1000)
            page.wait_for_function("document.getElementById('diapo-term').dataset.state"
                                   " !== 'running'")
            rss.append(_rss_kib(child.pid))
        page.close()
        child.send("q")
        child.expect(pexpect.EOF)
        shell.sendline("exit")
        shell.expect(pexpect.EOF)
        lecture = pexpect.spawn(sys.executable, ["-m", "diapo.demo.live", "bench"],
                                cwd=str(project), env=env, encoding="utf-8", timeout=60,
                                dimensions=(40, 160))
        lecture.delaybeforesend = None
        lecture.expect(r"démo n0 \(")
        lecture.send("\r")
        lecture.expect(r"démo n1 \(")
        lecture_rss = _rss_kib(lecture.pid)
        lecture.send("q")
        lecture.expect(pexpect.EOF)
    return statistics.median(direct), statistics.median(present), max(rss), lecture_rss


def main() -> None:
    """Print median latencies against bash, and the server's memory against the lecture's."""
    from playwright.sync_api import sync_playwright

    from diapo.cluster import local

    cases = [("echo (floor of a step)", "echo diapo-$((6*7))", "diapo-42"),
             ("kubectl get nodes", "kubectl get nodes", "NAME")]
    with local.shared() as cluster, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        env = dict(os.environ, KUBECONFIG=str(cluster.kubeconfig), TERM="xterm-256color")
        figures = [(label, *_measure(env, cluster.context, command, first, browser))
                   for label, command, first in cases]
        browser.close()
    print(f"key press to first output byte, median of {ROUNDS} alternating rounds:")
    for label, direct, present, rss, lecture_rss in figures:
        overhead = (present - direct) * 1000
        verdict = "OK" if overhead < FLOOR_MS else "OVER"
        print(f"  {label}")
        print(f"    bash on a pty (baseline)    {direct * 1000:7.1f} ms   1.00x")
        print(f"    invoke present (on slide)   {present * 1000:7.1f} ms   "
              f"{present / direct:.2f}x   overhead {overhead:+.1f} ms "
              f"(floor {FLOOR_MS:.0f} ms: {verdict})")
        print(f"    memory: present {rss / 1024:.1f} MiB RSS (max while presenting), "
              f"invoke demo {lecture_rss / 1024:.1f} MiB: {rss / max(lecture_rss, 1):.2f}x")


if __name__ == "__main__":
    main()

