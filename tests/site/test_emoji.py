"""Emoji on slides and reading pages: shortcodes and typed emoji, as marp-core shows them."""

from __future__ import annotations

import pytest

from diapo.site import emoji
from diapo.site.slides_html import new_markdown


def emojis(text: str) -> list[str]:
    """The pieces of `text` turned into emoji HTML, by their label."""
    return [label(piece) for piece, is_html in emoji.replace(text) if is_html]


@pytest.mark.parametrize(("text", "found"), [
    (":rocket: et :+1:", [":rocket:", ":+1:"]),
    (":inconnu: et 12:30", []),
    ("✅ fait, 🚀 parti", ["✅", "🚀"]),
    ("✈ seul, ✈️ avec VS16", ["✈️"]),  # text presentation without U+FE0F
    ("© 2026, ® et →", []),
    ("1️⃣ puis #1", ["1️⃣"]),
    ("👍🏽 👩‍💻 🇫🇷", ["👍🏽", "👩‍💻", "🇫🇷"]),  # modifier, ZWJ sequence, flag: one each
    ("Du texte français sans émoji : é, è, « », …", []),
])
def test_replace(text: str, found: list[str]) -> None:
    assert emojis(text) == found
    # nothing is lost: the pieces, emoji by their label, give the text back
    rebuilt = "".join(label(piece) if is_html else piece for piece, is_html in emoji.replace(text))
    assert rebuilt == text


def label(piece: str) -> str:
    return piece.split('aria-label="')[1].split('"')[0]


def test_code_keeps_its_emoji_as_written() -> None:
    html = new_markdown().render("`:rocket: 🚀` et :rocket:\n\n```\n:rocket:\n```\n")
    assert "<code>:rocket: 🚀</code>" in html and "<code>:rocket:\n</code>" in html
    assert html.count('class="diapo-emoji"') == 1
