"""The reading page of a deck: its slides one after the other, as Markdown for MkDocs.

Each slide becomes a `<section class="diapo-slide">` that starts with a bar whose id is the one
Marp gives the slide (`#N` lands on it) and links to the slide in the presentation view. Inside,
the slide's own Markdown with the few edits Python-Markdown needs to render it the way Marp does:

- headings get marp-core's ids (`{#découvrir-kubernetes-par-la-pratique}`, `-1` duplicates);
- an HTML container opened alone before a blank line gets `markdown="1"` (CommonMark renders
  the Markdown inside it; Python-Markdown needs md_in_html to do the same);
- Marp image keywords become attributes (`h:350px` -> `style="height:350px"`, `bg` -> class);
- demo fences lose their tags, get a "démo" badge with the verify proof, and their captured
  output in a folded block; hidden demos disappear; notes become a "Notes" admonition
  (only with `reading_notes: true`: the page is public);
- comments are removed from the text (Marp does not render them either), and so are `<style>`
  blocks (they style slides, not the reading page).

Every edit is made where the deck's parse put the block it concerns (`Slide.blocks`, the
scan's headings and HTML openers, the parser's fences and images): the source is not searched
again for comments, fences or headings.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping

from diapo.deck import comments, images as deck_images, inline
from diapo.deck.blocks import COMMENT, HEADING, HTML, MATH, STYLE, Block
from diapo.deck.model import Deck, Demo, DemoKind, Fence, Image, Reference, Slide
from diapo.site import math
from diapo.site.badges import FAILURE, SEARCH_EXCLUDE, Proof, badge_html
from diapo.site.image_style import image_style
from diapo.site.notes import paragraphs as note_paragraphs
from diapo.site.scan import DeckScan, SlideScan
from diapo.site.slides_html import STYLE_ELEMENT

# Slide boundaries in the Markdown. Python-Markdown passes comments through untouched and
# cheaply, so the slide bars and notes (plain HTML, nothing to render) are put in their place
# after rendering (see `finish`) rather than parsed as raw HTML blocks.
_MARKER = re.compile(r"<!-- diapo:slide (\d+) -->")  # before slide N; 0: after the last
# Marp `<style>` elements style the slides; on the reading page they would restyle it all.
_HIDDEN = re.compile(f"{comments.MATCHER.pattern}|{STYLE_ELEMENT.pattern}", re.IGNORECASE)


def presentation_url(deck_name: str) -> str:
    """URL of the presentation view from the deck's reading page (`<name>/` directory URL)."""
    return f"../{posixpath.basename(deck_name)}.html"


def render(deck: Deck, scan: DeckScan, proofs: dict[str, Proof]) -> str:
    """The reading page's Markdown for `deck`: its slides (see `page` for the whole page)."""
    parts = []
    for slide, slide_scan in zip(deck.slides, scan.slides):
        parts.append(f"<!-- diapo:slide {slide.number} -->")
        parts.append(_render_slide(slide, slide_scan, proofs, deck.references))
    if deck.slides:
        parts.append("<!-- diapo:slide 0 -->")
    return "\n\n".join(parts) + "\n"


def page(header: str, slides: str) -> str:
    """A reading page's Markdown: `header` (Markdown put before the slides), then `slides`
    (`render`'s)."""
    return f"{header}\n\n{slides}" if header else slides


def _render_slide(slide: Slide, scan: SlideScan, proofs: dict[str, Proof],
                  references: Mapping[str, Reference]) -> str:
    body = "\n".join(_slide_lines(slide, scan, proofs, references))
    closing = "".join(f"</{tag}>\n" for tag in scan.unclosed)
    return f"{body}\n\n{closing}"


def finish(html: str, deck: Deck, *, notes: bool = False) -> str:
    """Turn the slide markers of a rendered reading page into `<section>` elements.

    Each slide's section opens with a bar whose id is the one Marp gives the slide (`#N` lands
    on it) and which links to the slide in the presentation view, and closes with its notes
    when `notes` (the `reading_notes` option: the page is public, notes are the lecturer's).
    One marker between two slides (the fewer comments, the faster Python-Markdown goes).
    """
    url = presentation_url(deck.name)
    previous: list[Slide] = []

    def replace(match: re.Match[str]) -> str:
        number = int(match.group(1))
        expected = len(previous) + 1 if len(previous) < len(deck.slides) else 0
        if number != expected:
            return match.group(0)  # not one of ours: they come in order
        closing = f"{_notes(previous[-1]) if notes else ''}</section>" if previous else ""
        if number == 0:
            return closing
        previous.append(deck.slides[number - 1])
        # Kept short (1200 slides make a big page) and out of the search: the button's label
        # comes from the CSS.
        return (
            f'{closing}<section class="diapo-slide">'
            f'<div class="diapo-slide-bar" id="{number}"{SEARCH_EXCLUDE}>'
            f'<a class="diapo-slide-number" href="#{number}">{number}</a>'
            f'<a class="diapo-present" href="{url}#{number}" '
            f'aria-label="Présenter la diapositive {number}"></a></div>'
        )

    return _MARKER.sub(replace, html)


def _notes(slide: Slide) -> str:
    """Presenter notes as a "Notes" admonition (empty when the slide has none): the same
    paragraphs as in the presenter window (`diapo.site.notes`)."""
    body = "".join(note_paragraphs(slide))
    if not body:
        return ""
    return f'<div class="admonition note"><p class="admonition-title">Notes</p>{body}</div>'


def _slide_lines(slide: Slide, scan: SlideScan, proofs: dict[str, Proof],
                 references: Mapping[str, Reference]) -> Iterator[str]:
    """The slide's source lines with the reading-page edits applied (`references`: the
    deck's link reference definitions)."""
    first = slide.location.line
    lines = slide.source_lines()
    fences = {fence.location.line: fence for fence in slide.fences}
    demos = {demo.fence.location.line: demo for demo in slide.demos}
    expects = {demo.expect.location.line: demo for demo in slide.demos if demo.expect}
    headings = {h.line: h for h in scan.headings}
    atx = {block.start + 1: block for block in slide.blocks
           if block.kind == HEADING and not block.marker}
    images = _images_by_line(slide.images)
    maths = {block.start + 1: block for block in slide.blocks if block.kind == MATH}
    formulas = {f.location.line: f.tex for f in scan.formulas if f.display}
    text = _without_hidden(lines, first - 1, slide.blocks)
    index = 0
    while index < len(text):
        number = first + index
        fence = fences.get(number)
        if fence is not None:
            end = min(fence.end_line - first, len(text) - 1)
            block = lines[index: end + 1]
            yield from _fence_block(fence, block, demos.get(number), expects.get(number), proofs)
            index = end + 1
            continue
        if number in maths:
            formula = maths[number]
            yield from _math_block(formula, text[index:formula.end - first + 1],
                                   formulas.get(number))
            index += formula.end - formula.start
            if not formula.depth and index < len(text) and text[index].strip():
                yield ""  # the HTML block ends before the next line
            continue
        line = text[index]
        if number in headings:
            line = _with_heading_id(line, headings[number].slug, atx.get(number), lines[index])
        if number in scan.openers:
            line = line.rstrip()[:-1].rstrip() + ' markdown="1">'  # the tag alone on its line
        if number in images:
            line = _with_image_attributes(line, images[number], references)
        yield line
        index += 1


def _math_block(block: Block, lines: list[str], tex: str | None) -> Iterator[str]:
    """A `$$` block (`lines`, with their containers' markers; `tex`, its formula as the scan
    read it). At the top level, its MathML as an HTML block: the TeX as marp-core reads it,
    which Python-Markdown would otherwise read again (comments, HTML). In a container, the
    lines as they are: Python-Markdown's `$$` processor takes one that starts a block there."""
    if block.depth or tex is None:
        yield from lines
        return
    yield ""
    yield f'<div class="diapo-math">{math.mathml(tex, display=True)}</div>'


def _without_hidden(lines: list[str], offset: int, blocks: list[Block]) -> list[str]:
    """`lines` (the slide's, from deck line `offset`) without what Marp does not show and what
    would restyle the page: comment blocks and `<style>` blocks leave their lines blank but
    for their containers' markers (`> `); comments in text and `<style>` elements anywhere go,
    their newlines staying. Comments inside raw HTML stay: they are HTML there, as in Marp."""
    out = list(lines)
    for block in blocks:
        start, end = block.start - offset, block.end - offset
        if block.kind == COMMENT or block.kind == STYLE:
            for k, text in zip(range(start, end), block.lines):
                # The block's text is its line's end, after the containers' markers.
                line = out[k]
                out[k] = (line[:len(line) - len(text)] if line.endswith(text)
                          else line[:len(line) - len(line.lstrip(" \t>"))])  # (a tab expanded)
            continue
        if block.kind != HTML and block.kind not in inline.INLINE_KINDS:
            continue
        raw = "\n".join(out[start:end])
        if block.kind == HTML:
            found = list(STYLE_ELEMENT.finditer(raw))
        else:  # outside code spans, as the parser reads them
            found = list(inline.scan(raw, _HIDDEN)) if "<" in raw else []
        for m in reversed(found):
            raw = raw[:m.start()] + "\n" * raw.count("\n", m.start(), m.end()) + raw[m.end():]
        if found:
            out[start:end] = raw.split("\n")
    return out


def _with_heading_id(line: str, slug: str, atx: Block | None, raw: str) -> str:
    """Give a heading line marp-core's id through attr_list (`## Titre {#titre}`). An ATX
    heading (`atx`, written `raw`) first loses what follows its text: the closing `#` run,
    which attr_list would take as text."""
    text = line.rstrip()
    if atx is not None:
        raw = raw.rstrip()
        start = raw.index("#") + atx.level  # containers (`>`, `-`, `1.`) hold no `#`
        start += len(raw) - start - len(raw[start:].lstrip(" \t"))
        tail = len(raw) - start - len(atx.lines[0])
        text = text[:len(text) - tail].rstrip()
    return f"{text} {{#{slug}}}"


def _images_by_line(images: list[Image]) -> dict[int, list[Image]]:
    """The images markdown-it draws (not those nested in an alt text), by source line."""
    by_line: dict[int, list[Image]] = {}
    for image in images:
        if not image.nested:
            by_line.setdefault(image.location.line, []).append(image)
    return by_line


def _image_attributes(image: Image) -> str:
    """attr_list text for Marp's image keywords (empty when the image has none)."""
    attrs = []
    if image.background:
        attrs.append(".diapo-bg")
        if image.split:
            attrs.append(f".diapo-bg-{image.split}")
    style = image_style(image)
    if style:
        attrs.append(f'style="{style}"')
    return "{ " + " ".join(attrs) + " }" if attrs else ""


def _with_image_attributes(line: str, images: list[Image],
                           defined: Mapping[str, Reference]) -> str:
    """Rewrite the Marp images of `line`: keywords out of the alt text, into attributes.

    The k-th image the deck parser's own image scan finds on the line is the parser's k-th;
    one by reference keeps its label (the alt text, when it was the label)."""
    pending = list(images)
    parts, pos = [], 0
    for match, src, _title in deck_images.matches(line, defined):
        if not pending or pending[0].src != src:  # (parsed alike: this does not happen)
            break
        image = pending.pop(0)
        attributes = _image_attributes(image)
        if not attributes:  # nothing of Marp's to move out of the alt text
            continue
        alt = image.alt.replace("]", r"\]")
        if match.group(2) is not None:  # inline: destination and title as written
            title = f" {match.group(3)}" if match.group(3) else ""
            written = f"![{alt}]({match.group(2)}{title})"
        else:
            written = f"![{alt}][{match.group(5) or match.group(4)}]"
        parts += [line[pos:match.start()], written + attributes]
        pos = match.end()
    return "".join(parts) + line[pos:]


def _fence_info(fence: Fence, title: str | None) -> str:
    """A fence's info string with diapo's tags removed (superfences only knows the language)."""
    info = fence.lang
    if title:
        info += f' title="{title.replace(chr(34), "")}"'
    return info


def _fence_block(fence: Fence, block: list[str], demo: Demo | None, expect_of: Demo | None,
                 proofs: dict[str, Proof]) -> Iterator[str]:
    """A fenced block of the slide, as the reading page shows it."""
    owner = demo or expect_of
    if owner is not None and owner.hidden:
        return  # hidden demos (and their expect blocks) are not shown
    prefix = block[0][:block[0].find(fence.marker)]
    if prefix.replace(">", "").strip(" \t"):  # opens a list item: keep the block as written
        yield from block
        return
    title = None
    if demo is not None:
        if demo.kind == DemoKind.FILE and demo.path:
            title = demo.path
        yield prefix + badge_html(proofs[demo.id], demo_id=demo.id)
        yield prefix.rstrip()
    elif expect_of is not None:
        title = "Sortie attendue"
    yield prefix + fence.marker + _fence_info(fence, title)
    yield from block[1:]
    shown_after = expect_of if expect_of is not None else (
        demo if demo is not None and demo.expect is None else None)
    if shown_after is not None:
        yield from _output_block(proofs[shown_after.id], prefix)


def _output_block(demo_proof: Proof, prefix: str) -> Iterator[str]:
    """The captured output of a demo's run, folded (pymdownx.details), escaped by the fence."""
    result = demo_proof.result
    if result is None:
        return
    failed = demo_proof.status == FAILURE
    sections = []
    if result.output.strip():
        sections.append(("text", result.output))
    if failed and result.diff:
        sections.append(("diff", result.diff))
    if not sections:
        return
    kind = "failure" if failed else "success"
    summary = "Sortie obtenue lors de la vérification"
    if failed:
        summary = "Échec lors de la vérification" + (f" : {result.reason}" if result.reason else "")
    yield prefix.rstrip()
    yield f'{prefix}??? {kind} "{summary.replace(chr(34), chr(39))}"'
    inner = prefix + "    "
    for lang, text in sections:
        yield prefix.rstrip()
        marker = "`" * max(3, _longest_backtick_run(text) + 1)
        yield f"{inner}{marker}{lang}"
        for line in text.rstrip("\n").splitlines():
            yield f"{inner}{line}" if line.strip() else inner.rstrip()
        yield f"{inner}{marker}"


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)
