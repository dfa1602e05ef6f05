"""The `diapo` command (also `python -m diapo`): `--version` and `new`.

Everyday work goes through invoke in the course folder (`invoke build`, `invoke verify`, ...);
this command only creates courses. Errors are one French line on stderr, exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from diapo import __version__
from diapo.errors import DiapoError

# argparse's own messages, in French (everything a lecturer reads is).
_MESSAGES = (("the following arguments are required", "argument obligatoire manquant"),
             ("unrecognized arguments", "arguments inconnus"),
             ("invalid choice", "choix invalide"),
             ("expected one argument", "une valeur est attendue"))


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one French line (`erreur: ...`, exit code 2)."""

    def error(self, message: str) -> NoReturn:
        for english, french in _MESSAGES:
            message = message.replace(english, french)
        self.exit(2, f"erreur: {message} (aide : {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="diapo", add_help=False,
        description="Cours en diapositives Marp, site MkDocs et démos Kubernetes vérifiées. "
                    "Dans un cours : invoke --list.")
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide")
    parser.add_argument("--version", action="version", version=f"diapo {__version__}",
                        help="afficher la version de diapo")
    commands = parser.add_subparsers(dest="command", metavar="COMMANDE", parser_class=_Parser)
    new = commands.add_parser(
        "new", add_help=False,
        help="créer un cours (ou ajouter diapo à un cours marp-cli existant)",
        description="Écrit un cours minimal en français dans DOSSIER (absent ou vide), ou, avec "
                    "--from-marp, ajoute seulement mkdocs.yml et tasks.py à côté d'un dossier "
                    "de decks Marp existant.")
    new.add_argument("-h", "--help", action="help", help="afficher cette aide")
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
