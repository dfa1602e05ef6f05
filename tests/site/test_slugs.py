"""Heading ids computed like marp-core's githubSlugify, unique across a deck."""

from __future__ import annotations

import pytest

from diapo.site.slugs import Slugger, github_slugify


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
