"""`invoke inspect DECK [--json]`: what diapo understood of a deck, slide by slide."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from diapo.deck import lookup
from diapo.deck.model import Deck, Slide
from diapo.deck.pipeline import parse
from diapo.deck.serialize import to_json


def resolve(deck: str) -> tuple[str, Path]:
    """(name, file) of a deck given by name (`kubernetes`, `annexe/x`) or by path; outside a
    course (no mkdocs.yml), names are looked up in ./docs."""
    from diapo.errors import DiapoError
    from diapo.project import Project

    try:
        project = Project.find()
        root, docs = project.root, project.docs_dir
    except DiapoError:  # no mkdocs.yml: fall back to ./docs
        root, docs = Path.cwd(), Path("docs")
    found = lookup.locate(deck, docs, root)
    if found is None:
        raise lookup.unknown(deck, docs, root, lookup.known_names(docs) if docs.is_dir() else [])
    return found


def _slide_table(slide: Slide) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    if slide.directives:
        table.add_row("directives", escape(", ".join(f"{k}={v!r}" for k, v in
                                                      sorted(slide.directives.items()))))
    if slide.page is not None:
        table.add_row("page", f"{slide.page}/{slide.total}")
    if slide.fragments:
        table.add_row("fragments", str(slide.fragments))
    for note in slide.notes:
        table.add_row(f"note :{note.location.line}", escape(note.text))
    for image in slide.images:
        keys = [k for k in ("width", "height", "size", "split", "split_size")
                if getattr(image, k)]
        extra = " ".join(f"{k}={getattr(image, k)}" for k in keys)
        flags = ("bg " if image.background else "") + extra
        filters = " ".join(f"{k}:{v}" for k, v in image.filters.items())
        table.add_row(f"image :{image.location.line}",
                      escape(f"{image.src} {flags} {filters}".strip()))
    demos = {id(d.fence): d for d in slide.demos}
    for fence in slide.fences:
        demo = demos.get(id(fence))
        label = f" démo {demo.id} ({demo.kind.value})" if demo else ""
        table.add_row(f"bloc :{fence.location.line}",
                      escape(f"{fence.lang or '-'} {fence.info}".strip() + label))
    return table


def render(deck: Deck, console: Console) -> None:
    """Print the human form of a parsed deck."""
    console.print(f"[bold]{escape(deck.title)}[/] — {deck.path} ({len(deck.slides)} diapositives)")
    if deck.directives:
        console.print("globales : " + escape(", ".join(f"{k}={v!r}" for k, v in
                                                   sorted(deck.directives.items()))))
    for warning in deck.warnings:
        console.print(f"[yellow]avertissement[/] {escape(str(warning))}")
    for slide in deck.slides:
        title = escape(slide.title or "(sans titre)")
        console.rule(f"[bold]#{slide.number}[/] ligne {slide.location.line} — {title}",
                     align="left")
        console.print(_slide_table(slide))


def run(deck: str, *, as_json: bool = False) -> int:
    """Parse a deck and print it (rich text, or the stable JSON of `serialize.to_json`)."""
    name, path = resolve(deck)
    parsed = parse(path, name=name)
    if as_json:
        print(to_json(parsed))
    else:
        render(parsed, Console())
    return 0
