"""The home page: every deck with its title, description, size and proof, and the `#N` redirect.

A presentation's footer links to `./#2`, the home page with a slide number: the home page sends
such a URL on to that slide of the home deck's presentation (a few lines of JavaScript).
"""

from __future__ import annotations

import html
import json
import posixpath
from itertools import groupby

from diapo.deck.home import MARKER
from diapo.deck.model import Deck
from diapo.demo.report import Report
from diapo.site import changes
from diapo.site.badges import count_verified, run_detail


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count <= 1 else plural}"  # French: 0 and 1 are singular


def _section_title(folder: str) -> str:
    """`annexe/kubernetes` -> `Annexe / Kubernetes`."""
    return " / ".join(part.replace("-", " ").capitalize() for part in folder.split("/"))


def proof_line(deck: Deck, report: Report | None) -> str:
    """`3 démos vérifiées sur 5` (French), or a note that the demos are not verified."""
    verified, total = count_verified(deck, report)
    if total == 0:
        return "aucune démo"
    if report is None:
        return f"{_plural(total, 'démo', 'démos')}, non vérifiées (aucun rapport)"
    word = "vérifiée" if verified <= 1 else "vérifiées"
    return f"{verified} {'démo' if verified <= 1 else 'démos'} {word} sur {total}"


def deck_card(deck: Deck, report: Report | None) -> str:
    """One deck as a Material card (a list item of a `grid cards` block)."""
    verified, total = count_verified(deck, report)
    state = "none" if total == 0 else ("all" if verified == total else "partial")
    lines = [f"-   __[{_escape_md(deck.title)}]({deck.name}.md)__", ""]
    if deck.description:
        lines += [f"    {_escape_md(deck.description)}", ""]
    lines.append(f'    <span class="diapo-count">'
                 f'{_plural(len(deck.slides), "diapositive", "diapositives")}'
                 f" · {_plural(total, 'démo', 'démos') if total else 'aucune démo'}</span>")
    if total:
        lines.append(f'    <span class="diapo-proof-summary diapo-proof-summary--{state}">'
                     f"{html.escape(proof_line(deck, report))}</span>")
    lines += [
        "",
        f"    [Lire]({deck.name}.md){{ .md-button }}"
        f' <a class="md-button md-button--primary" href="{html.escape(deck.name)}.html">'
        "Présenter</a>",
    ]
    return "\n".join(lines)


def _escape_md(text: str) -> str:
    """Text safe to put in Markdown link text and paragraphs."""
    escaped = html.escape(text, quote=False)
    for char in "\\`*_[]":
        escaped = escaped.replace(char, "\\" + char)
    return escaped


def deck_list(decks: list[Deck], report: Report | None) -> str:
    """The cards of every deck, grouped by folder (top-level decks first)."""
    parts = []
    ordered = sorted(decks, key=lambda d: (posixpath.dirname(d.name), d.name))
    for folder, group in groupby(ordered, key=lambda d: posixpath.dirname(d.name)):
        if folder:
            parts.append(f"## {_section_title(folder)}")
        cards = "\n\n".join(deck_card(deck, report) for deck in group)
        parts.append(f'<div class="grid cards" markdown>\n\n{cards}\n\n</div>')
    if report is None:
        parts.append('!!! warning "Démos non vérifiées"\n\n'
                     "    Aucun rapport de vérification : lancez `invoke verify` avant "
                     "`invoke build` pour afficher la preuve de chaque démo.")
    else:
        parts.append(f'<p class="diapo-report">Démos vérifiées {html.escape(run_detail(report))}'
                     ".</p>")
        changed = [d for d in ordered if changes.changes(d, report) is not None]
        if changed:
            links = ", ".join(f"[{_escape_md(d.title)}]({changes.page_path(d.name)})"
                              for d in changed)
            parts.append(f"Ce qui change entre les versions de Kubernetes : {links}.")
    return "\n\n".join(parts)


def redirect_script(home_deck: str) -> str:
    """JavaScript sending `./#N` on to slide N of the home deck's presentation view."""
    target = json.dumps(f"{home_deck}.html")
    return (
        "<script>\n(function () {\n"
        "  function go() {\n"
        "    if (/^#\\d+$/.test(location.hash)) location.replace(" + target + " + location.hash);\n"
        "  }\n"
        "  go();\n  window.addEventListener('hashchange', go);\n"
        "})();\n</script>"
    )


def render(title: str, decks: list[Deck], report: Report | None, home_deck: str) -> str:
    """The generated home page (docs/index.md when the docs have none)."""
    return (
        f"---\ntitle: Accueil\nhide:\n  - toc\n---\n\n{redirect_script(home_deck)}\n\n"
        f"# {_escape_md(title)}\n\n{deck_list(decks, report)}\n"
    )


def fill(markdown: str, decks: list[Deck], report: Report | None, home_deck: str) -> str:
    """A hand-written home page: the deck list at its marker, and the `#N` redirect."""
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, deck_list(decks, report))
    return f"{redirect_script(home_deck)}\n\n{markdown}"
