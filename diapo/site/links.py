"""Where a deck's link points, whether it exists, and where it goes from the reading page.

Decks link the way marp-cli lays out its output (a deck is `<name>.html` next to its source):
`cloud.html`, `annexe/kubernetes/stockage.html`, `kubernetes.html#12`, `cloud.md`, `#intro`,
and folder links: `./#2` is `index.html#2`, slide 2 of the deck `index.md` when the docs have
one (marp-cli's home deck), else the home page, whose `#N` is slide N of the configured home
deck. `resolve()` turns such a URL into a `LinkTarget`; `check()` reports broken ones with file
and line; `reading_href()` gives the Markdown-relative URL the reading page uses (MkDocs then turns
`x.md` into the page URL); `presentation_href()` the URL the presentation view uses.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property, lru_cache
from urllib.parse import unquote, urlsplit

from diapo.errors import DiapoWarning
from diapo.site import math
from diapo.site.scan import DeckScan, Link

EXTERNAL, ANCHOR, DECK, HOME, FILE = "external", "anchor", "deck", "home", "file"
_DECK_SUFFIXES = (".html", ".md")


@dataclass(frozen=True)
class LinkTarget:
    """A resolved link: its kind, the deck or docs-relative file it names, and its fragment."""

    kind: str
    name: str = ""  # deck name (DECK) or docs-relative path (FILE)
    fragment: str = ""


def resolve(url: str, deck_name: str, deck_names: Collection[str]) -> LinkTarget:
    """Resolve `url`, written in deck `deck_name`, against the docs tree.

    A path naming a deck as `<deck>.html` or `<deck>.md` is a DECK target (reported as missing
    when there is no such deck); a folder `<dir>/` is the deck `<dir>/index.md` when there is
    one (marp-cli writes it to `<dir>/index.html`), else the deck `<dir>.md` (whose reading
    page is `<dir>/`), else, for the docs folder itself, the home page.
    """
    names = deck_names if isinstance(deck_names, frozenset) else frozenset(deck_names)
    return _resolve(url, deck_name, names if _needs_names(url) else frozenset())


def _needs_names(url: str) -> bool:
    """Whether `url` resolves differently with other decks (folder and index links)."""
    path = urlsplit(url).path
    return path.endswith("/") or path in (".", "..") or posixpath.basename(path) in _INDEXES


_INDEXES = ("index.html", "index.md")


@lru_cache(maxsize=1 << 16)  # rebuilds check the same links again
def _resolve(url: str, deck_name: str, deck_names: frozenset[str]) -> LinkTarget:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("/", "\\")):
        return LinkTarget(EXTERNAL)
    fragment = unquote(parts.fragment)
    path = unquote(parts.path)
    if not path:
        return LinkTarget(ANCHOR, deck_name, fragment) if fragment else LinkTarget(EXTERNAL)
    base = posixpath.dirname(deck_name)
    joined = posixpath.normpath(posixpath.join(base, path))
    if joined.startswith("../") or joined == "..":
        return LinkTarget(FILE, joined, fragment)  # outside docs/: reported as missing
    if path.endswith("/") or path in (".", "..") or joined == ".":
        index = "index" if joined == "." else f"{joined}/index"
        if index in deck_names:
            return LinkTarget(DECK, index, fragment)
        if joined in deck_names:
            return LinkTarget(DECK, joined, fragment)
        if joined == ".":
            return LinkTarget(HOME, "", fragment)
        return LinkTarget(FILE, joined, fragment)
    if joined in _INDEXES and "index" not in deck_names:
        return LinkTarget(HOME, "", fragment)
    for suffix in _DECK_SUFFIXES:
        if joined.endswith(suffix):
            return LinkTarget(DECK, joined[: -len(suffix)], fragment)
    return LinkTarget(FILE, joined, fragment)


@dataclass
class Site:
    """What links are checked against: decks (with their scans), docs files, the home deck."""

    scans: dict[str, DeckScan]  # deck name -> scan
    slide_counts: dict[str, int]  # deck name -> number of slides
    files: set[str]  # docs-relative paths of every file in docs/
    home_deck: str

    @cached_property
    def deck_names(self) -> frozenset[str]:
        """The names of every deck."""
        return frozenset(self.slide_counts)

    def check_fragment(self, deck: str, fragment: str) -> str | None:
        """Why `fragment` is not an anchor of `deck` (None when it is)."""
        if not fragment:
            return None
        if fragment.isdigit():
            count = self.slide_counts[deck]
            if 1 <= int(fragment) <= count:
                return None
            return (f"la diapositive #{fragment} n'existe pas : le deck « {deck} » a {count} "
                    f"diapositive{'s' if count > 1 else ''}")
        if fragment in self.scans[deck].slugs:
            return None
        return f"aucune diapositive ni aucun titre « #{fragment} » dans le deck « {deck} »"


def check_link(link: Link, deck_name: str, site: Site) -> str | None:
    """Why `link` (in deck `deck_name`) is broken, or None when it resolves."""
    target = resolve(link.url, deck_name, site.deck_names)
    if target.kind == EXTERNAL:
        return None
    if target.kind == ANCHOR:
        return site.check_fragment(deck_name, target.fragment)
    if target.kind == DECK:
        if target.name not in site.slide_counts:
            return (f"le lien « {link.url} » mène au deck « {target.name} », "
                    f"mais docs/{target.name}.md n'existe pas")
        return site.check_fragment(target.name, target.fragment)
    if target.kind == HOME:
        if not target.fragment:
            return None
        if not target.fragment.isdigit():
            return (f"lien « {link.url} » : la page d'accueil n'a pour ancres que les "
                    "diapositives (#N) du deck d'accueil")
        if site.home_deck not in site.slide_counts:
            return (f"le lien « {link.url} » mène à la diapositive {target.fragment} du deck "
                    f"d'accueil « {site.home_deck} », mais docs/{site.home_deck}.md n'existe pas")
        return site.check_fragment(site.home_deck, target.fragment)
    if target.name in site.files:
        return None
    what = "image" if link.image else "cible de lien"
    return f"{what} « {link.url} » introuvable (cherché : docs/{target.name})"


def check(site: Site) -> list[DiapoWarning]:
    """Every broken link, anchor and missing image, and every formula that cannot be drawn,
    of every deck, in deck and line order."""
    problems: list[DiapoWarning] = []
    for name, scan in sorted(site.scans.items()):
        links = [link for slide in scan.slides for link in slide.links] + scan.directive_links
        for link in links:
            message = check_link(link, name, site)
            if message:
                problems.append(DiapoWarning(message, link.location))
        for formula in (f for slide in scan.slides for f in slide.formulas):
            message = math.problem(formula.tex, formula.display)
            if message:
                problems.append(DiapoWarning(message, formula.location))
    return sorted(set(problems), key=lambda p: (p.location, p.message))


def target_source(url: str, deck_name: str, deck_names: Collection[str],
                  home_deck: str) -> tuple[str, str] | None:
    """The docs-relative source file a reading page reaches through `url`, and the fragment.

    None for external links, same-page anchors and targets outside docs/.
    """
    target = resolve(url, deck_name, deck_names)
    if target.kind == DECK and target.name in deck_names:
        return f"{target.name}.md", target.fragment
    if target.kind == HOME:
        if target.fragment.isdigit() and home_deck in deck_names:
            return f"{home_deck}.md", target.fragment
        return "index.md", ""
    if target.kind == FILE and not target.name.startswith("../"):
        return target.name, target.fragment
    return None


def reading_href(url: str, deck_name: str, deck_names: Collection[str],
                 home_deck: str) -> str | None:
    """The URL a reading page's Markdown uses for `url`, relative to the deck's source file.

    `x.html#N` becomes `x.md#N` (MkDocs then makes it `../x/#N`), `./#2` becomes the home
    deck's slide 2, `./` the home page. None: leave the URL as it is (MkDocs resolves files).
    """
    found = target_source(url, deck_name, deck_names, home_deck)
    if found is None or not found[0].endswith(".md"):
        return None
    source, fragment = found
    base = posixpath.dirname(deck_name) or "."
    return posixpath.relpath(source, base) + (f"#{fragment}" if fragment else "")


def presentation_href(url: str, deck_name: str, deck_names: Collection[str]) -> str | None:
    """The URL a presentation view uses for `url`: `x.md#N` becomes `x.html#N`, the deck's own
    presentation (as marp-cli's server opens a linked `.md`). None: keep the URL as written."""
    parts = urlsplit(url)
    if not parts.path.endswith(".md") or parts.scheme or parts.netloc:
        return None
    target = resolve(url, deck_name, deck_names)
    if target.kind != DECK or target.name not in deck_names:
        return None
    new = parts.path[: -len(".md")] + ".html"
    return new + (f"?{parts.query}" if parts.query else "") + (
        f"#{parts.fragment}" if parts.fragment else "")
