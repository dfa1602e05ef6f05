"""The presentation view's keyboard, as one table: presentation.js reads it (as JSON in the
page) to dispatch keys, and the help dialog (`?`) is written from it, so the two never drift.

A key is a `KeyboardEvent.key` value, `Shift+` in front when Shift must be held (`Shift+ `
goes back with the space bar); a key that needs Shift anyway (`?`) is written bare. An
action is a name of `keyActions` in presentation.js.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of the help dialog and the keys it documents."""

    label: str  # how the help names the keys
    text: str  # what they do (French)
    keys: dict[str, str]  # KeyboardEvent.key (or `Shift+key`) -> action


KEYMAP: tuple[Row, ...] = (
    Row("→ ↓ Espace Page suivante", "étape ou diapositive suivante",
        {"ArrowRight": "forward", "ArrowDown": "forward", "PageDown": "forward",
         " ": "next", "Spacebar": "next"}),
    Row("← ↑ Maj+Espace Page précédente", "étape ou diapositive précédente",
        {"ArrowLeft": "back", "ArrowUp": "back", "PageUp": "back",
         "Shift+ ": "prev", "Shift+Spacebar": "prev"}),
    Row("Début / Fin", "première / dernière diapositive", {"Home": "first", "End": "last"}),
    Row("g", "aller à une diapositive", {"g": "goto", "G": "goto"}),
    Row("o", "vue d'ensemble ; Entrée y ouvre la diapositive choisie",
        {"o": "overview", "O": "overview", "Enter": "open"}),
    Row("f", "plein écran", {"f": "fullscreen", "F": "fullscreen"}),
    Row("p", "fenêtre du présentateur", {"p": "presenter", "P": "presenter"}),
    Row("? h", "cette aide", {"?": "help", "h": "help", "H": "help"}),
    Row("Échap", "fermer", {"Escape": "close"}),
)


def actions() -> set[str]:
    """Every action the table names (presentation.js must define each)."""
    return {action for row in KEYMAP for action in row.keys.values()}


def script() -> str:
    """The table for presentation.js: `<script type="application/json" id="diapo-keymap">`."""
    table = {key: action for row in KEYMAP for key, action in row.keys.items()}
    text = json.dumps(table, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return f'<script type="application/json" id="diapo-keymap">{text}</script>'


def help_html() -> str:
    """The help dialog, one `<dt>`/`<dd>` pair per row."""
    rows = "\n".join(f"<dt>{html.escape(row.label)}</dt><dd>{html.escape(row.text)}</dd>"
                     for row in KEYMAP)
    return ('<div id="diapo-help" role="dialog" aria-label="Raccourcis clavier" hidden>\n'
            f"<h2>Raccourcis clavier</h2>\n<dl>\n{rows}\n</dl>\n</div>")
