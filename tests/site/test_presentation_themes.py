"""Themes in the presentation view: a Marp theme with `@import 'default'` works unchanged,
scoped to the slides; deck styles; demo badges from the verify report; errors."""

from __future__ import annotations

import re

import pytest
from browser import chromium, context, page, server, site  # noqa: F401 (fixtures)
from playwright.sync_api import expect

from diapo.demo.report import ClusterInfo, DeckResult, DemoResult, Report
from diapo.errors import DiapoError
from diapo.site import css_scope, themes

MARP_THEME = """\
/* @theme cours-test */
@import 'default';

section {
  background: rgb(1, 2, 3);
  color: rgb(240, 240, 240);
  padding: 100px 60px 60px;
}
h2 { color: rgb(200, 10, 20); }
header { top: 5px; color: rgb(0, 255, 0); }
footer { bottom: 5px; color: rgb(0, 0, 255); }
section::after { content: 'page ' attr(data-marpit-pagination); color: rgb(255, 255, 0); }
section.lead h2 { color: rgb(9, 9, 9); }
:root { --accent: rgb(7, 8, 9); }
"""


def computed(page, selector: str, prop: str, pseudo: str | None = None) -> str:
    return page.evaluate(
        "([s, p, pseudo]) => getComputedStyle(document.querySelector(s), pseudo).getPropertyValue(p)",
        [selector, prop, pseudo])


@pytest.mark.browser
def test_marp_theme_with_import_default_renders(site, server, page):
    site.theme("cours-test.css", MARP_THEME)
    site.deck("cours", """
        ---
        theme: cours-test
        paginate: true
        header: En-tête
        footer: Pied de page
        ---

        ## Titre

        `code`

        ---

        <!-- _class: lead -->

        ## Titre lead
        """)
    page.goto(f"{server}/cours.html")
    section = ".diapo-current section"
    expect(page.locator(section)).to_have_css("background-color", "rgb(1, 2, 3)")
    assert computed(page, section, "padding-top") == "100px"
    assert computed(page, f"{section} h2", "color") == "rgb(200, 10, 20)"
    assert computed(page, f"{section} > header", "color") == "rgb(0, 255, 0)"
    assert computed(page, f"{section} > header", "top") == "5px"
    assert computed(page, f"{section} > footer", "color") == "rgb(0, 0, 255)"
    assert computed(page, section, "content", "::after") == '"page 1"'
    assert computed(page, section, "color", "::after") == "rgb(255, 255, 0)"
    assert computed(page, section, "--accent").strip() == "rgb(7, 8, 9)"  # :root is the slide
    # inherited from the imported default theme
    # (marp-core's default look: its font stack, its translucent inline-code background)
    assert "Segoe UI" in computed(page, section, "font-family")
    assert computed(page, f"{section} code", "background-color") == "rgba(129, 139, 152, 0.12)"
    # scoped: the page around the slides is untouched by the theme's `h2` and `section`
    page.keyboard.press("?")
    expect(page.locator("#diapo-help h2")).to_be_visible()
    assert computed(page, "#diapo-help h2", "color") != "rgb(200, 10, 20)"
    assert computed(page, "body", "background-color") != "rgb(1, 2, 3)"
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowRight")
    assert computed(page, ".diapo-current section h2", "color") == "rgb(9, 9, 9)"


@pytest.mark.browser
def test_course_theme_marp_ensg(site, server, page):
    site.course_theme()
    site.image("img/logo.png", (0, 80, 140))
    site.deck("cours", """
        ---
        theme: marp-ensg
        paginate: true
        header: '<div><img src="./img/logo.png" alt="ENSG" height="64px"/></div>'
        footer: ENSG - cours
        ---

        ## Introduction

        ### Sous-titre
        """)
    page.goto(f"{server}/cours.html")
    section = ".diapo-current section"
    assert computed(page, f"{section} h2", "color") == "rgb(0, 80, 140)"
    assert computed(page, section, "content", "::after") == '"1 / 1"'
    assert computed(page, f"{section} > header img", "height") == "64px"
    header = page.locator(f"{section} > header").bounding_box()
    footer = page.locator(f"{section} > footer").bounding_box()
    frame = page.locator(".diapo-current .diapo-frame").bounding_box()
    assert header["y"] - frame["y"] < 40  # logo header at the top
    assert frame["y"] + frame["height"] - (footer["y"] + footer["height"]) < 40  # footer at the bottom


@pytest.mark.browser
def test_deck_style_directive_and_style_tags(site, server, page):
    site.deck("cours", """
        ---
        style: |
          h1 { color: rgb(1, 100, 1); }
        ---

        # Un

        <style>
        p { color: rgb(3, 3, 3); }
        </style>

        Texte

        ---

        # Deux

        <style scoped>
        h1 { color: rgb(100, 1, 1); }
        </style>

        Texte
        """)
    page.goto(f"{server}/cours.html")
    assert computed(page, ".diapo-current h1", "color") == "rgb(1, 100, 1)"
    assert computed(page, ".diapo-current p", "color") == "rgb(3, 3, 3)"
    page.keyboard.press("ArrowRight")
    assert computed(page, ".diapo-current h1", "color") == "rgb(100, 1, 1)"  # scoped wins here
    assert computed(page, ".diapo-current p", "color") == "rgb(3, 3, 3)"  # global <style>
    assert page.evaluate("() => document.querySelectorAll('#diapo-stage style').length") == 0


DEMO_DECK = """
    ## Démos

    ```bash demo=nodes
    kubectl get nodes
    ```

    ```bash demo=casse
    kubectl get pods
    ```

    ```bash demo=logs needs=node
    kubectl logs whoami
    ```

    ```bash demo=nouvelle
    kubectl get ns
    ```

    ```bash
    echo pas une démo
    ```
    """


def report_for(deck: str) -> Report:
    return Report(
        date="2026-11-26T17:00:00+00:00",
        cluster=ClusterInfo(context="diapo-local", kubernetes_version="v1.33.13", simulated=True),
        decks=[DeckResult(deck=deck, path=f"docs/{deck}.md", status="failed", demos=[
            DemoResult(id="nodes", slide=1, line=3, kind="run", status="passed",
                       command="kubectl get nodes",
                       output="NAME  STATUS\n<script>window.__pwned = 1</script>"),
            DemoResult(id="casse", slide=1, line=7, kind="run", status="failed",
                       command="kubectl get pods",
                       reason='<img src=x onerror="window.__pwned=2">'),
            DemoResult(id="logs", slide=1, line=11, kind="run", status="skipped",
                       command="kubectl logs whoami", reason="needs=node"),
        ])],
    )


@pytest.mark.browser
def test_demo_badges_from_report_are_shown_and_escaped(site, server, page, context):
    site.deck("cours", DEMO_DECK, report=report_for("cours"))
    page.goto(f"{server}/cours.html")
    badges = page.locator(".diapo-current .diapo-badge")
    expect(badges).to_have_text(["vérifié", "échec", "nécessite un nœud réel", "non vérifié"])
    expect(page.locator('.diapo-demo[data-demo="nodes"] .diapo-badge')).to_have_attribute(
        "title", re.compile(r"26/11/2026.*v1\.33\.13"))
    expect(page.locator('.diapo-demo[data-demo="casse"] .diapo-badge')).to_have_attribute(
        "title", re.compile(r'<img src=x onerror="window.__pwned=2">'))  # as text, escaped
    # the plain code block has no badge; badges are small
    expect(page.locator(".diapo-current .highlight")).to_have_count(5)
    box = badges.first.bounding_box()
    assert box["height"] < 30
    # captured output is not on the slide, but folded in the presenter's notes, escaped
    expect(page.locator(".diapo-current section")).not_to_contain_text("NAME  STATUS")
    with context.expect_page() as popup:
        page.keyboard.press("p")
    notes = popup.value.locator("#diapo-presenter-notes")
    expect(notes.locator("details summary")).to_contain_text("Sortie capturée")
    notes.locator("details summary").click()
    expect(notes.locator("pre")).to_contain_text("<script>window.__pwned = 1</script>")
    assert page.evaluate("() => window.__pwned") is None
    assert popup.value.evaluate("() => window.__pwned") is None


def test_badges_say_not_verified_without_report(site):
    html = site.deck("cours", DEMO_DECK).read_text(encoding="utf-8")
    assert html.count('data-status="unverified"') == 2 * 4  # wrapper + badge per demo
    assert "non vérifié" in html and "vérifié</span>" not in html.replace("non vérifié", "")


def test_nested_deck_links_assets_relative_to_its_depth(site):
    page = site.deck("annexe/kubernetes/stockage", "# Stockage\n")
    assert page == site.site / "annexe/kubernetes/stockage.html"
    html = page.read_text(encoding="utf-8")
    for href in re.findall(r'(?:href|src)="([^"#]+\.(?:css|js))"', html):
        assert href.startswith("../../assets/diapo/"), href
        assert (page.parent / href).resolve().is_file(), href


def test_unknown_theme_names_the_deck(site):
    with pytest.raises(DiapoError) as err:
        site.deck("cours", "---\ntheme: inconnu\n---\n\n# Un\n")
    assert "thème inconnu « inconnu »" in str(err.value)
    assert str(err.value).startswith(f"{site.root / 'docs' / 'cours.md'}:2:")


def test_unknown_size_names_the_deck(site):
    with pytest.raises(DiapoError, match=r"cours\.md:\d+: taille de diapositive inconnue « 21:9 »"):
        site.deck("cours", "---\nsize: '21:9'\n---\n\n# Un\n")


def test_scope_rewrites_like_marpit():
    css = """
    @import url('https://example.com/font.css');
    /* comment { with braces } */
    section, h1 > a[href*=","], :root { color: red; }
    section.lead::after { content: 'x'; color: blue; }
    @media (max-width: 100px) { p { margin: 0; } }
    @keyframes pulse { from { opacity: 0; } to { opacity: 1; } }
    """
    out = css_scope.scope(css, "div.f")
    assert "example.com" not in out
    assert 'div.f > section,\ndiv.f > section h1 > a[href*=","],\ndiv.f > section {' in out
    assert "div.f > section.lead::after {color: blue}" in out  # pagination kept visible
    assert "@media (max-width: 100px) {\ndiv.f > section p { margin: 0; }\n}" in out
    assert "@keyframes pulse { from { opacity: 0; } to { opacity: 1; } }" in out


def test_real_build_uses_the_projects_theme_folder(make_project):
    project = make_project(presentation=True)
    project.write("theme/cours-test.css", MARP_THEME)
    project.write("docs/cours.md", "---\ntheme: cours-test\n---\n\n# Un\n")
    site_dir = project.build()
    html = (site_dir / "cours.html").read_text(encoding="utf-8")
    assert 'href="assets/diapo/theme-cours-test.css"' in html
    css = (site_dir / "assets/diapo/theme-cours-test.css").read_text(encoding="utf-8")
    assert "div.diapo-frame > section h2 { color: rgb(200, 10, 20); }" in css
    assert "Segoe UI" in css  # the imported default theme came along


def _theme_css(site) -> str:
    return (site.site / "assets/diapo").joinpath(
        next(p.name for p in (site.site / "assets/diapo").glob("theme-*.css"))).read_text()


def test_theme_anywhere_under_docs_is_found_like_theme_set(site):
    """marp-cli's --theme-set: a `@theme` CSS file beside the decks (any depth) is a theme."""
    (site.root / "docs/styles/cours").mkdir(parents=True)
    (site.root / "docs/styles/cours/maison.css").write_text(
        "/* @theme maison */\n@import 'default';\nh2 { color: rgb(1, 2, 3); }\n")
    (site.root / "docs/notes.css").write_text("p { color: red; }\n")  # no @theme: not a theme
    site.deck("cours", "---\ntheme: maison\n---\n\n## Un\n")
    css = (site.site / "assets/diapo/theme-maison.css").read_text()
    assert "div.diapo-frame > section h2 { color: rgb(1, 2, 3); }" in css
    assert "section" in css.split("rgb(1, 2, 3)")[0]  # the built-in default came first


def test_course_theme_overrides_a_builtin_of_the_same_name(site):
    site.theme("mon-default.css", "/* @theme default */\nsection { color: rgb(4, 5, 6); }\n")
    site.deck("cours", "# Un\n")
    css = (site.site / "assets/diapo/theme-default.css").read_text()
    assert "color: rgb(4, 5, 6)" in css
    assert themes.available(site.root)["default"].path == site.root / "theme/mon-default.css"
    assert "Segoe UI" not in css  # the built-in default is replaced, not merged


def test_two_course_files_with_one_theme_name_is_an_error_naming_both(site):
    site.theme("a.css", "/* @theme double */\nsection { color: red; }\n")
    (site.root / "docs").mkdir(exist_ok=True)
    (site.root / "docs/b.css").write_text("\n\n/*\n * @theme double\n */\nh1 { color: blue; }\n")
    with pytest.raises(DiapoError) as err:
        site.deck("cours", "---\ntheme: double\n---\n\n# Un\n")
    message = str(err.value)
    assert "« double »" in message
    assert f"{site.root / 'theme' / 'a.css'}:1" in message
    assert f"{site.root / 'docs' / 'b.css'}:4" in message


def test_marp_ensg_is_the_course_theme_not_a_builtin(site):
    with pytest.raises(DiapoError, match="thème inconnu « marp-ensg »"):
        site.deck("cours", "---\ntheme: marp-ensg\n---\n\n# Un\n")
    assert {"default", "gaia", "uncover"} <= set(themes.builtins())
    assert all(t.path.parent == themes.BUILTIN_DIR for t in themes.builtins().values())


def test_themes_are_found_in_the_docs_dir_mkdocs_yml_names(site):
    (site.root / "mkdocs.yml").write_text("site_name: x\ndocs_dir: 'cours'  # les decks\n")
    (site.root / "cours/css").mkdir(parents=True)
    (site.root / "cours/css/t.css").write_text("/* @theme ailleurs */\nh1 { color: rgb(1, 1, 1); }\n")
    assert themes.available(site.root)["ailleurs"].path == site.root / "cours/css/t.css"
