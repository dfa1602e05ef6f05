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
    Site,
    Target,
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
        ("https://kubernetes.io/docs/", "kubernetes", Target(EXTERNAL)),
        ("mailto:prof@example.org", "kubernetes", Target(EXTERNAL)),
        ("//cdn.example.org/x.js", "kubernetes", Target(EXTERNAL)),
        ("#12", "kubernetes", Target(ANCHOR, "kubernetes", "12")),
        ("#d%C3%A9couvrir", "kubernetes", Target(ANCHOR, "kubernetes", "découvrir")),
        ("cloud.html", "kubernetes", Target(DECK, "cloud")),
        ("kubernetes.html#12", "kubernetes", Target(DECK, "kubernetes", "12")),
        ("annexe/kubernetes/stockage.html", "kubernetes", Target(DECK, "annexe/kubernetes/stockage")),
        ("../../kubernetes.html#3", "annexe/kubernetes/stockage", Target(DECK, "kubernetes", "3")),
        ("cloud.md#2", "kubernetes", Target(DECK, "cloud", "2")),
        ("./#2", "kubernetes", Target(HOME, "", "2")),
        ("./", "kubernetes", Target(HOME)),
        ("index.html", "kubernetes", Target(HOME)),
        ("../../#2", "annexe/kubernetes/stockage", Target(HOME, "", "2")),
        ("img/logo.png", "kubernetes", Target(FILE, "img/logo.png")),
        ("./img/logo.png", "kubernetes", Target(FILE, "img/logo.png")),
        ("img/a%20b.png", "kubernetes", Target(FILE, "img/a b.png")),
        ("../img/x.png", "annexe/kubernetes/stockage", Target(FILE, "annexe/img/x.png")),
        ("../x.png", "kubernetes", Target(FILE, "../x.png")),
    ],
)
def test_resolve(url: str, deck: str, target: Target) -> None:
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
        ("./#2", "origines", Target(DECK, "index", "2")),
        ("./", "origines", Target(DECK, "index")),
        (".", "origines", Target(DECK, "index")),
        ("index.html#3", "origines", Target(DECK, "index", "3")),
        ("index.md", "origines", Target(DECK, "index")),
        ("../#2", "pratique/branches", Target(DECK, "index", "2")),
        ("../../#2", "pratique/branches", Target(FILE, "..", "2")),
        ("./#2", "pratique/branches", Target(DECK, "pratique/index", "2")),
        ("pratique/", "origines", Target(DECK, "pratique/index")),
        ("annexe/#4", "origines", Target(DECK, "annexe", "4")),  # diapo's reading-page URL
        ("../origines.md#2", "pratique/branches", Target(DECK, "origines", "2")),
        ("img/", "origines", Target(FILE, "img")),
    ],
)
def test_resolve_with_a_home_deck(url: str, deck: str, target: Target) -> None:
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

