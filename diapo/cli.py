"""The `diapo` command (also `python -m diapo`): `--version` and `new`.

Everyday work goes through invoke in the course folder (`invoke build`, `invoke verify`, ...);
this command only creates courses. Errors are one French line on stderr, exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from diapo import __version__
from diapo.errors import DiapoError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="diapo",
        description="Cours en diapositives Marp, site MkDocs et démos Kubernetes vérifiées. "
                    "Dans un cours : invoke --list.")
    parser.add_argument("--version", action="version", version=f"diapo {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMANDE")
    new = commands.add_parser(
        "new", help="créer un cours (ou ajouter diapo à un cours marp-cli existant)",
        description="Écrit un cours minimal en français dans DOSSIER (absent ou vide), ou, avec "
                    "--from-marp, ajoute seulement mkdocs.yml et tasks.py à côté d'un dossier "
                    "de decks Marp existant.")
    new.add_argument("dir", metavar="DOSSIER", help="dossier du nouveau cours, ou des decks Marp")
    new.add_argument("--from-marp", action="store_true",
                     help="DOSSIER contient déjà des decks Marp : ne les modifier en rien")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command != "new":
        parser.print_help()
        return 0
    from diapo import scaffold

    try:
        written = scaffold.from_marp(args.dir) if args.from_marp else scaffold.new_course(args.dir)
    except DiapoError as exc:
        print(f"erreur: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"erreur: {exc.filename or args.dir}: {exc.strerror}", file=sys.stderr)
        return 2
    for name in written.files:
        print(f"écrit : {written.root / name}")
    if args.from_marp:
        print(f"decks : {written.root / written.docs_dir} (non modifiés)")
    print(f"ensuite : cd {written.root} && invoke build  (puis invoke serve, invoke verify)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
