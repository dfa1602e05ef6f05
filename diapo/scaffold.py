"""`diapo new`: a new French course in one command, or an existing marp-cli course made a site.

- `new_course(DIR)` writes a minimal course from the templates shipped in the package
  (`diapo/templates/course/`): mkdocs.yml, tasks.py, docs/index.md (the home page),
  docs/premiers-pas.md (a first deck whose demo verifies on the local control plane), demos/,
  .gitignore and a CI workflow that starts a kind cluster. DIR must be absent or empty.
- `from_marp(DIR)` adds only mkdocs.yml and tasks.py next to a folder of Marp decks, whose
  `docs_dir` points at it; no deck is touched and nothing is overwritten.

Template files carry no leading dot (`gitignore`, `github/`) so that packaging keeps them; the
mapping below names where each one lands.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from diapo import __version__
from diapo.deck import home as home_decks
from diapo.errors import DiapoError

# Template path (under templates/course/) -> path in the new course, where they differ.
_RENAMED = {"gitignore": ".gitignore", "github/workflows/cours.yml": ".github/workflows/cours.yml"}
# Files at a project root that document the repository rather than being decks.
_NOT_DECKS = {"readme.md", "changelog.md", "license.md", "contributing.md"}
_SKIPPED_DIRS = {"node_modules", "site", "venv", "__pycache__"}


@dataclass(frozen=True)
class Written:
    """What `diapo new` wrote: the project root and its new files (relative to it)."""

    root: Path
    files: list[str]
    docs_dir: str = "docs"


def _templates(kind: str) -> Traversable:
    return resources.files("diapo") / "templates" / kind


def _walk(folder: Traversable, prefix: str = "") -> list[tuple[str, str]]:
    """(relative path, text) of every template file under `folder`, sorted."""
    found: list[tuple[str, str]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":  # pip byte-compiles the template tasks.py on install
            continue
        rel = f"{prefix}{entry.name}"
        if entry.is_dir():
            found += _walk(entry, rel + "/")
        elif entry.is_file():
            found.append((rel, entry.read_text(encoding="utf-8")))
    return found


def _fill(text: str, rel: str, values: dict[str, str]) -> str:
    try:
        return Template(text).substitute(values)
    except (KeyError, ValueError) as exc:  # a broken template is diapo's bug, not the user's
        raise DiapoError(f"gabarit {rel} invalide : {exc}") from None


def _site_name(root: Path) -> str:
    """A readable course title from the folder name (`cours-k8s` -> `Cours k8s`)."""
    words = re.sub(r"[-_]+", " ", root.name).strip() or "Mon cours"
    return words[0].upper() + words[1:]


def new_course(target: str | Path) -> Written:
    """Write a minimal French course into `target` (absent or empty); returns what was written."""
    root = Path(target).expanduser().absolute()
    if root.exists() and not root.is_dir():
        raise DiapoError(f"{root} existe et n'est pas un dossier : rien n'a été écrit")
    if root.is_dir() and any(root.iterdir()):
        raise DiapoError(f"le dossier {root} n'est pas vide : rien n'a été écrit "
                         f"(choisissez un dossier absent ou vide)")
    values = {"site_name": _site_name(root), "requirement": f"diapo=={__version__}"}
    written = []
    for rel, text in _walk(_templates("course")):
        dest = _RENAMED.get(rel, rel)
        path = root / dest
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_fill(text, rel, values), encoding="utf-8")
        written.append(dest)
    return Written(root, written)


def _is_deck_file(path: Path) -> bool:
    return path.suffix == ".md" and path.is_file() and path.name.lower() not in _NOT_DECKS


def _deck_names(folder: Path) -> list[str]:
    """Deck names (relative paths without `.md`) under `folder`, skipping hidden folders."""
    names = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith(".") and d not in _SKIPPED_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if _is_deck_file(path):
                names.append(path.relative_to(folder).with_suffix("").as_posix())
    return names


def _decks_folder(target: Path) -> Path:
    """The folder of decks `target` names: itself when it holds decks, else its one subfolder
    holding decks (`diapo new --from-marp .` at the root of a repository with `slides/`)."""
    if any(_is_deck_file(p) for p in target.iterdir()):
        return target
    holders = [d for d in sorted(target.iterdir())
               if d.is_dir() and not d.name.startswith(".") and d.name not in _SKIPPED_DIRS
               and _deck_names(d)]
    if len(holders) == 1:
        return holders[0]
    if not holders:
        raise DiapoError(f"aucun deck Markdown (.md) dans {target} : rien n'a été écrit")
    names = ", ".join(d.name for d in holders)
    raise DiapoError(f"plusieurs dossiers de decks dans {target} ({names}) : "
                     f"indiquez lequel, par exemple diapo new --from-marp {holders[0]}")


def from_marp(target: str | Path) -> Written:
    """Add mkdocs.yml and tasks.py next to the folder of Marp decks `target` names.

    The files go in the folder's parent (MkDocs wants its configuration outside docs_dir);
    an existing mkdocs.yml or tasks.py there is never overwritten: nothing is written then.
    """
    given = Path(target).expanduser().absolute()
    if not given.is_dir():
        raise DiapoError(f"{given} n'est pas un dossier de decks : rien n'a été écrit")
    decks = _decks_folder(given)
    root = decks.parent
    for name in ("mkdocs.yml", "tasks.py"):
        if (root / name).exists():
            raise DiapoError(f"{root / name} existe déjà : rien n'a été écrit "
                             f"(diapo new --from-marp n'écrase aucun fichier)")
    names = _deck_names(decks)
    # marp-cli's home is index.md when it is a deck (the footers' `./#N` links reach it).
    home = next((n for n in ("index", "introduction") if n in names and
                 (n != "index" or home_decks.marp_front_matter(decks / "index.md"))), names[0])
    values = {"site_name": _site_name(root), "docs_dir": decks.name, "home_deck": home}
    texts = {
        "mkdocs.yml": _fill((_templates("marp") / "mkdocs.yml").read_text(encoding="utf-8"),
                            "marp/mkdocs.yml", values),
        "tasks.py": (_templates("course") / "tasks.py").read_text(encoding="utf-8"),
    }
    written = []
    for name, text in texts.items():
        with open(root / name, "x", encoding="utf-8") as out:  # "x": never overwrite
            out.write(text)
        written.append(name)
    return Written(root, written, docs_dir=decks.name)
