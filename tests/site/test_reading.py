"""The reading page of a deck, built with the real MkDocs + Material from a fixture course."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sitekit import Project, course


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    # Notes on the reading page too: these tests check how they render (test_notes.py: hidden
    # by default).
    project = course(tmp_path_factory.mktemp("reading"), reading_notes=True)
    project.build()
    return project


class Elements(HTMLParser):
    """Every start tag of a page, as (tag, attributes), in order."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags
                if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def article(page: str) -> str:
    """The page's content (Material's article), without navigation."""
    return page[page.index("<article"): page.index("</article>")]


def slide(page: str, number: int) -> str:
    """The HTML of slide `number` of a reading page."""
    content = article(page)
    start = content.index(f'<div class="diapo-slide-bar" id="{number}">')
    start = content.rindex('<section class="diapo-slide">', 0, start)
    return content[start: content.index("</section>", start)]


def test_every_slide_is_a_numbered_section_with_its_anchor(built: Project) -> None:
    page = built.html("kubernetes/index.html")
    ids = re.findall(r'<section class="diapo-slide">\s*<div class="diapo-slide-bar" id="(\d+)">',
                     page)
    assert ids == ["1", "2", "3", "4", "5"]
    assert article(page).count("<section") == article(page).count("</section>") == 5
    assert '<a class="diapo-slide-number" href="#4"' in slide(page, 4)
    # each slide links to the same slide in the presentation view
    assert 'href="../kubernetes.html#4"' in slide(page, 4)


def test_headings_get_marp_slugs_with_numbered_duplicates(built: Project) -> None:
    page = Elements(built.html("kubernetes/index.html"))
    assert page.find("h2", id="introduction")
    assert page.find("h2", id="introduction-1")
    assert page.find("h2", id="découvrir-kubernetes-par-la-pratique")
    assert page.find("h2", id="que-manque-til-à-ce-stade")
    # the deck's own table of contents reaches them
    for anchor in ("découvrir-kubernetes-par-la-pratique", "introduction-1",
                   "que-manque-til-à-ce-stade"):
        assert page.find("a", href=f"#{anchor}")


def test_notes_are_plain_escaped_text(make_project) -> None:
    project = make_project(reading_notes=True)
    project.write("docs/notes.md",
                  "# Titre\n\n<!--\nLigne 1 avec <b>balise</b>\nLigne 2\n\nSuite\n-->\n")
    note = article(project.build().joinpath("notes", "index.html").read_text(encoding="utf-8"))
    assert "<p>Ligne 1 avec &lt;b&gt;balise&lt;/b&gt;<br>Ligne 2</p><p>Suite</p>" in note


def test_notes_become_a_notes_admonition(built: Project) -> None:
    second = slide(built.html("kubernetes/index.html"), 2)
    assert '<div class="admonition note">' in second
    assert '<p class="admonition-title">Notes</p>' in second
    assert "rappeler le TP" in second
    assert "<!--" not in article(built.html("kubernetes/index.html"))


def test_marp_layout_html_renders_the_markdown_inside(built: Project) -> None:
    third = slide(built.html("kubernetes/index.html"), 3)
    assert '<div class="left illustration">' in third
    assert "<strong>en gras</strong>" in third
    assert "![" not in third and "**" not in third
    # Marp image size keyword -> style, keyword gone from the alt text
    image = Elements(third).find("img", src="../img/schema.png")
    assert image and image[0]["style"] == "height:350px" and image[0]["alt"] == ""


def test_background_image_is_shown_as_an_illustration(built: Project) -> None:
    fifth = slide(built.html("kubernetes/index.html"), 5)
    image = Elements(fifth).find("img", src="../img/fond.png")
    assert image and image[0]["class"] == "diapo-bg diapo-bg-left"


def test_demo_blocks_have_a_badge_and_hidden_ones_are_not_shown(built: Project) -> None:
    fourth = slide(built.html("kubernetes/index.html"), 4)
    badges = Elements(fourth).find("span", **{"class": "diapo-demo"})
    assert [b["data-demo"] for b in badges] == ["nodes", "logs"]
    assert fourth.count('<span class="diapo-badge diapo-badge--demo">démo</span>') == 2
    assert "secret-setup" not in fourth  # hidden demo
    assert "bash demo" not in fourth and "needs=node" not in fourth  # tags stripped from fences
    assert '<span class="filename">Sortie attendue</span>' in fourth


def test_links_go_to_reading_pages_and_slide_anchors(built: Project) -> None:
    page = Elements(article(built.html("kubernetes/index.html")))
    assert page.find("a", href="../cloud/")  # cloud.html
    assert page.find("a", href="../cloud/#2")  # cloud.html#2
    assert page.find("a", href="../annexe/outils/kubectl/#1")  # in raw HTML
    assert page.find("a", href="../introduction/#2")  # ./#2: the home deck's slide 2
    assert page.find("a", href="#3")
    nested = Elements(article(built.html("annexe/outils/kubectl/index.html")))
    assert nested.find("a", href="../../../kubernetes/#4")
    assert nested.find("a", href="../../../introduction/#1")


def test_table_of_contents_lists_the_slides_by_section(built: Project) -> None:
    page = built.html("kubernetes/index.html")
    toc = page[page.index('data-md-component="toc"'):]
    toc = toc[: toc.index("</nav>\n    </li>") if "</nav>\n    </li>" in toc else len(toc)]
    titles = [t.strip()
              for t in re.findall(r'<span class="md-ellipsis">\s*([^<]+?)\s*</span>', toc)]
    assert titles[:5] == ["1. Kubernetes en pratique", "Introduction", "2. Première partie",
                          "3. Deuxième partie", "4. Découvrir Kubernetes par la pratique"]


def test_page_title_and_presentation_button(built: Project) -> None:
    page = built.html("kubernetes/index.html")
    assert "<title>Kubernetes en pratique - Cours de test</title>" in page
    assert Elements(page).find("a", href="../kubernetes.html")


def test_home_page_lists_decks_with_counts_and_links(built: Project) -> None:
    page = built.html("index.html")
    content = article(page)
    assert "Kubernetes en pratique" in content
    assert "Un deck de test pour la page de lecture" in content
    assert "5 diapositives · 2 démos" in content
    assert "2 diapositives · aucune démo" in content
    elements = Elements(content)
    assert elements.find("a", href="kubernetes/") and elements.find("a", href="kubernetes.html")
    assert elements.find("a", href="annexe/outils/kubectl.html")
    assert "Annexe / Outils" in content
    # ./#N from a presentation reaches slide N of the home deck's presentation
    assert 'location.replace("introduction.html" + location.hash)' in content


def test_site_is_offline(built: Project) -> None:
    """No external script, stylesheet, font or image in any built page."""
    for page in built.site.rglob("*.html"):
        for tag, attrs in Elements(page.read_text(encoding="utf-8")).tags:
            url = attrs.get("src") if tag in ("script", "img", "iframe") else (
                attrs.get("href") if tag == "link" else None)
            assert not (url or "").startswith(("http:", "https:", "//")), (page, tag, url)
    css = "\n".join(p.read_text(encoding="utf-8") for p in built.site.rglob("*.css"))
    assert "fonts.googleapis" not in css and "@import url(http" not in css


def test_search_index_is_french_and_lands_on_slides(built: Project) -> None:
    import json

    index = json.loads((built.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["fr"]
    locations = {doc["location"] for doc in index["docs"]}
    assert "kubernetes/#découvrir-kubernetes-par-la-pratique" in locations


def test_search_leaves_out_badges_counts_and_slide_numbers(built: Project) -> None:
    import json

    index = json.loads((built.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc["text"] for doc in index["docs"]
                    if doc["location"].startswith("kubernetes/"))
    assert "Un deck de test pour la page de lecture" in text  # the deck's description stays
    assert "kubectl" in text  # and the demos' code
    assert "aucun rapport de vérification" not in text and "non vérifiée" not in text
    assert "Présenter" not in text and "diapositives" not in text
    assert not re.search(r"\b1 2 3\b", text), text  # the slide bars' numbers
    page = built.html("kubernetes/index.html")
    assert 'class="diapo-proof"' in page and 'class="diapo-slide-bar"' in page  # still shown
    assert "data-search-exclude" not in page  # Material removes it once the page is indexed


def test_marp_style_blocks_do_not_restyle_the_reading_page(built: Project) -> None:
    page = article(built.html("cloud/index.html"))
    assert "crimson" not in page and "<style" not in page
    assert Elements(page).find("h2", id="les-offres")


def test_every_internal_link_of_the_reading_pages_resolves(built: Project) -> None:
    """Crawl the built reading pages: each relative href/src reaches a file, each #anchor an id."""
    from urllib.parse import unquote, urlsplit

    checked = 0
    for page in built.site.rglob("index.html"):
        content = article(page.read_text(encoding="utf-8"))
        for tag, attrs in Elements(content).tags:
            url = attrs.get("href") if tag == "a" else attrs.get("src") if tag == "img" else None
            parts = urlsplit(url or "")
            if not url or parts.scheme or parts.netloc or parts.path.endswith(".html"):
                continue  # presentation views are off in this fixture (see test_site_browser)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), (page, url)
            if parts.fragment and target.suffix == ".html" and target.name == "index.html":
                ids = {a.get("id") for _, a in Elements(target.read_text(encoding="utf-8")).tags}
                assert unquote(parts.fragment) in ids, (page, url)
            checked += 1
    assert checked > 30


def test_hand_written_home_page_gets_the_deck_list(make_project) -> None:
    project = make_project()
    project.write("docs/cours.md", "# Un cours\n\n---\n\n## Suite\n")
    project.write("docs/index.md", "# Bienvenue\n\nMes cours :\n\n<!-- diapo:decks -->\n")
    page = article(project.build().joinpath("index.html").read_text(encoding="utf-8"))
    assert "Bienvenue" in page and "Un cours" in page and "2 diapositives" in page
    assert Elements(page).find("a", href="cours.html")
    assert "location.replace(" in page


def test_edits_follow_the_deck_parse_not_the_text(make_project) -> None:
    """What the parser reads as code, raw HTML or a quote stays so on the reading page: only
    real comments and `<style>` go, a heading's closing `#` run goes, a quoted demo keeps
    its quote."""
    project = make_project()
    project.write("docs/lecture.md", (
        "# Commentaires ##\n\n"
        "Écrivez `<!-- ceci -->` pour une note. <!-- une vraie note -->\n\n"
        "    <!-- du code indenté -->\n\n"
        "> Citation\n> <!-- note dans la citation -->\n> suite de la citation\n\n"
        "> ```bash demo=cite\n> echo cité\n> ```\n\n"
        "<style>\nh1 { color: red; }\n</style>\n\n"
        "<!-- _class: lead --> <div>texte masqué par Marp</div>\n\n"
        "## Fin #\n"
    ))
    page = article(project.build().joinpath("lecture", "index.html").read_text(encoding="utf-8"))
    assert "<code>&lt;!-- ceci --&gt;</code> pour une note." in page
    assert "une vraie note" not in page
    assert "<code>&lt;!-- du code indenté --&gt;" in page
    quoted = "".join(re.findall(r"<blockquote>(.*?)</blockquote>", page, re.S))
    assert "<p>Citation</p>" in quoted and "<p>suite de la citation</p>" in quoted
    assert "note dans la citation" not in page
    assert 'data-demo="cite"' in quoted and "echo" in quoted and "bash demo" not in page
    assert "color: red" not in page
    assert "texte masqué par Marp" not in page  # the whole line is Marp's comment block
    assert Elements(page).find("h1", id="commentaires") and Elements(page).find("h2", id="fin")
    assert "##" not in page and "Fin #" not in page


def test_link_references_serve_the_whole_deck_as_in_marp(make_project) -> None:
    """marp-core reads a deck as one document: a label defined on the last slide serves the
    first, and an image by reference takes Marp's keywords (checked against marp-core 5)."""
    project = make_project(presentation=True)
    project.image("img/logo.png")
    project.write("docs/refs.md", (
        "# Un\n\n[Le plan][plan] et ![w:40][logo]\n\n---\n\n# Deux\n\n![bg][logo]\n\n"
        "[plan]: refs.md#2\n[logo]: img/logo.png\n"))
    site = project.build()
    reading = article(site.joinpath("refs", "index.html").read_text(encoding="utf-8"))
    images = Elements(reading).find("img", src="../img/logo.png")
    assert [image.get("style") for image in images] == ["width:40px", None]
    assert images[1]["class"] == "diapo-bg"
    assert Elements(reading).find("a", href="#2")
    presentation = site.joinpath("refs.html").read_text(encoding="utf-8")
    first, second = re.findall(r'<section data-diapo-scope="\d+">.*?</section>', presentation,
                               re.S)
    assert '<img src="img/logo.png" alt="" style="width:40px"' in first
    assert '<a href="refs.html#2">Le plan</a>' in first
    assert "[plan]" not in presentation and "<img" not in second
    assert ('<section data-diapo-layer="background"><div class="diapo-bg"><figure '
            'style="background-image:url(&quot;img/logo.png&quot;)">') in presentation


def test_reading_markdown_of_odd_lines() -> None:
    """The reading page's Markdown (before MkDocs): lines split as the parser splits them (a
    U+2028 inside a paragraph), each image with its own keywords, a quote kept whole around a
    note spanning lines with a tab."""
    from diapo.deck import parse
    from diapo.site import reading, scan

    text = ("# a\n\npara \u2028 x\n\n## b\n\n![](a.png) ![w:1](a.png)\n\n"
            "> a\n> <!-- note\n>\tsuite -->\n> b\n")
    parsed = parse("/x/docs/d.md", text=text)
    markdown = reading.render(parsed, scan.scan_deck(parsed), {})
    assert "## b {#b}" in markdown and "para \u2028 x\n" in markdown
    assert '![](a.png) ![](a.png){ style="width:1px" }' in markdown
    assert re.search(r"> a\n>[ \t]*\n>[ \t]*\n> b\n", markdown)


def test_backslash_escapes_any_punctuation_as_on_the_slides(make_project) -> None:
    """CommonMark (Marp) escapes every ASCII punctuation character; Python-Markdown only some,
    and shows the backslash before the others: an escaped comment is text on both pages."""
    project = make_project()
    project.write("docs/echappe.md", (
        "# Échappements\n\n"
        "Écrire \\<!-- pas une note --> coûte \\$5 \\& plus\\: \\~fin\\~.\n\n"
        "Le code garde `\\<` et \\\\ reste une barre.\n"
    ))
    page = article(project.build().joinpath("echappe", "index.html").read_text(encoding="utf-8"))
    assert "Écrire &lt;!-- pas une note --&gt; coûte $5 &amp; plus: ~fin~." in page
    assert "<code>\\&lt;</code> et \\ reste une barre." in page


def test_escaped_characters_in_a_link_are_read_as_written(make_project) -> None:
    """`\\_` in a link's URL is an escape (CommonMark): the link goes to the reading page of
    the deck it names, as any link between decks."""
    project = make_project()
    project.write("docs/cloud_v2.md", "# Cloud v2\n\n---\n\n## Suite\n")
    project.write("docs/renvoi.md", "# Renvoi\n\nVoir [la suite](cloud\\_v2.html#2).\n")
    page = article(project.build().joinpath("renvoi", "index.html").read_text(encoding="utf-8"))
    assert '<a href="../cloud_v2/#2">la suite</a>' in page
