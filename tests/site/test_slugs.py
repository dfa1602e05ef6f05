"""Heading ids computed like marp-core's githubSlugify, unique across a deck."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings, strategies as st
from markdown_it import MarkdownIt

from diapo.deck import parse
from diapo.site.scan import scan_deck
from diapo.site.slugs import Slugger, github_slugify, inline_text


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Découvrir Kubernetes par la pratique", "découvrir-kubernetes-par-la-pratique"),
        ("Que manque-t'il à ce stade?", "que-manque-til-à-ce-stade"),
        ("Le déploiement de GeoStack avec Kubernetes", "le-déploiement-de-geostack-avec-kubernetes"),
        ("L'API de Kubernetes (1/3)", "lapi-de-kubernetes-13"),
        ("  Espaces   multiples  ", "espaces-multiples"),
        ("C'est « magique » !", "cest-«-magique-»"),
        ("-début-", "début-"),  # JavaScript's replace without /g: the first run only
        ("snake_case et `code`", "snake_case-et-code"),
    ],
)
def test_github_slugify_matches_marp(text: str, slug: str) -> None:
    assert github_slugify(text) == slug


def test_duplicates_get_numbered_suffixes() -> None:
    slugger = Slugger(slide_count=3)
    assert [slugger.slug("Introduction") for _ in range(3)] == [
        "introduction", "introduction-1", "introduction-2"]


def test_slide_ids_are_taken_first() -> None:
    slugger = Slugger(slide_count=12)
    assert slugger.slug("12") == "12-1"
    assert slugger.slug("13") == "13"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
               min_size=1, max_size=40))
def test_plain_heading_fast_path_agrees_with_markdown_it(text: str) -> None:
    """The scan skips markdown-it's inline parse for headings without inline syntax: the text
    (hence the slug) it takes must be what markdown-it's inline tokens give."""
    assume("<!--" not in text)  # a comment: a directive or a note, not heading text
    deck = parse("fast-path.md", text=f"# {text}\n", name="fast-path")
    headings = scan_deck(deck).slides[0].headings
    tokens = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).parse(
        f"# {text}\n")
    inline = [t for t in tokens if t.type == "inline"]
    expected = [inline_text(t.children) for t in inline if tokens[tokens.index(t) - 1].type
                == "heading_open"]
    assert [h.text for h in headings] == expected


@pytest.mark.parametrize(("text", "slug"), [
    ("# T <!-- une note --> ##\n", "t"),
    ("#  <!-- c -->  #\n", ""),
    ("# A <!-- prettier-ignore --> B\n", "a-b"),
])
def test_comments_in_a_heading_are_not_slugged(text: str, slug: str) -> None:
    """Marpit takes every comment out of a heading before marp-core slugs it (checked against
    marp-core 5.0.2); the reading page and the presentation view agree."""
    from diapo.site.slides_html import SlideRenderer

    deck = parse("d.md", text=text)
    assert [h.slug for h in scan_deck(deck).slides[0].headings] == [slug]
    assert SlideRenderer(deck).render(deck.slides[0]).html.startswith(f'<h1 id="{slug}"')
