"""Build time of a Marp course written for marp-cli (tests/site/fixtures/marp_course), unchanged.

The course (home deck `index.md`, marp-cli-style links, its own theme, math, emoji, fitting
headings) is built as `invoke build` does (strict, a minimal mkdocs.yml: site name, Material,
the diapo plugin) against a plain `mkdocs build` of the same files with the same minimal
mkdocs.yml and no plugin, both measured in this run (best of a few, interleaved).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from bench.bench_build import best
from diapo.site import commands, decks, helper
from diapo.site.template_cache import TEMPLATE_BYTECODE

COURSE = Path(__file__).resolve().parents[1] / "tests" / "site" / "fixtures" / "marp_course"
MINIMAL = "site_name: Atelier Git\ntheme:\n  name: material\nplugins:\n  - diapo\n"
PLAIN = "site_name: Atelier Git\ntheme:\n  name: material\nplugins: []\n"  # no search either
RUNS = 5


def project(root: Path, mkdocs_yml: str) -> None:
    """The course's slides (and its theme beside them) as docs/, with `mkdocs_yml`."""
    shutil.copytree(COURSE / "slides", root / "docs")
    (root / "mkdocs.yml").write_text(mkdocs_yml, encoding="utf-8")


def main() -> None:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)  # plain MkDocs warns on marp-cli links
    with tempfile.TemporaryDirectory(prefix="diapo-bench-marp-") as tmp:
        plain_root, diapo_root = Path(tmp) / "plain", Path(tmp) / "diapo"
        project(plain_root, PLAIN)
        project(diapo_root, MINIMAL)

        def plain() -> None:
            mkdocs_build(load_config(str(plain_root / "mkdocs.yml")))

        def full() -> None:
            decks.clear()
            commands.build(root=diapo_root, strict=True)

        def cold() -> None:  # a first build in a new process: no compiled templates either
            TEMPLATE_BYTECODE.clear()
            full()

        plain_time, full_time, cold_time = best(plain, full, cold, runs=RUNS)
        sources = list((diapo_root / "docs").rglob("*.md"))
        slides = sum(len(decks.load(p, p.stem).deck.slides) for p in sources)
    count = len(sources)
    print(f"marp-cli course: {count} decks, {slides} slides (best of {RUNS}, "
          f"{helper.cores()} cores)")
    print(f"plain mkdocs build (baseline)   {plain_time:7.2f} s   1.00")
    print(f"invoke build (diapo, strict)    {full_time:7.2f} s   {full_time / plain_time:4.2f}x")
    print(f"  the same, templates not cached {cold_time:7.2f} s   {cold_time / plain_time:4.2f}x")


if __name__ == "__main__":
    main()
