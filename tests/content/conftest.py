"""Fixtures for the content tests: the project's real decks and demo manifests."""

from __future__ import annotations

from pathlib import Path

import pytest

from diapo.deck import load_decks
from diapo.deck.model import Deck

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
DEMOS = ROOT / "demos" / "kubernetes"


@pytest.fixture(scope="session")
def decks() -> list[Deck]:
    """Every deck of docs/, parsed once."""
    return load_decks(DOCS)


@pytest.fixture(scope="session")
def kubernetes(decks: list[Deck]) -> Deck:
    """The Kubernetes lecture."""
    return next(deck for deck in decks if deck.name == "kubernetes")


def manifests() -> list[Path]:
    """The deck's Kubernetes manifests: every YAML file of its demos/ but images.yaml."""
    return sorted(p for p in DEMOS.glob("*.yaml") if p.name != "images.yaml")
