"""Deck parsing: Marp-style Markdown into the Deck / Slide / Demo model.

`parse(path, *, text=None, name=None) -> Deck` and `load_decks(docs_dir) -> list[Deck]`;
`to_dict(deck)` gives the stable JSON form used by `invoke inspect --json`.
"""

from diapo.deck.pipeline import load_decks, parse
from diapo.deck.serialize import to_dict

__all__ = ["load_decks", "parse", "to_dict"]
