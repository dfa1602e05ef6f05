"""Helpers for the deck parser tests."""

from __future__ import annotations

import textwrap

import pytest

from diapo.deck import parse
from diapo.deck.model import Deck
from diapo.errors import DeckError


def deck(text: str, name: str = "t") -> Deck:
    """Parse dedented `text` as the deck `<name>.md`."""
    return parse(f"{name}.md", text=textwrap.dedent(text), name=name)


def error(text: str) -> DeckError:
    """The DeckError raised by parsing dedented `text` (fails the test if none)."""
    with pytest.raises(DeckError) as info:
        deck(text)
    return info.value
