"""The ordered parse pipeline: one small pass per Marp concern, like Marpit's core rules.

    source -> front-matter -> blocks -> comments -> global directives -> split (hr,
    headingDivider) -> local/spot directives + notes -> images, fragments, fences, demos
    -> pagination -> content (link reference definitions are gathered for the whole deck)
"""

from __future__ import annotations

import gc
import re
from pathlib import Path
from typing import Any

from diapo.deck import (
    blocks as blocks_mod,
    comments as comments_mod,
    demos as demos_mod,
    directives as dirs,
    fences as fences_mod,
    fragments,
    frontmatter,
    images,
    inline,
    pagination,
    references as references_mod,
    source,
    split,
)
from diapo.deck.blocks import FENCE, HEADING, Block
from diapo.deck.model import Deck, Note, Reference, Slide
from diapo.errors import DeckError, DiapoWarning, at


class _Context:
    """What the passes share while parsing one deck."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.lines = text.split("\n")
        self.warnings: list[DiapoWarning] = []

    def warn(self, message: str, line: int) -> None:
        self.warnings.append(DiapoWarning(message, at(self.path, line)))

    def error(self, message: str, line: int, hint: str | None = None) -> DeckError:
        return DeckError(message, at(self.path, line), hint=hint)


def _apply(ctx: _Context, mapping: dict[str, Any], line: int, *, scope: str,
           into: dict[str, Any], spot: dict[str, Any] | None = None,
           report_unknown: bool = True) -> None:
    """Validate the directives of one mapping of `scope` ("global" or "local") into dicts."""
    for key, value in mapping.items():
        key = str(key)
        name = key.removeprefix("_")
        if scope == "global" and dirs.is_global(key) or scope == "local" and dirs.is_local(key):
            target, name = into, key
        elif scope == "local" and key.startswith("_") and dirs.is_local(name) and spot is not None:
            target = spot
        else:
            if report_unknown and scope == "local" and not dirs.is_known(key):
                ctx.warn(dirs.unknown(key), line)
            continue
        try:
            target[name] = dirs.validate(name, value)
        except dirs.InvalidValue as exc:
            raise ctx.error(str(exc), line) from None


def _front_matter_items(fm: frontmatter.FrontMatter) -> list[tuple[str, Any, int]]:
    """(key, value, 1-based line) of each front-matter entry."""
    lines = frontmatter.key_lines(fm)
    return [(str(k), v, 2 + lines.get(str(k), 0)) for k, v in fm.data.items()]


def _globals(ctx: _Context, fm_items: list[tuple[str, Any, int]],
             comments: list[comments_mod.Comment]) -> tuple[dict[str, Any], dict[str, int]]:
    """Global directives: front-matter, then every directive comment (the last value wins),
    and the line of each value in effect; unknown front-matter keys are reported here."""
    result: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key, value, line in fm_items:
        _apply(ctx, {key: value}, line, scope="global", into=result, report_unknown=False)
        if dirs.is_global(key):
            lines[key] = line
    for comment in comments:
        if comment.kind != comments_mod.DIRECTIVE:
            continue
        found = {k: v for k, v in comment.directives.items() if dirs.is_global(str(k))}
        if found:  # most directive comments hold local directives only
            _apply(ctx, found, comment.line + 1, scope="global", into=result,
                   report_unknown=False)
            lines.update((str(k), comment.line + 1) for k in found)
    for key, _value, line in fm_items:
        if not dirs.is_known(key):
            ctx.warn(dirs.unknown(key, "dans le front-matter, ignorée"), line)
    return result, lines


_MARKUP = re.compile(r"[<!\[*_`~]")


def _title(block: Block) -> str:
    text = inline.text_of(block)
    if not _MARKUP.search(text):
        return " ".join(text.split())
    text = re.sub(r"<!--[\s\S]*?-->", "", text)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"(\*\*|__|\*|_|`|~~)", "", text)
    return " ".join(text.split())


def _content(ctx: _Context, rng: split.Range, slide_comments: list[comments_mod.Comment],
             hidden: list[tuple[int, int]]
             ) -> tuple[str, list[tuple[int, int]], dict[int, tuple[int, ...]]]:
    """The slide's Markdown without directive comments, notes and hidden demo fences; the
    rest as written (every line ends with a newline). Magic comments such as Marp's
    `<!-- fit -->` or `<!-- prettier-ignore -->` stay: they are markup, not notes.

    Also what `Slide.source_line` needs: the deck line ranges [start, end) left out or
    rewritten, and for each rewritten block (a paragraph that lost an inline comment), by its
    first line, where each of its lines left begins."""
    cuts = list(hidden)  # line ranges [start, end) to leave out or to rewrite
    with_inline: dict[int, list[comments_mod.Comment]] = {}  # block start -> its comments
    for c in slide_comments:
        if c.span is not None:
            if c.block.start not in with_inline:
                with_inline[c.block.start] = []
                cuts.append((c.block.start, c.block.end))
            with_inline[c.block.start].append(c)
        elif c.kind != comments_mod.MAGIC:
            cuts.append((c.block.start, c.block.end))
    cuts.sort()  # leaf blocks never share a line, so the cuts do not overlap
    lines = ctx.lines
    out: list[str] = []
    kept_lines: dict[int, tuple[int, ...]] = {}
    ln = rng.start
    for start, end in cuts:
        out.extend(lines[ln:start])
        in_block = with_inline.get(start)
        if in_block is not None:
            kept, kept_lines[start] = _without_inline(lines, in_block)
            out.append(kept)
        ln = max(ln, end)
    out.extend(lines[ln:rng.end])
    return _join(out), cuts, kept_lines


def _without_inline(lines: list[str],
                    comments: list[comments_mod.Comment]) -> tuple[str, tuple[int, ...]]:
    """The raw lines of the block holding these inline comments, without the non-magic ones,
    and the line (counted from the block's first) where each line left begins."""
    block = comments[0].block
    raw = "\n".join(lines[block.start:block.end])
    # The raw lines differ from the block's text only by container prefixes, so the
    # comments are found again in the same order.
    found = list(zip(inline.scan(raw, comments_mod.MATCHER, "-->"), comments))
    cut = [(m.start(), m.end()) for m, comment in found if comment.kind != comments_mod.MAGIC]
    starts, kept, pos = [0], [], 0
    for rank, newline in enumerate(re.finditer("\n", raw)):  # the newlines left begin lines
        while pos < len(cut) and cut[pos][1] <= newline.start():
            pos += 1
        if pos == len(cut) or newline.start() < cut[pos][0]:
            starts.append(rank + 1)
    last = 0
    for a, b in cut:
        kept.append(raw[last:a])
        last = b
    kept.append(raw[last:])
    return "".join(kept), tuple(starts)


def _join(lines: list[str]) -> str:
    """Lines back into text, each with its newline."""
    return "\n".join(lines) + "\n" if lines else ""


def parse(path: str | Path, *, text: str | None = None, name: str | None = None) -> Deck:
    """Parse a Marp deck file (or `text` given for it) into a `Deck`; raises `DeckError`."""
    # A parse allocates tens of thousands of objects and frees none of them in cycles: the
    # cyclic collector's passes meanwhile found nothing and took a third of the time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse(path, text, name)
    finally:
        if enabled:
            gc.enable()


def _parse(path: str | Path, text: str | None, name: str | None) -> Deck:
    path_str = str(path)
    text = source.read(path) if text is None else source.normalize(text.removeprefix("\ufeff"))
    ctx = _Context(path_str, text)
    body_end = len(ctx.lines) - 1 if ctx.lines[-1] == "" else len(ctx.lines)  # final newline

    fm = frontmatter.parse(ctx.lines, path_str)
    blocks = blocks_mod.scan(ctx.lines, fm.body_start, body_end)
    comments = comments_mod.collect(blocks, path_str)
    references = references_mod.collect(blocks, path_str) if "]:" in text else {}
    fm_items = _front_matter_items(fm)
    global_dirs, directive_lines = _globals(ctx, fm_items, comments)
    levels = split.divider_levels(global_dirs.get("headingDivider"))
    ranges = split.split(blocks, fm.body_start, body_end, levels)
    slides = _Slides(ctx, fm_items, comments, references).build(ranges)
    pagination.paginate(slides)
    return Deck(path=Path(path), name=name or default_name(path), source=text,
                front_matter=fm.data, directives=global_dirs, slides=slides,
                warnings=ctx.warnings, directive_lines=directive_lines, references=references)


class _Slides:
    """The per-slide passes: local and spot directives, notes, images, titles, fences and
    demos, fragments and content. Local directives and demo ids carry over slides."""

    def __init__(self, ctx: _Context, fm_items: list[tuple[str, Any, int]],
                 comments: list[comments_mod.Comment], references: dict[str, Reference]):
        self.ctx = ctx
        self.references = references
        self.local: dict[str, Any] = {}
        self.first_spot: dict[str, Any] = {}  # spot directives of the front-matter
        for key, value, line in fm_items:
            _apply(ctx, {key: value}, line, scope="local", into=self.local,
                   spot=self.first_spot, report_unknown=False)
        self.comments = comments
        self.demos = demos_mod.Collector()

    def build(self, ranges: list[split.Range]) -> list[Slide]:
        slides = []
        comments, taken = self.comments, 0
        for index, rng in enumerate(ranges):
            # Comments and slides are both in source order, and a comment's block (a leaf:
            # leaves never share a line) starts inside its slide's range.
            first = taken
            while taken < len(comments) and comments[taken].block.start < rng.end:
                taken += 1
            slides.append(self.slide(index, rng, comments[first:taken]))
        return slides

    def slide(self, index: int, rng: split.Range,
              slide_comments: list[comments_mod.Comment]) -> Slide:
        ctx, path = self.ctx, self.ctx.path
        spot = self.first_spot if index == 0 else {}
        notes: list[Note] = []
        for c in slide_comments:
            if c.kind == comments_mod.DIRECTIVE:
                _apply(ctx, c.directives, c.line + 1, scope="local", into=self.local, spot=spot)
            elif c.kind == comments_mod.NOTE:
                notes.append(Note(c.content, at(path, c.line + 1)))
                if c.directives:
                    _warn_lookalike(ctx, c)
        # An empty slide (two separators in a row) is placed on its separator line.
        first = rng.start + 1 if rng.end > rng.start else max(rng.start, 1)
        slide = Slide(index=index, location=at(path, first), end_line=max(rng.end, first),
                      source=_join(ctx.lines[rng.start:rng.end]), content="",
                      directives={**self.local, **spot}, notes=notes,
                      images=images.find(rng.blocks, path, self.references),
                      blocks=rng.blocks)
        hidden: list[tuple[int, int]] = []
        for block in rng.blocks:
            if block.kind == HEADING:
                if slide.title is None:
                    slide.title = _title(block) or None
            elif block.kind == FENCE:
                fence = fences_mod.make(block, path)
                slide.fences.append(fence)
                count = len(self.demos.demos)
                if self.demos.add(fence, index + 1):
                    hidden.append((block.start, block.end))
                    fence.shown = False
                slide.demos.extend(self.demos.demos[count:])
        slide.fragments = fragments.count(rng.blocks)
        if slide_comments or hidden:
            slide.content, cuts, kept = _content(ctx, rng, slide_comments, hidden)
            slide.content_cuts = tuple(cuts)
            if kept:
                slide.content_kept = tuple(kept.items())
        else:
            slide.content = slide.source
        return slide


def _warn_lookalike(ctx: _Context, comment: comments_mod.Comment) -> None:
    """A note that looks like a misspelt directive (`<!-- pagniate: false -->`) is reported."""
    for key in comment.directives:
        if dirs.suggest(str(key)):
            ctx.warn(dirs.unknown(str(key), "")
                     + " : ce commentaire reste une note du présentateur", comment.line + 1)


def default_name(path: str | Path) -> str:
    """The deck name of a path: relative to its `docs/` folder if any, without `.md`."""
    parts = Path(path).with_suffix("").parts
    if "docs" in parts:
        rest = parts[len(parts) - 1 - parts[::-1].index("docs") + 1:]
        if rest:
            return "/".join(rest)
    return Path(path).stem


def load_decks(docs_dir: str | Path) -> list[Deck]:
    """Every `*.md` under `docs_dir` (sorted), parsed; names use `/`.

    `index.md` counts only when it is a home deck (`home.is_home_deck`), as on the site.
    """
    from diapo.deck import home

    root = Path(docs_dir)
    decks = []
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root).with_suffix("").as_posix()
        if rel != "index":
            decks.append(parse(path, name=rel))
            continue
        try:
            deck = parse(path, name=rel)
        except DeckError:
            if home.marp_front_matter(path):
                raise
            continue  # a hand-written home page, not a deck
        if home.is_home_deck(deck):
            decks.append(deck)
    return decks
