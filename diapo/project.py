"""One course project: its root, mkdocs.yml, diapo's settings and its decks.

Every entry point (`invoke build`, `verify`, `demo`, `present`, `inspect`, `pdf`, ...) starts
from `Project.find()`: the nearest mkdocs.yml, read once, and one way to name a deck.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from diapo import config as config_mod
from diapo.deck.model import Deck


@dataclass(frozen=True)
class Project:
    """A course: the folder holding mkdocs.yml. Its settings are read (and validated) when
    first used, so a lookup that needs only the folders works with a broken `diapo` entry."""

    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The project at or above `start` (default: the current directory)."""
        return cls(config_mod.find_root(start))

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / "mkdocs.yml"

    @cached_property
    def config(self) -> config_mod.DiapoConfig:
        """The `diapo` plugin options, validated (a DiapoError names mkdocs.yml and the key)."""
        return config_mod.load(self.root)[0]

    @cached_property
    def docs_dir(self) -> Path:
        """The decks folder: mkdocs.yml's `docs_dir` (default `docs`)."""
        return config_mod.docs_dir(self.root)

    @cached_property
    def site_dir(self) -> Path:
        """The built site: mkdocs.yml's `site_dir` (default `site`)."""
        return config_mod.mkdocs_dir(self.root, "site_dir", "site")

    @property
    def report(self) -> Path:
        """The verification report the site and the lecture read."""
        return self.root / self.config.report

    def demos_dir(self, deck: Deck) -> Path:
        """The files copied into each run of `deck` (demos/<deck>/)."""
        return self.root / self.config.demos_dir / deck.name

    def find_deck(self, name: str) -> Deck:
        """The deck named `name` (`kubernetes`, `annexe/x`) or at path `name`, parsed; a
        DiapoError lists the decks there are."""
        from diapo.deck import lookup, parse

        found = lookup.locate(name, self.docs_dir, self.root)
        if found is None:
            raise lookup.unknown(name, self.docs_dir, self.root,
                                 lookup.known_names(self.docs_dir))
        return parse(found[1], name=found[0])

    def decks(self, names: list[str] | None = None) -> list[Deck]:
        """The site's decks, parsed: all of them, or those `names` designate (in that order,
        each once)."""
        from diapo.deck import load_decks, lookup

        every = load_decks(self.docs_dir)
        if not names:
            return every
        by_name = {deck.name: deck for deck in every}
        chosen: list[Deck] = []
        for name in names:
            key = lookup.name_of(name, self.docs_dir, self.root)
            if key not in by_name:
                raise lookup.unknown(name, self.docs_dir, self.root, list(by_name))
            if by_name[key] not in chosen:
                chosen.append(by_name[key])
        return chosen
