"""A Marp course written for marp-cli, built unchanged with a minimal mkdocs.yml (strict).

The fixture (fixtures/marp_course/slides) is what `marp --html -I slides/ -o public/` takes:
a home deck `index.md` (marp-cli writes it to `index.html`), footers linking `./#2`, cross
links `origines.html`, `principes.html#4`, `origines.md`, a sub-folder deck linking `../#2` and
`../principes.md#2`, its own theme `@import 'default'`. Every link form must resolve with
no warning; a broken one must still fail with file and line.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from browser import chromium, context, page, serve  # noqa: F401 (fixtures)
from playwright.sync_api import expect
from sitekit import Project

from diapo.errors import DiapoError

SLIDES = Path(__file__).parent / "fixtures" / "marp_course" / "slides"
MINIMAL = "site_name: Atelier Git\ntheme:\n  name: material\nplugins:\n  - diapo\n"


def marp_course(root: Path, mkdocs_yml: str = MINIMAL) -> Project:
    """The course copied into docs/ as it is, with a minimal mkdocs.yml."""
    project = Project(root)
    shutil.copytree(SLIDES, project.docs)
    project.write("mkdocs.yml", mkdocs_yml)  # the theme stays next to the decks
    return project


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = marp_course(tmp_path_factory.mktemp("marp-course"))
    project.build(strict=True)  # any MkDocs warning would fail it
    return project


def hrefs(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]*)"', html))


def test_home_deck_is_the_site_root_like_marp_cli(built: Project) -> None:
    root = built.html("index.html")
    assert '<meta name="generator" content="diapo">' in root  # the presentation view
    assert root.count('class="diapo-slot"') == 3
    reading = built.html("index/index.html")  # its reading page
    assert 'class="diapo-slide-bar" id="3"' in reading
    assert 'href="../index.html#2"' in reading  # present slide 2: the site root


def test_the_course_theme_beside_the_decks_styles_the_slides(built: Project) -> None:
    theme = (built.site / "assets" / "diapo" / "theme-atelier.css").read_text(encoding="utf-8")
    assert "#fdfaf3" in theme and "grid-template-columns" in theme  # atelier.css
    assert 'href="assets/diapo/theme-atelier.css"' in built.html("index.html")


def test_every_deck_has_both_views(built: Project) -> None:
    for name in ("origines", "principes", "pratique/branches"):
        assert (built.site / f"{name}.html").is_file(), name
        assert (built.site / name / "index.html").is_file(), name


def test_links_between_decks_reach_the_presentation_views(built: Project) -> None:
    home = hrefs(built.html("index.html"))
    assert {"origines.html", "principes.html#4", "principes.html#les-trois-zones",
            "pratique/branches.html", "./#2"} <= home
    assert "origines.html" in home and "origines.md" not in home  # `.md`: the presentation
    branches = hrefs(built.html("pratique/branches.html"))
    assert {"../#2", "../principes.html#4", "../index.html", "../principes.html#2"} <= branches


def test_links_between_decks_reach_the_reading_pages(built: Project) -> None:
    home = hrefs(built.html("index/index.html"))
    assert {"../origines/", "../principes/#4", "../principes/#les-trois-zones",
            "../pratique/branches/"} <= home
    principes = hrefs(built.html("principes/index.html"))
    assert {"../origines/#2", "../index/#2"} <= principes
    branches = hrefs(built.html("pratique/branches/index.html"))
    assert {"../../principes/#4", "../../index/", "../../principes/#2"} <= branches


def test_reading_pages_show_math_emoji_and_fit_headings(built: Project) -> None:
    principes = built.html("principes/index.html")
    assert 'id="les-principes"' in principes and "fit" not in principes.split("<h1", 1)[1][:80]
    assert principes.count('<math xmlns="http://www.w3.org/1998/Math/MathML"') == 2
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in principes
    assert "$O(" not in principes and "$$" not in principes
    origines = built.html("origines/index.html")
    assert '<span class="diapo-emoji" role="img" aria-label=":rocket:">🚀</span>' in origines
    slides = built.html("principes.html")  # the same on the slides
    assert slides.count("<math") == 2 and 'data-diapo-fit=""' in slides


def test_without_directory_urls_the_views_keep_their_places(tmp_path: Path) -> None:
    project = marp_course(tmp_path, MINIMAL + "use_directory_urls: false\n")
    project.build(strict=True)
    assert '<meta name="generator" content="diapo">' in project.html("origines.html")
    reading = project.html("origines/index.html")
    assert 'class="diapo-slide-bar" id="2"' in reading
    assert "../principes/index.html" in reading  # MkDocs' own file URLs for reading pages


@pytest.mark.parametrize(("link", "message"), [
    ("[x](./#9)", "la diapositive #9 n'existe pas : le deck « index » a 3 diapositives"),
    ("[x](index.html#0)", "la diapositive #0 n'existe pas : le deck « index » a 3 diapositives"),
    ("[x](principes.html#12)",
     "la diapositive #12 n'existe pas : le deck « principes » a 4 diapositives"),
    ("[x](principes.md#nulle-part)",
     "aucune diapositive ni aucun titre « #nulle-part » dans le deck « principes »"),
    ("[x](pratique/fusions.html)", "le lien « pratique/fusions.html » mène au deck "
                                   "« pratique/fusions », mais docs/pratique/fusions.md "
                                   "n'existe pas"),
    ("[x](pratique/)", "cible de lien « pratique/ » introuvable (cherché : docs/pratique)"),
    ("![x](img/absente.png)", "image « img/absente.png » introuvable"),
    ("Une formule $x^$ cassée", "formule TeX illisible $x^$"),
    ("$$\n\\frac{a}{\n$$", "formule TeX illisible $\\frac{a}{$"),
])
def test_a_broken_link_still_fails_with_file_and_line(tmp_path: Path, link: str,
                                                      message: str) -> None:
    project = marp_course(tmp_path)
    deck = project.docs / "origines.md"
    text = deck.read_text(encoding="utf-8")
    deck.write_text(text + f"\n{link}\n", encoding="utf-8")
    line = text.count("\n") + 2
    with pytest.raises(DiapoError) as caught:
        project.build(strict=True)
    assert f"docs/origines.md:{line}: " in str(caught.value)
    assert message in str(caught.value)


def test_a_handwritten_home_page_stays_a_home_page(tmp_path: Path) -> None:
    project = marp_course(tmp_path)
    (project.docs / "index.md").rename(project.docs / "accueil.md")
    project.write("docs/index.md", "# Bienvenue\n\nLes cours de l'atelier.\n")
    for deck in project.docs.rglob("*.md"):  # the home deck is now `accueil`
        deck.write_text(deck.read_text(encoding="utf-8").replace("index.html", "accueil.html"),
                        encoding="utf-8")
    project.write("mkdocs.yml", MINIMAL.replace("- diapo", "- diapo:\n      home_deck: accueil"))
    project.build(strict=True)
    assert "Les cours de l'atelier." in project.html("index.html")
    assert (project.site / "accueil.html").is_file()


@pytest.mark.browser
def test_reading_page_math_is_laid_out(built: Project, page) -> None:  # noqa: F811
    with serve(built.site) as url:
        page.goto(f"{url}/principes/")
        block = page.locator('math[display="block"]')
        expect(block).to_be_visible()
        size = block.bounding_box()
        assert size is not None and size["width"] > 100 and size["height"] > 10


@pytest.mark.browser
def test_footer_link_opens_the_home_deck_slide(built: Project, page) -> None:  # noqa: F811
    with serve(built.site) as url:
        page.goto(f"{url}/pratique/branches.html#2")
        page.locator('section[data-diapo-scope="2"] footer a').click()
        page.wait_for_url(f"{url}/#2")
        expect(page.locator("#diapo-counter")).to_have_text("2/3")
        expect(page).to_have_title(re.compile("Atelier Git"))


@pytest.mark.parametrize("where", ["front-matter", "comment"])
def test_an_unknown_theme_names_the_line_of_its_directive(tmp_path: Path, where: str) -> None:
    project = marp_course(tmp_path)
    project.write("mkdocs.yml", MINIMAL.replace("- diapo", "- diapo:\n      presentation: true"))
    deck = project.docs / "origines.md"
    text = deck.read_text(encoding="utf-8")
    if where == "front-matter":
        text, line = text.replace("theme: atelier", "theme: inconnu"), 3
    else:  # the last value wins: the comment, after a blank line at the end
        text, line = text + "\n<!-- theme: inconnu -->\n", text.count("\n") + 2
    deck.write_text(text, encoding="utf-8")
    with pytest.raises(DiapoError) as caught:
        project.build(strict=True)
    assert f"docs/origines.md:{line}:" in str(caught.value) and "inconnu" in str(caught.value)
