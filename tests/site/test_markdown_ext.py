"""The Markdown extension of deck pages, on a Markdown instance converting several texts."""

from __future__ import annotations

import markdown

from diapo.site.markdown_ext import DeckLinksExtension, LinkRewriter


def _kept(url: str) -> None:
    return None


def test_an_instance_kept_after_its_deck_page_converts_each_text_as_it_needs() -> None:
    """MkDocs makes one instance per page; another extension may keep one made during a deck
    page: math, emoji and escapes follow each conversion, not the first one."""
    extension = DeckLinksExtension()
    extension.rewriter = LinkRewriter(markdown_href=_kept, raw_href=_kept)
    md = markdown.Markdown(extensions=[extension, "tables"])  # tables escapes `|` too

    assert md.convert("Rien à calculer \\: ici.") == "<p>Rien à calculer : ici.</p>"
    md.reset()
    deck = md.convert("Aire $\\pi r^2$ :rocket: pour \\$5.")
    assert "<math" in deck and "🚀" in deck and "pour $5." in deck

    extension.rewriter = None  # the deck's page is done: an ordinary page
    md.reset()
    assert md.convert("Aire $x$ :rocket: \\$5 \\|.") == "<p>Aire $x$ :rocket: \\$5 |.</p>"
