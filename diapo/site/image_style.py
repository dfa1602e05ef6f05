"""CSS for Marp's image keywords, shared by the reading page and the presentation view."""

from __future__ import annotations

from diapo.deck.model import Image


def image_style(image: Image) -> str:
    """Inline CSS for an image's size and filter keywords (`h:350px`, `blur`, ...), or ""."""
    style = []
    if image.width:
        style.append(f"width:{image.width}")
    if image.height:
        style.append(f"height:{image.height}")
    if image.filters:
        filters = " ".join(f"{name}({value})" for name, value in image.filters.items())
        style.append(f"filter:{filters}")
    return ";".join(style)
