"""Every deck of docs/ parses cleanly and is a Marp deck of the course."""

from __future__ import annotations

from diapo.deck.model import Deck

EXPECTED = {
    "kubernetes",
    "introduction",
    "cloud",
    "annexe/kubernetes/stockage",
    "annexe/docker/bonnes-pratiques",
}


def test_every_expected_deck_exists(decks: list[Deck]) -> None:
    assert {deck.name for deck in decks} >= EXPECTED


def test_decks_parse_without_warnings(decks: list[Deck]) -> None:
    warnings = [str(w) for deck in decks for w in deck.warnings]
    assert warnings == []


def test_decks_use_the_course_theme_header_and_footer(decks: list[Deck]) -> None:
    for deck in decks:
        assert deck.directives.get("theme") == "marp-ensg", deck.name
        first = deck.slides[0]
        assert first.paginate, deck.name
        assert "logo-ensg.png" in str(first.directives.get("header")), deck.name
        assert "Introduction à la méthode DevOps" in str(first.directives.get("footer")), deck.name


def test_decks_have_a_title_slide_and_content(decks: list[Deck]) -> None:
    for deck in decks:
        assert len(deck.slides) >= 2, deck.name
        assert deck.slides[0].title, deck.name


def test_home_deck_has_the_slide_the_footer_points_to(decks: list[Deck]) -> None:
    home = next(deck for deck in decks if deck.name == "introduction")
    # The footer link `./#2` of every deck leads to the home deck's second slide: the summary.
    assert home.slides[1].title == "Sommaire"
    assert "kubernetes.html" in home.slides[1].content
