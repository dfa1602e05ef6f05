"""Deck parsing: Marp-style Markdown into the Deck / Slide / Demo model."""
