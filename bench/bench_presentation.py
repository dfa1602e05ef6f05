"""Presentation view and PDF: cost of diapo's slide rendering against plain Markdown.

On the generated course of `bench_build` (30 decks x 40 slides), all measured in this run:
- writing every presentation view (`diapo.site.presentation.write`: Marp DOM, fragments,
  image keywords, highlighted code, scoped theme, badges) against a plain markdown-it render
  of the same decks, configured as marp-core's (the baseline: the parser alone);
- printing one deck to PDF with headless Chromium (`diapo.site.pdf`), against Chromium printing
  the plain Markdown HTML of the same deck, one page per slide (the baseline).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.bench_build import DECKS, SLIDES, best, generate
from diapo.deck import load_decks
from diapo.site import pdf, presentation
from diapo.site.slides_html import new_markdown


def _plain_page(text: str) -> str:
    """The deck as plain HTML, one printed page per slide (`---` splits)."""
    md = new_markdown()
    pages = [md.render(part) for part in text.split("\n---\n")]
    body = "".join(f'<div style="break-after: page">{page}</div>' for page in pages)
    return f"<!DOCTYPE html><html><meta charset='utf-8'><body>{body}</body></html>"


def _print_plain(html: Path, out: Path) -> None:
    """Chromium printing a plain page, launched the way diapo launches it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=pdf.CHROMIUM, args=pdf.CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(html.as_uri())
        page.pdf(path=str(out), width="1280px", height="720px", print_background=True)
        browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="diapo-bench-pres-") as tmp:
        root = Path(tmp)
        generate(root)
        site = root / "site"
        decks = [d for d in load_decks(root / "docs") if d.name.startswith("cours-")]
        texts = [d.path.read_text(encoding="utf-8") for d in decks]

        md = new_markdown()

        def plain() -> None:
            for text in texts:
                md.render(text)

        def views() -> None:
            for deck in decks:
                presentation.write(deck, site_dir=site)

        plain_time, views_time = best(plain, views)

        # PDF of one deck (browser launch included) against the same for plain HTML
        plain_html = site / "plain.html"
        plain_html.write_text(_plain_page(texts[0]), encoding="utf-8")
        printed: list = []
        (deck_pdf,) = best(lambda: printed.extend(pdf.print_decks(site, [decks[0].name],
                                                               handout=False)), runs=2)
        (plain_pdf,) = best(lambda: _print_plain(plain_html, root / "plain.pdf"), runs=2)
        assert printed[0].pages == SLIDES, printed

    slides = DECKS * SLIDES
    print(f"course: {DECKS} decks x {SLIDES} slides (best of 3)")
    print(f"plain markdown-it render (baseline)  {plain_time:6.2f} s   1.00")
    print(f"presentation views (write)           {views_time:6.2f} s   {views_time / plain_time:4.2f}x"
          f"   ({views_time / slides * 1000:.2f} ms per slide)")
    print(f"PDF of plain HTML, {SLIDES} pages (baseline)  {plain_pdf:6.2f} s   1.00")
    print(f"PDF of one deck, {SLIDES} slides            {deck_pdf:6.2f} s   {deck_pdf / plain_pdf:4.2f}x"
          f"   (browser start included in both)")


if __name__ == "__main__":
    main()
