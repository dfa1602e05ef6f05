"""The deck's link reference definitions in the form markdown-it's inline parser reads them.

Marp parses a deck as one document: a label defined on any slide serves them all. The site
parses slide by slide, so each parse starts from the whole deck's definitions.
"""

from __future__ import annotations

from markdown_it.common.normalize_url import normalizeLink

from diapo.deck.model import Deck


def env(deck: Deck) -> dict[str, dict]:
    """markdown-it's `env["references"]` for the deck's definitions (`Deck.references`)."""
    return {label: {"href": normalizeLink(ref.url), "title": ref.title or ""}
            for label, ref in deck.references.items()}
