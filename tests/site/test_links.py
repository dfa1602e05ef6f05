"""Resolving a deck's presentation-style links, and where they go from a reading page."""

from __future__ import annotations

import pytest

from diapo.site.links import ANCHOR, DECK, EXTERNAL, FILE, HOME, Target, reading_href, resolve

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
