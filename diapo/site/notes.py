"""A slide's presenter notes as HTML paragraphs: the same in the presenter window, the handout
and (with `reading_notes: true`) the reading page.

Marp shows notes as plain text (paragraphs, line breaks), so they are escaped, never read as
Markdown.
"""

from __future__ import annotations

import html
import re

from diapo.deck.model import Slide

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def paragraphs(slide: Slide) -> list[str]:
    """One `<p>` per paragraph of every note of `slide`, escaped, line breaks kept."""
    return [f"<p>{html.escape(text.strip()).replace(chr(10), '<br>')}</p>"
            for note in slide.notes for text in _PARAGRAPH_BREAK.split(note.text)
            if text.strip()]
