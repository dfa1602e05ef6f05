"""Site build time: a generated course of 30 decks x 40 slides.

Figures (each the best of a few runs, all measured in this run):
- full `invoke build` (diapo plugin: reading pages, presentation views, checks) against a plain
  `mkdocs build` of the same Markdown with the same theme and extensions but no plugin
  (floor: ratio <= 1.25). On several cores the diapo build forks its helper process (scans,
  reading pages from the last deck back, presentation views: `diapo.site.helper`), so the
  core count is printed with the figures;
- the live-reload rebuild after one deck changes (`invoke serve` rebuilds dirty: only the
  changed deck's pages and presentation view), against the full build (floor: under 1 s).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from diapo.site import commands, decks, helper

DECKS, SLIDES, RUNS = 30, 40, 4
FLOOR = 1.25  # the issue "One parse, one model"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e5270ed30000000049454e44ae426082"
)

# The same theme and Markdown extensions for both builds; only the diapo plugin differs.
BASE_CONFIG = {
    "site_name": "Banc d'essai",
    "theme": {"name": "material", "language": "fr", "font": False,
              "features": ["content.code.copy"]},
    "markdown_extensions": ["attr_list", "md_in_html", "admonition", "pymdownx.details",
                            "pymdownx.superfences", "pymdownx.highlight"],
    "plugins": [{"search": {"lang": "fr"}}],
}


def write_config(root: Path, *, diapo: bool) -> None:
    """mkdocs.yml of a benchmark project, with or without the diapo plugin."""
    config = dict(BASE_CONFIG, plugins=BASE_CONFIG["plugins"] + (["diapo"] if diapo else []))
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def _slide(deck: int, number: int) -> str:
    """One slide in the style of the course: sections, lists, layout, images, demos, notes."""
    other = (deck + 1) % DECKS
    parts = [
        f"## Partie {number // 10 + 1}",
        "",
        f"### Diapositive {number} du cours {deck}",
        "",
        f"Du texte avec du **gras**, de l'*italique*, du `code` et un "
        f"[lien vers le cours {other}](cours-{other:02d}.html#{number}).",
        "",
        "- Premier point de la liste",
        "- Deuxième point, plus long, pour remplir la diapositive comme un vrai cours",
        "- Troisième point avec un [lien externe](https://kubernetes.io/docs/)",
        "",
    ]
    if number % 4 == 0:
        parts += ['<div class="left">', "", "![h:200px](img/schema.png)", "", "</div>", "",
                  '<div class="right">', "", "Un texte à droite de l'image.", "", "</div>", ""]
    if number % 5 == 0:
        parts += ["```bash demo", "kubectl get pods -o wide", "```", "",
                  "```text expect", "NAME   READY   STATUS    RESTARTS   AGE", "...", "```", ""]
    if number % 3 == 0:
        parts += ["```yaml", "apiVersion: v1", "kind: Pod", "metadata:", "  name: whoami",
                  "```", ""]
    parts.append(f"<!-- Note du présentateur pour la diapositive {number}. -->")
    return "\n".join(parts)


def generate(root: Path) -> None:
    """A course of DECKS decks of SLIDES slides each, with its images."""
    docs = root / "docs"
    (docs / "img").mkdir(parents=True)
    (docs / "img" / "schema.png").write_bytes(PNG)
    for deck in range(DECKS):
        slides = [f"# Cours {deck}\n\nSommaire du cours {deck}."]
        slides += [_slide(deck, n) for n in range(2, SLIDES + 1)]
        front = f"---\ntitle: Cours {deck}\npaginate: true\n---\n\n"
        (docs / f"cours-{deck:02d}.md").write_text(front + "\n\n---\n\n".join(slides) + "\n",
                                                  encoding="utf-8")
    (docs / "introduction.md").write_text("# Introduction\n\n---\n\n## Plan\n", encoding="utf-8")


def best(*actions: Callable[[], object], runs: int = RUNS) -> list[float]:
    """The best wall time of each action over `runs` rounds, in seconds.

    Rounds interleave the actions, so a change of machine load hits them alike.
    """
    times: list[list[float]] = [[] for _ in actions]
    for _ in range(runs):
        for action, measured in zip(actions, times):
            start = time.perf_counter()
            action()
            measured.append(time.perf_counter() - start)
    return [min(measured) for measured in times]


def main() -> None:
    logging.getLogger("mkdocs").setLevel(logging.ERROR)  # keep the figures readable
    with tempfile.TemporaryDirectory(prefix="diapo-bench-") as tmp:
        plain_root, diapo_root = Path(tmp) / "plain", Path(tmp) / "diapo"
        generate(plain_root)
        shutil.copytree(plain_root / "docs", diapo_root / "docs")
        write_config(plain_root, diapo=False)
        write_config(diapo_root, diapo=True)

        def plain() -> None:
            mkdocs_build(load_config(str(plain_root / "mkdocs.yml")))

        def full() -> None:
            decks.clear()  # a cold build: nothing parsed yet
            commands.build(root=diapo_root)

        plain_time, full_time = best(plain, full)

        changed = diapo_root / "docs" / "cours-07.md"
        original = changed.read_text(encoding="utf-8")

        def one_deck_changed() -> None:
            changed.write_text(original + f"\n\nModifié à {time.time()}.\n", encoding="utf-8")
            commands.build(root=diapo_root, strict=False, dirty=True)  # as `invoke serve`

        commands.build(root=diapo_root)  # warm: the state `invoke serve` has after its first build
        (reload_time,) = best(one_deck_changed)
        rebuilt = (diapo_root / "site" / "cours-07" / "index.html").read_text(encoding="utf-8")
        assert "Modifié à" in rebuilt, "the dirty rebuild did not rebuild the changed deck"

    ratio = full_time / plain_time
    print(f"course: {DECKS} decks x {SLIDES} slides (best of {RUNS}, {helper.cores()} cores)")
    print(f"plain mkdocs build (baseline)   {plain_time:7.2f} s   1.00")
    print(f"invoke build (diapo plugin)     {full_time:7.2f} s   {ratio:4.2f}x  "
          f"(floor <= {FLOOR}: {'ok' if ratio <= FLOOR else 'MISSED'})")
    print(f"live reload, one deck changed   {reload_time:7.2f} s   "
          f"{reload_time / plain_time:4.2f}x  "
          f"(floor < 1 s: {'ok' if reload_time < 1 else 'MISSED'})")


if __name__ == "__main__":
    main()
