"""Page numbers and totals, as marpit's directive `apply` pass computes them.

Every slide increments the counter unless its `paginate` is `hold` or `skip`; a slide shows
the number if `paginate` is true or `hold` (`skip` hides it); the total is the final counter.
"""

from __future__ import annotations

from diapo.deck.model import Slide


def paginate(slides: list[Slide]) -> None:
    """Fill `Slide.page` (None when not shown) and `Slide.total` in place."""
    number = 0
    shown: list[Slide] = []
    for slide in slides:
        mode = slide.directives.get("paginate", False)
        if mode not in ("hold", "skip"):
            number += 1
        if mode and mode != "skip":
            number = max(number, 1)  # a deck opening on `hold` still shows page 1 (of 1)
            slide.page = number
            shown.append(slide)
        else:
            slide.page = None
    for slide in slides:
        slide.total = number
