"""`invoke pdf [DECK]`: print presentation views to PDF with Debian's headless Chromium.

Each deck gives two files under `<site>/pdf/`: `<deck>.pdf`, one page per slide at the
slide's own size (1280x720 CSS px for 16:9) with backgrounds and images, every fragment shown;
and `<deck>-notes.pdf`, the handout: one A4 page per slide with the slide on top and its
presenter notes below. The page is opened with `?print` / `?handout` (see presentation.js),
which waits until every image is loaded (`window.diapoReady`) before printing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from diapo.errors import DiapoError
from diapo.site import commands

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
READY_TIMEOUT_MS = 60_000


@dataclass
class Printed:
    """One PDF written."""

    deck: str
    path: Path
    pages: int
    handout: bool


def run(deck: str | None = None, handout: bool = True, *, root: Path | None = None) -> int:
    """Print `deck` (every deck when None) to `<site>/pdf/`; builds the site first if a
    presentation is missing or older than its deck. Returns 0."""
    from rich.console import Console

    from diapo.project import Project

    project = Project.find(root)
    site_dir = project.site_dir
    decks = project.decks([deck] if deck is not None else None)
    if any(_stale(site_dir / f"{d.name}.html", d.path) for d in decks):
        commands.build(strict=False, root=project.root)
    console = Console()
    for printed in print_decks(site_dir, [d.name for d in decks], handout=handout):
        kind = "polycopié" if printed.handout else "diapositives"
        console.print(f"[green]✓[/] {printed.path} ({printed.pages} pages, {kind})")
    return 0


pdf = run  # the name the issue uses: `pdf(deck, handout) -> int`


def print_decks(site_dir: Path, names: list[str], *, handout: bool = True,
                out_dir: Path | None = None) -> list[Printed]:
    """Print the built presentations `<site_dir>/<name>.html` to `<out_dir>` (default
    `<site_dir>/pdf`); one slides PDF per deck, plus the handout if `handout`."""
    try:
        from playwright.sync_api import Error as PlaywrightError, sync_playwright
    except ImportError:
        raise DiapoError("l'export PDF demande Playwright : pip install playwright") from None
    if not Path(CHROMIUM).exists():
        raise DiapoError(f"l'export PDF demande le Chromium de Debian ({CHROMIUM}) : "
                         "apt-get install chromium")
    out_dir = out_dir or site_dir / "pdf"
    printed: list[Printed] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                for name in names:
                    html = site_dir / f"{name}.html"
                    if not html.is_file():
                        raise DiapoError(f"pas de vue de présentation {html} : construisez "
                                         "d'abord le site (invoke build)")
                    printed.append(_print(page, name, html, out_dir / f"{name}.pdf", handout=False))
                    if handout:
                        printed.append(_print(page, name, html, out_dir / f"{name}-notes.pdf",
                                              handout=True))
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise DiapoError(f"échec de Chromium pendant l'impression : "
                         f"{exc.message.splitlines()[0]}") from None
    return printed


def _print(page, name: str, html: Path, out: Path, *, handout: bool) -> Printed:  # type: ignore[no-untyped-def]
    """Open `html` in print (or handout) mode, wait for its images, write the PDF."""
    mode = "handout" if handout else "print"
    page.goto(f"{html.resolve().as_uri()}?{mode}")
    page.wait_for_function("() => window.diapoReady !== undefined", timeout=READY_TIMEOUT_MS)
    slides = int(page.evaluate("() => window.diapoReady") or 0)  # awaits the images
    out.parent.mkdir(parents=True, exist_ok=True)
    if handout:
        page.pdf(path=str(out), format="A4", print_background=True,
                 margin={"top": "15mm", "bottom": "15mm", "left": "15mm", "right": "15mm"})
    else:
        width, height = page.evaluate(
            "() => [document.body.dataset.width, document.body.dataset.height]")
        page.pdf(path=str(out), width=f"{width}px", height=f"{height}px", print_background=True,
                 margin={"top": "0", "bottom": "0", "left": "0", "right": "0"})
    return Printed(name, out, slides, handout)


def _stale(html: Path, source: Path) -> bool:
    """Whether the presentation view must be (re)built from its deck."""
    return not html.is_file() or html.stat().st_mtime < Path(source).stat().st_mtime
