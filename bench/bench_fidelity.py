"""Fidelity: do diapo's slides look like marp-cli's? `python -m bench fidelity`.

Every slide of a corpus is drawn twice and compared with SSIM on grey images (640x360 for
16:9 slides, 480x360 for 4:3):
- the reference: marp-cli 4.5's PNG export of the deck (`tests/fidelity/node_modules`, made
  with `npm ci` there; Node is needed only here, never to build a site), run offline with
  Debian's Chromium; PNGs are cached under tests/fidelity/out/ keyed by the decks, themes and
  marp-cli version;
- diapo: the presentation view, built with the real MkDocs + Material, screenshot in Chromium
  through Playwright at the slide's size.
The baseline, measured in the same run, is marp-cli's own HTML (bare template) captured the
same way against its PNGs: the ceiling the method allows. Two corpora: our own decks
(tests/fidelity/corpus: every theme and class, directives, image keywords, code, tables,
two-column HTML, overflowing slides, 16:9 and 4:3) and this course's docs/ decks with its
theme/. Printed: mean and worst SSIM per deck, per theme and overall, and the ratio to the
baseline; side-by-side PNGs of the worst slides go to tests/fidelity/out/worst/.

`python -m bench.bench_fidelity --update-references` rewrites the grey reference images the
test (tests/site/test_fidelity.py) holds diapo to.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIDELITY = ROOT / "tests" / "fidelity"
CORPUS = FIDELITY / "corpus"
REFERENCES = FIDELITY / "reference"  # committed grey references (test_fidelity.py)
OUT = FIDELITY / "out"  # cache and side-by-side images (gitignored)
MARP = FIDELITY / "node_modules" / ".bin" / "marp"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
GREY_HEIGHT = 360  # SSIM on grey images 640x360 (16:9) / 480x360 (4:3)
MKDOCS_YML = """\
site_name: Fidélité
theme: {{name: material, language: fr, font: false}}
plugins: [{{diapo: {{home_deck: {home}, report: .diapo/none.json}}}}]
"""
_FRONT_THEME = re.compile(r"^theme:\s*['\"]?([\w.-]+)", re.M)


@dataclass
class Slide:
    """One slide compared: which deck, its number (1-based), theme and score."""

    deck: str
    number: int
    theme: str
    ssim: float


# --------------------------------------------------------------------------- images


def grey(image, width: int | None = None):  # noqa: ANN001 (PIL image or path)
    """The image as a grey numpy array, downscaled to GREY_HEIGHT pixels high."""
    import numpy as np
    from PIL import Image

    img = image if hasattr(image, "convert") else Image.open(image)
    img = img.convert("L")
    width = width or round(img.width * GREY_HEIGHT / img.height)
    return np.asarray(img.resize((width, GREY_HEIGHT), Image.LANCZOS), dtype=np.float64)


def ssim(a, b) -> float:  # noqa: ANN001 (numpy arrays of one shape)
    """Structural similarity of two grey images (scikit-image, 0..255 range)."""
    from skimage.metrics import structural_similarity

    return float(structural_similarity(a, b, data_range=255))


def side_by_side(left: Path, right_png: bytes, out: Path, label: str) -> None:
    """marp-cli's slide (left) and diapo's (right), half size, for eyes."""
    import io

    from PIL import Image, ImageDraw

    a = Image.open(left).convert("RGB")
    b = Image.open(io.BytesIO(right_png)).convert("RGB").resize(a.size)
    w, h = a.width // 2, a.height // 2
    canvas = Image.new("RGB", (2 * w + 10, h + 28), (40, 40, 40))
    canvas.paste(a.resize((w, h)), (0, 28))
    canvas.paste(b.resize((w, h)), (w + 10, 28))
    ImageDraw.Draw(canvas).text((6, 6), f"{label}   gauche : marp-cli   droite : diapo",
                                fill=(255, 255, 255))
    out.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(out)


# --------------------------------------------------------------------------- marp-cli


def decks_of(folder: Path) -> list[Path]:
    """The decks of a folder (any depth), in name order."""
    return sorted(p for p in folder.rglob("*.md") if "node_modules" not in p.parts)


def deck_name(path: Path, folder: Path) -> str:
    return path.relative_to(folder).with_suffix("").as_posix()


def theme_of(path: Path) -> str:
    """The theme a deck's front-matter names (marp-cli's default otherwise)."""
    text = path.read_text(encoding="utf-8")
    front = text.split("\n---", 1)[0] if text.startswith("---") else ""
    match = _FRONT_THEME.search(front)
    return match.group(1) if match else "default"


def _key(folder: Path, theme_set: list[Path]) -> str:
    """Cache key: every file of the corpus and themes, and marp-cli's version."""
    digest = hashlib.sha256()
    version = (FIDELITY / "node_modules/@marp-team/marp-cli/package.json").read_text()
    digest.update(json.loads(version)["version"].encode())
    for base in (folder, *theme_set):
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            digest.update(str(path.relative_to(base.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def marp_render(folder: Path, theme_set: list[Path], *, html: bool = False) -> Path:
    """marp-cli's PNGs (or bare HTML) of every deck in `folder`, cached; returns the folder
    holding `<deck>.NNN.png` (or `<deck>.html`)."""
    if not MARP.exists():
        raise SystemExit(f"marp-cli absent : lancez `npm ci` dans {FIDELITY}")
    out = OUT / "marp" / (_key(folder, theme_set) + ("-html" if html else ""))
    if (out / "done").exists():
        return out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    env = {**os.environ, "CHROME_PATH": CHROMIUM, "LANG": "fr_FR.UTF-8"}
    themes = [a for t in theme_set for a in ("--theme-set", str(t))]
    mode = ["--template", "bare"] if html else ["--images", "png"]
    for deck in decks_of(folder):
        target = out / (deck_name(deck, folder) + (".html" if html else ".png"))
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(MARP), "--no-stdin", "--html", "--allow-local-files", *themes, *mode,
                        str(deck), "-o", str(target)], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
    if html:  # the bare HTML loads the decks' images relative to their folder
        for item in folder.iterdir():
            if item.is_dir():
                shutil.copytree(item, out / item.name, dirs_exist_ok=True)
    (out / "done").write_text("ok")
    return out


def marp_pngs(out: Path, name: str) -> list[Path]:
    """marp-cli's PNGs of deck `name`, slide order (a one-slide deck has no number)."""
    single = out / f"{name}.png"
    numbered = sorted(out.glob(f"{glob_escape(name)}.[0-9][0-9][0-9].png"))
    return numbered or ([single] if single.exists() else [])


def glob_escape(text: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", text)


# --------------------------------------------------------------------------- diapo


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """`directory` over HTTP on loopback (random port)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def build_site(folder: Path, theme_dir: Path | None, project: Path) -> Path:
    """The course `folder` (decks, images, CSS) built by diapo with MkDocs into project/site."""
    from diapo.site import commands

    shutil.copytree(folder, project / "docs", ignore=shutil.ignore_patterns("node_modules"))
    if theme_dir:
        shutil.copytree(theme_dir, project / "theme")
    names = [deck_name(d, folder) for d in decks_of(folder)]
    home = "introduction" if "introduction" in names else names[0]
    (project / "mkdocs.yml").write_text(MKDOCS_YML.format(home=home), encoding="utf-8")
    if commands.build(strict=False, root=project) != 0:
        raise SystemExit(f"la construction du site de {folder} a échoué")
    return project / "site"


_READY = """async () => {
  await document.fonts.ready;
  await Promise.all([...document.images].map(i => i.complete ? 0 : new Promise(r => {
    i.onload = i.onerror = r; })));
  // two frames: the view's own fitting (headings, code) after the fonts has run and painted
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return true;
}"""
_SHOW_ALL = """#diapo-bar { display: none !important; }
[data-diapo-fragment="hidden"] { visibility: visible !important; }"""


def _browser(playwright):  # noqa: ANN001
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def diapo_shots(site: Path, names: list[str]) -> dict[str, list[bytes]]:
    """PNG screenshots of every slide of each deck's presentation view."""
    from playwright.sync_api import sync_playwright

    shots: dict[str, list[bytes]] = {}
    with serve(site) as url, sync_playwright() as playwright:
        browser = _browser(playwright)
        for name in names:
            html = (site / f"{name}.html").read_text(encoding="utf-8")
            width = int(re.search(r'data-width="(\d+)"', html).group(1))
            height = int(re.search(r'data-height="(\d+)"', html).group(1))
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{url}/{name}.html#1")
            page.add_style_tag(content=_SHOW_ALL)
            page.evaluate(_READY)
            count = page.locator(".diapo-slot").count()
            shots[name] = []
            for index in range(count):
                page.evaluate(f"location.hash = '#{index + 1}'")
                current = page.locator(f'.diapo-slot.diapo-current[data-index="{index}"]')
                current.wait_for(state="visible", timeout=10_000)
                page.evaluate(_READY)
                shots[name].append(current.locator(".diapo-frame").screenshot(animations="disabled"))
            page.close()
        browser.close()
    return shots


def marp_html_shots(folder: Path, names: list[str]) -> dict[str, list[bytes]]:
    """Screenshots of marp-cli's own bare HTML, one per slide (the baseline's capture)."""
    from playwright.sync_api import sync_playwright

    shots: dict[str, list[bytes]] = {}
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        for name in names:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto((folder / f"{name}.html").as_uri())
            box = page.locator("svg[data-marpit-svg]").first.get_attribute("viewBox").split()
            page.set_viewport_size({"width": int(box[2]), "height": int(box[3])})
            page.evaluate(_READY)
            svgs = page.locator("svg[data-marpit-svg]")
            shots[name] = [svgs.nth(i).screenshot() for i in range(svgs.count())]
            page.close()
        browser.close()
    return shots


# --------------------------------------------------------------------------- comparison


def compare(folder: Path, theme_set: list[Path], theme_dir: Path | None, *,
            worst: int = 0, baseline: bool = False) -> tuple[list[Slide], list[Slide]]:
    """Every slide of the decks in `folder`: diapo against marp-cli (and, if `baseline`,
    marp-cli's HTML against its PNG). Writes the `worst` worst slides side by side."""
    import io

    from PIL import Image

    refs = marp_render(folder, theme_set)
    decks = decks_of(folder)
    names = [deck_name(d, folder) for d in decks]
    themes = {deck_name(d, folder): theme_of(d) for d in decks}
    with tempfile.TemporaryDirectory(prefix="diapo-fidelity-") as tmp:
        site = build_site(folder, theme_dir, Path(tmp))
        shots = diapo_shots(site, names)
    slides, base = [], []
    html_shots = marp_html_shots(marp_render(folder, theme_set, html=True), names) if baseline else {}
    for name in names:
        pngs = marp_pngs(refs, name)
        if len(pngs) != len(shots[name]):
            raise SystemExit(f"{name} : {len(pngs)} diapositives chez marp-cli, "
                             f"{len(shots[name])} chez diapo")
        for number, (png, shot) in enumerate(zip(pngs, shots[name]), start=1):
            ref = grey(png)
            mine = grey(Image.open(io.BytesIO(shot)), ref.shape[1])
            slides.append(Slide(name, number, themes[name], ssim(ref, mine)))
            if baseline:
                theirs = grey(Image.open(io.BytesIO(html_shots[name][number - 1])), ref.shape[1])
                base.append(Slide(name, number, themes[name], ssim(ref, theirs)))
    for slide in sorted(slides, key=lambda s: s.ssim)[:worst]:
        png = marp_pngs(refs, slide.deck)[slide.number - 1]
        out = OUT / "worst" / f"{slide.ssim:.3f}-{slide.deck.replace('/', '_')}-{slide.number}.png"
        side_by_side(png, shots[slide.deck][slide.number - 1], out,
                     f"{slide.deck} #{slide.number}  SSIM {slide.ssim:.3f}")
    return slides, base


def summary(title: str, slides: list[Slide], base: list[Slide] | None = None) -> None:
    """Mean and worst SSIM per deck, per theme and overall (and against the baseline)."""

    def line(label: str, group: list[Slide]) -> str:
        scores = [s.ssim for s in group]
        low = min(group, key=lambda s: s.ssim)
        return (f"  {label:<28} {len(scores):>3} diapos  moyenne {sum(scores) / len(scores):.4f}"
                f"  pire {low.ssim:.4f} (#{low.number} {low.deck})")

    print(f"-- {title}")
    for key, label in (("deck", "par présentation"), ("theme", "par thème")):
        print(f" {label} :")
        for value in sorted({getattr(s, key) for s in slides}):
            print(line(value, [s for s in slides if getattr(s, key) == value]))
    print(line("ENSEMBLE", slides))
    below = [s for s in slides if s.ssim < 0.93]
    print(f"  diapositives sous 0.93 : {len(below)}"
          + "".join(f"\n    {s.deck} #{s.number} : {s.ssim:.4f}" for s in below))
    if base:
        mean = sum(s.ssim for s in slides) / len(slides)
        ceiling = sum(s.ssim for s in base) / len(base)
        print(line("référence : HTML de marp-cli", base))
        print(f"  ratio diapo / HTML de marp-cli : {mean / ceiling:.4f}")


def build_times(folder: Path, runs: int = 3) -> tuple[float, float]:
    """Best-of-`runs` seconds: diapo's build of the corpus, and a plain `mkdocs build` of the
    same files (Material, no diapo plugin: the baseline)."""
    import logging
    import time

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from diapo.site import commands

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    diapo_best = plain_best = float("inf")
    with tempfile.TemporaryDirectory(prefix="diapo-fidelity-time-") as tmp:
        project = Path(tmp)
        shutil.copytree(folder, project / "docs")
        plain = project / "plain.yml"
        plain.write_text("site_name: Fidélité\ntheme: {name: material, language: fr, font: false}\n"
                         "plugins: []\n")  # as the diapo build: no search index either
        names = [deck_name(d, folder) for d in decks_of(folder)]
        (project / "mkdocs.yml").write_text(MKDOCS_YML.format(home=names[0]), encoding="utf-8")
        for _ in range(runs):
            start = time.perf_counter()
            commands.build(strict=False, root=project)
            diapo_best = min(diapo_best, time.perf_counter() - start)
            start = time.perf_counter()
            mkdocs_build(load_config(config_file=str(plain), site_dir=str(project / "plain")))
            plain_best = min(plain_best, time.perf_counter() - start)
    return diapo_best, plain_best


def update_references(slides_dir: Path = CORPUS) -> None:
    """Rewrite the committed grey references from marp-cli's PNGs of the corpus."""
    from PIL import Image

    refs = marp_render(slides_dir, [slides_dir])
    shutil.rmtree(REFERENCES, ignore_errors=True)
    REFERENCES.mkdir(parents=True)
    for deck in decks_of(slides_dir):
        name = deck_name(deck, slides_dir)
        for number, png in enumerate(marp_pngs(refs, name), start=1):
            image = Image.fromarray(grey(png).round().astype("uint8"))
            image.save(REFERENCES / f"{name.replace('/', '_')}.{number:03d}.png", optimize=True)


def main() -> None:
    if not MARP.exists():  # Node is only for references: say how to get them, run the rest
        print(f"  marp-cli absent : lancez `npm ci` dans {FIDELITY.relative_to(ROOT)} "
              "pour mesurer la fidélité")
        return
    if "--update-references" in sys.argv:
        update_references()
        print(f"références réécrites dans {REFERENCES}")
        return
    slides, base = compare(CORPUS, [CORPUS], None, worst=8, baseline=True)
    summary(f"corpus de fidélité ({CORPUS.relative_to(ROOT)})", slides, base)
    mine, plain = build_times(CORPUS)
    print(f"  construction du corpus : diapo {mine:.2f} s, mkdocs build seul {plain:.2f} s, "
          f"ratio {mine / plain:.2f}")
    docs, _ = compare(ROOT / "docs", [ROOT / "theme"], ROOT / "theme", worst=4)
    summary("présentations du cours (docs/, thème theme/)", docs)
    print(f"  côte à côte des pires diapositives : {(OUT / 'worst').relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
