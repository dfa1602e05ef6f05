"""Which deck a lecturer means: one lookup for `invoke demo`, `present`, `verify`, `inspect`
and `pdf`.

A deck is named as the site names it (`kubernetes`, `annexe/kubernetes/stockage`, with or
without `.md`) or by the path of its file, relative to the current directory or to the
project root. Its name is its path under docs_dir without `.md`; a file outside docs_dir is
named after its stem.
"""

from __future__ import annotations

from pathlib import Path

from diapo.errors import DiapoError


def locate(given: str, docs: Path, root: Path) -> tuple[str, Path] | None:
    """(deck name, resolved file) of the deck `given` designates; None if there is no file."""
    as_path = Path(given)
    candidates = [docs / f"{given.removesuffix('.md')}.md"]
    if as_path.suffix == ".md":
        candidates = [Path.cwd() / as_path, root / as_path, *candidates]
    for path in candidates:
        if path.is_file():
            resolved = path.resolve()
            try:
                name = resolved.relative_to(docs.resolve()).with_suffix("").as_posix()
            except ValueError:
                name = resolved.stem
            return name, resolved
    return None


def name_of(given: str, docs: Path, root: Path) -> str:
    """The deck name `given` designates, whether or not such a deck exists."""
    found = locate(given, docs, root)
    return found[0] if found else given.removesuffix(".md")


def unknown(given: str, docs: Path, root: Path, known: list[str]) -> DiapoError:
    """The one-line error for a deck that does not exist, listing those that do."""
    try:
        where = docs.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        where = str(docs)
    return DiapoError(f"deck « {given} » introuvable dans {where}/ ; "
                      f"decks : {', '.join(known) or 'aucun'}")


def known_names(docs: Path) -> list[str]:
    """The names of the Markdown files under `docs` that may be decks (index.md aside)."""
    return sorted(p.relative_to(docs).with_suffix("").as_posix() for p in docs.rglob("*.md")
                  if p.relative_to(docs).as_posix() != "index.md")
