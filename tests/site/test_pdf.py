"""PDF export: one 16:9 page per slide with backgrounds and images, and the handout with notes.
Pages are checked with poppler (`pdfinfo`, `pdftoppm`, `pdftotext`)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from browser import site  # noqa: F401 (fixture)

from diapo.errors import DiapoError
from diapo.site import pdf

pytestmark = pytest.mark.browser

DECK = """
    ---
    paginate: true
    ---

    # Première

    ![w:400px](img/rouge.png)

    <!-- Note pour la diapo un : parler lentement. -->

    ---

    ![bg](img/bleu.png)

    # Fond bleu

    ---

    <!-- _backgroundColor: rgb(0, 160, 0) -->

    # Troisième

    * fragment caché à l'écran, imprimé en PDF
    """


def pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def page_pixels(path: Path, page: int, tmp: Path, dpi: int = 20) -> tuple[int, int, bytes]:
    """(width, height, RGB bytes) of one page rendered by pdftoppm as a binary PPM."""
    prefix = tmp / f"page{page}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    str(path), str(prefix)], check=True)
    data = prefix.with_suffix(".ppm").read_bytes()
    magic, width, height, maxval, pixels = re.match(rb"(P6)\s+(\d+)\s+(\d+)\s+(\d+)\s(.*)", data,
                                                    re.S).groups()
    return int(width), int(height), pixels


def count(pixels: bytes, test) -> int:
    return sum(1 for i in range(0, len(pixels), 3) if test(pixels[i], pixels[i + 1], pixels[i + 2]))


def red(r, g, b):
    return r > 180 and g < 80 and b < 80


def blue(r, g, b):
    return b > 150 and r < 60 and g < 80


def green(r, g, b):
    return g > 120 and r < 40 and b < 40


def test_slides_pdf_one_page_per_slide_with_images_and_backgrounds(site, tmp_path):
    site.image("img/rouge.png", (220, 20, 20), (200, 100))
    site.image("img/bleu.png", (10, 30, 200), (64, 36))
    site.deck("cours", DECK)
    printed = pdf.print_decks(site.site, ["cours"], handout=False)
    assert [p.path for p in printed] == [site.site / "pdf" / "cours.pdf"]
    info = pdfinfo(printed[0].path)
    assert int(info["Pages"]) == 3
    width, height = (float(x) for x in re.findall(r"[\d.]+", info["Page size"])[:2])
    assert abs(width / height - 16 / 9) < 0.01  # 1280x720 CSS px = 960x540 pt
    # page 1: the red image (400x200 px: 8.7% of a 1280x720 page) is there, not blank
    w, h, pixels = page_pixels(printed[0].path, 1, tmp_path)
    assert 0.07 * w * h < count(pixels, red) < 0.11 * w * h
    # page 2: the blue `bg` image covers the slide; page 3: the background colour is printed
    w, h, pixels = page_pixels(printed[0].path, 2, tmp_path)
    assert count(pixels, blue) > 0.8 * w * h
    w, h, pixels = page_pixels(printed[0].path, 3, tmp_path)
    assert count(pixels, green) > 0.8 * w * h
    text = subprocess.run(["pdftotext", "-f", "3", "-l", "3", str(printed[0].path), "-"],
                          check=True, capture_output=True, text=True).stdout
    assert "fragment caché à l'écran" in text.replace("’", "'")  # every fragment printed
    assert re.search(r"(?m)^\s*3\s*$", text)  # the pagination (marp-core's default: the number)


def test_handout_has_slide_and_its_notes(site, tmp_path):
    site.image("img/rouge.png", (220, 20, 20), (200, 100))
    site.image("img/bleu.png", (10, 30, 200), (64, 36))
    site.deck("cours", DECK)
    printed = pdf.print_decks(site.site, ["cours"], handout=True)
    handout = site.site / "pdf" / "cours-notes.pdf"
    assert [p.path for p in printed] == [site.site / "pdf" / "cours.pdf", handout]
    info = pdfinfo(handout)
    assert int(info["Pages"]) == 3
    assert "A4" in info["Page size"]
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(handout), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "Diapositive 1" in text and "Première" in text
    assert "Note pour la diapo un : parler lentement." in text
    w, h, pixels = page_pixels(handout, 1, tmp_path)
    assert count(pixels, red) > 0.02 * w * h  # the slide's image, scaled down on the page


def test_missing_presentation_is_a_clear_error(site):
    with pytest.raises(DiapoError,
                       match="pas de vue de présentation .*absent.html : construisez d'abord"):
        pdf.print_decks(site.site, ["absent"], handout=False)


def test_invoke_pdf_builds_the_site_first_then_prints(make_project):
    project = make_project(presentation=True)
    project.write("docs/cours.md", "# Un\n\n---\n\n# Deux\n\n<!-- une note -->\n")
    assert not (project.site / "cours.html").exists()
    assert pdf.run(deck="docs/cours.md", handout=True, root=project.root) == 0
    assert int(pdfinfo(project.site / "pdf" / "cours.pdf")["Pages"]) == 2
    assert int(pdfinfo(project.site / "pdf" / "cours-notes.pdf")["Pages"]) == 2
    with pytest.raises(DiapoError, match=r"deck « absent » introuvable dans docs/ ; decks : cours"):
        pdf.run(deck="absent", root=project.root)


def test_browser_print_of_the_audience_view_gives_one_slide_per_page(site):
    """What a lecturer gets with Ctrl+P: the page's own @page size, every slide, all fragments."""
    from playwright.sync_api import sync_playwright

    site.image("img/rouge.png", (220, 20, 20), (200, 100))
    site.image("img/bleu.png", (10, 30, 200), (64, 36))
    page_path = site.deck("cours", DECK)
    out = site.root / "print.pdf"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=pdf.CHROMIUM, args=pdf.CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(page_path.as_uri() + "#2")
            page.wait_for_function("() => document.body.dataset.slide === '2'")
            page.pdf(path=str(out), prefer_css_page_size=True, print_background=True)
        finally:
            browser.close()
    info = pdfinfo(out)
    assert int(info["Pages"]) == 3
    assert re.match(r"\s*960 x 540 pts", info["Page size"])
    text = subprocess.run(["pdftotext", str(out), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "Première" in text and "fragment caché" in text
