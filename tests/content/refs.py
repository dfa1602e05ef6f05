"""What a deck points at: images and links, found in slides and in header/footer directives."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from diapo.deck.model import Deck

_MD_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_ATTR = re.compile(r"\b(src|href)\s*=\s*[\"']([^\"']+)[\"']")
_FENCE = re.compile(r"^(```|~~~).*?^\1\s*$", re.M | re.S)


@dataclass(frozen=True)
class Ref:
    """A reference to a local target, with where it was written."""

    target: str  # as written (relative URL)
    slide: int  # 1-based slide number
    kind: str  # "image" or "link"


def is_local(url: str) -> bool:
    """True for a relative URL inside the site (not http:, mailto:, a bare #anchor...)."""
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and bool(parts.path or parts.fragment) \
        and not url.startswith("#")


def references(deck: Deck) -> Iterator[Ref]:
    """Local images and links of every slide (code blocks excluded), header/footer included."""
    for slide in deck.slides:
        text = _FENCE.sub("", slide.content)
        chrome = " ".join(str(slide.directives.get(key) or "") for key in ("header", "footer"))
        for image in slide.images:
            if is_local(image.src):
                yield Ref(unquote(image.src), slide.number, "image")
        for url in _MD_LINK.findall(text):
            if is_local(url):
                yield Ref(unquote(url), slide.number, "link")
        for attr, url in _HTML_ATTR.findall(text + " " + chrome):
            if is_local(url):
                yield Ref(unquote(url), slide.number, "image" if attr == "src" else "link")
