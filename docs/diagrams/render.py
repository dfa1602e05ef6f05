"""Render every diagram of docs/ (run by `invoke images`).

Usage: python docs/diagrams/render.py [NAME ...]   (NAME: a module of this folder, e.g. whoami_service)

Each module of this folder whose name does not start with `_` and is not this file exposes
`OUTPUT` (PNG path relative to docs/) and `draw(path)`. The rendered PNGs are committed so that
building the site needs no Graphviz.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent


def modules() -> list[str]:
    """Names of the diagram modules, sorted."""
    return sorted(
        p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_") and p.stem != "render"
    )


def render(names: list[str] | None = None) -> list[Path]:
    """Render the named diagrams (all when `names` is empty); return the written PNG paths."""
    sys.dont_write_bytecode = True  # no __pycache__ under docs/ (MkDocs would publish it)
    sys.path.insert(0, str(HERE))
    written = []
    for name in names or modules():
        if name not in modules():
            raise SystemExit(f"diagramme inconnu: {name} (connus: {', '.join(modules())})")
        module = importlib.import_module(name)
        target = DOCS / module.OUTPUT
        module.draw(target)
        if not target.is_file():
            raise SystemExit(f"{name}: {target} n'a pas été produit")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    for path in render(argv if argv is not None else sys.argv[1:]):
        print(path.relative_to(DOCS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
