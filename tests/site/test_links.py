"""Resolving a deck's presentation-style links, and where they go from a reading page."""

from __future__ import annotations

import pytest

from diapo.errors import at
from diapo.site.links import (
    ANCHOR,
    DECK,
    EXTERNAL,
    FILE,
    HOME,
    LinkTarget,
    Site,
    check_link,
    presentation_href,
    reading_href,
    resolve,
)
from diapo.site.scan import DeckScan, Link

DECKS = {"kubernetes", "cloud", "introduction", "annexe/kubernetes/stockage"}


@pytest.mark.parametrize(
    ("url", "deck", "target"),
    [
        ("https://kubernetes.io/docs/", "kubernetes", LinkTarget(EXTERNAL)),
        ("mailto:prof@example.org", "kubernetes", LinkTarget(EXTERNAL)),
        ("//cdn.example.org/x.js", "kubernetes", LinkTarget(EXTERNAL)),
        ("#12", "kubernetes", LinkTarget(ANCHOR, "kubernetes", "12")),
        ("#d%C3%A9couvrir", "kubernetes", LinkTarget(ANCHOR, "kubernetes", "découvrir")),
        ("cloud.html", "kubernetes", LinkTarget(DECK, "cloud")),
        ("kubernetes.html#12", "kubernetes", LinkTarget(DECK, "kubernetes", "12")),
        ("annexe/kubernetes/stockage.html", "kubernetes", LinkTarget(DECK, "annexe/kubernetes/stockage")),
        ("../../kubernetes.html#3", "annexe/kubernetes/stockage", LinkTarget(DECK, "kubernetes", "3")),
        ("cloud.md#2", "kubernetes", LinkTarget(DECK, "cloud", "2")),
        ("./#2", "kubernetes", LinkTarget(HOME, "", "2")),
        ("./", "kubernetes", LinkTarget(HOME)),
        ("index.html", "kubernetes", LinkTarget(HOME)),
        ("../../#2", "annexe/kubernetes/stockage", LinkTarget(HOME, "", "2")),
        ("img/logo.png", "kubernetes", LinkTarget(FILE, "img/logo.png")),
        ("./img/logo.png", "kubernetes", LinkTarget(FILE, "img/logo.png")),
        ("img/a%20b.png", "kubernetes", LinkTarget(FILE, "img/a b.png")),
        ("../img/x.png", "annexe/kubernetes/stockage", LinkTarget(FILE, "annexe/img/x.png")),
        ("../x.png", "kubernetes", LinkTarget(FILE, "../x.png")),
    ],
)
def test_resolve(url: str, deck: str, target: LinkTarget) -> None:
    assert resolve(url, deck, DECKS) == target


@pytest.mark.parametrize(
    ("url", "deck", "href"),
    [
        ("cloud.html", "kubernetes", "cloud.md"),
        ("kubernetes.html#12", "kubernetes", "kubernetes.md#12"),
        ("./#2", "kubernetes", "introduction.md#2"),
        ("./", "kubernetes", "index.md"),
        ("../../#2", "annexe/kubernetes/stockage", "../../introduction.md#2"),
        ("../../cloud.html", "annexe/kubernetes/stockage", "../../cloud.md"),
        ("stockage.html#1", "annexe/kubernetes/stockage", "stockage.md#1"),
        ("#3", "kubernetes", None),  # same page: the slide's id is already `3`
        ("img/logo.png", "kubernetes", None),  # MkDocs resolves files itself
        ("https://example.org", "kubernetes", None),
    ],
)
def test_reading_href(url: str, deck: str, href: str | None) -> None:
    assert reading_href(url, deck, DECKS, "introduction") == href


def test_home_slide_without_home_deck_goes_to_home_page() -> None:
    assert reading_href("./#2", "kubernetes", {"kubernetes"}, "introduction") == "index.md"


MARP = {"index", "origines", "pratique/branches", "pratique/index", "annexe"}


@pytest.mark.parametrize(
    ("url", "deck", "target"),
    [  # marp-cli's names: `index.md` is `index.html`, the folder's page
        ("./#2", "origines", LinkTarget(DECK, "index", "2")),
        ("./", "origines", LinkTarget(DECK, "index")),
        (".", "origines", LinkTarget(DECK, "index")),
        ("index.html#3", "origines", LinkTarget(DECK, "index", "3")),
        ("index.md", "origines", LinkTarget(DECK, "index")),
        ("../#2", "pratique/branches", LinkTarget(DECK, "index", "2")),
        ("../../#2", "pratique/branches", LinkTarget(FILE, "..", "2")),
        ("./#2", "pratique/branches", LinkTarget(DECK, "pratique/index", "2")),
        ("pratique/", "origines", LinkTarget(DECK, "pratique/index")),
        ("annexe/#4", "origines", LinkTarget(DECK, "annexe", "4")),  # diapo's reading-page URL
        ("../origines.md#2", "pratique/branches", LinkTarget(DECK, "origines", "2")),
        ("img/", "origines", LinkTarget(FILE, "img")),
    ],
)
def test_resolve_with_a_home_deck(url: str, deck: str, target: LinkTarget) -> None:
    assert resolve(url, deck, MARP) == target


@pytest.mark.parametrize(
    ("url", "deck", "href"),
    [
        ("origines.md", "index", "origines.html"),
        ("origines.md#2", "index", "origines.html#2"),
        ("../origines.md?x=1#2", "pratique/branches", "../origines.html?x=1#2"),
        ("origines.html", "index", None),  # already the presentation view
        ("absent.md", "index", None),  # not a deck: left as written (and reported)
        ("notes.md", "index", None),
        ("https://example.org/a.md", "index", None),
    ],
)
def test_presentation_href(url: str, deck: str, href: str | None) -> None:
    assert presentation_href(url, deck, MARP) == href


def test_reading_href_to_the_home_deck() -> None:
    assert reading_href("./#2", "origines", MARP, "introduction") == "index.md#2"
    assert reading_href("../#2", "pratique/branches", MARP, "introduction") == "../index.md#2"
    assert reading_href("./#2", "pratique/branches", MARP, "introduction") == "index.md#2"


@pytest.mark.parametrize(("url", "home_deck", "message"), [
    ("./#1", "introduction", None),
    ("./#2", "introduction",
     "la diapositive #2 n'existe pas : le deck « introduction » a 1 diapositive"),
    ("./#plan", "introduction", "lien « ./#plan » : la page d'accueil n'a pour ancres que les "
                                "diapositives (#N) du deck d'accueil"),
    ("./#2", "accueil", "le lien « ./#2 » mène à la diapositive 2 du deck d'accueil "
                        "« accueil », mais docs/accueil.md n'existe pas"),
])
def test_home_page_links_are_checked_in_french(url: str, home_deck: str,
                                               message: str | None) -> None:
    site = Site(scans={"introduction": DeckScan([], []), "cloud": DeckScan([], [])},
                slide_counts={"introduction": 1, "cloud": 2}, files=set(), home_deck=home_deck)
    link = Link(url, at("docs/cloud.md", 3), image=False, html=False)
    assert check_link(link, "cloud", site) == message



def test_links_of_a_paragraph_are_placed_on_their_own_lines() -> None:
    """The same URL twice in a paragraph is reported on each of its lines, and a URL that is
    the end of another (`b.png`, `img/b.png`) on its own line, not the other's."""
    from diapo.deck import parse
    from diapo.site.scan import scan_deck

    deck = parse("/cours/docs/d.md", text=(
        "# Titre\n"
        "\n"
        "Voir [la suite](absent.md) et\n"
        "l'image ![](img/b.png) puis\n"
        "encore [la suite](absent.md), <a href=\"x.md\">x</a>\n"
        "et ![](b.png) <a href=\"x.md\">y</a>.\n"
    ))
    places = [(link.url, link.location.line) for link in scan_deck(deck).slides[0].links]
    assert places == [("absent.md", 3), ("img/b.png", 4), ("absent.md", 5), ("x.md", 5),
                      ("b.png", 6), ("x.md", 6)]


@pytest.mark.parametrize(("text", "places"), [
    # an image inside a link's text is before the link's URL; the same image again later
    ("[![](logo.png)](home.html)\n[next](nxt.html)\n![](logo.png)\n",
     [("home.html", 1), ("logo.png", 1), ("nxt.html", 2), ("logo.png", 3)]),
    ("[du texte ![](a.png)\nsuite](b.html)\n", [("b.html", 2), ("a.png", 1)]),
    # a URL not written at its place (reference, entity) does not move the search ahead
    ("[a][r]\n[b](y.html)\nvoir r.html\n\n[r]: r.html\n", [("r.html", 1), ("y.html", 2)]),
    ("[a](b&amp;c.html)\n[d](d.html)\nb&c.html\n", [("b&c.html", 1), ("d.html", 2)]),
    ("[a](\n<u v.html>)\n[b](w.html)\n", [("u v.html", 2), ("w.html", 3)]),
    # ... nor does one written elsewhere as a destination
    ("[a][r]\n[x](y.html)\n[c](r.html)\n\n[r]: r.html\n",
     [("r.html", 1), ("y.html", 2), ("r.html", 3)]),
    ("[a](u\\_v.html)\n[x](y.html)\n[b](u_v.html)\n",
     [("u_v.html", 1), ("y.html", 2), ("u_v.html", 3)]),
    ("[a](&#117;.html)\n[x](y.html)\n[b](u.html)\n", [("u.html", 1), ("y.html", 2), ("u.html", 3)]),
    ("[a](p.html)\n[b](u\\_v.html)\n", [("p.html", 1), ("u_v.html", 2)]),
])
def test_link_lines_follow_the_source_not_mentions(text: str, places: list) -> None:
    from diapo.deck import parse
    from diapo.site.scan import scan_deck

    links = scan_deck(parse("/cours/docs/d.md", text=text)).slides[0].links
    assert [(link.url, link.location.line) for link in links] == places
