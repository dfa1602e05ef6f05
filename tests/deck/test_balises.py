"""BALISES.md (the lecturers' French reference of the tag language) stays in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

from diapo.deck import demos
from diapo.demo.match import MATCHERS

BALISES = Path(__file__).resolve().parents[2] / "BALISES.md"


def _table(heading: str) -> list[list[str]]:
    """The cells of the first Markdown table after `heading` (header and rule left out)."""
    text = BALISES.read_text(encoding="utf-8")
    start = text.index(heading)
    rows = []
    for line in text[start:].splitlines()[1:]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    return rows[2:]


def _names(cells: list[str]) -> list[str]:
    """`demo` / `file=PATH` in the first cell -> the option name."""
    found = re.findall(r"`([a-z]+)", cells[0])
    assert found, f"row without a `name`: {cells}"
    return found


def test_every_option_of_the_code_is_documented_and_vice_versa():
    documented = [name for row in _table("## Tableau des balises") for name in _names(row)]
    assert len(documented) == len(set(documented)), f"documented twice: {documented}"
    accepted = {*demos.TAGS, *demos.OPTION_SPECS}
    assert set(documented) - accepted == set(), "documented but refused by diapo/deck/demos.py"
    assert accepted - set(documented) == set(), "accepted by the code but missing in BALISES.md"


def test_enumerated_values_are_the_codes():
    rows = {_names(row)[0]: row for row in _table("## Tableau des balises")}
    for option, values in (("only", demos.ONLY_VALUES), ("needs", demos.NEEDS_VALUES),
                           ("match", tuple(MATCHERS))):
        written = set(re.findall(r"`([a-z]+)`", rows[option][1]))
        assert written == set(values), f"{option}: BALISES.md says {written}, code {values}"


def test_match_modes_table_matches_the_enum():
    modes = {_names(row)[0] for row in _table("## La sortie attendue")}
    assert modes == set(MATCHERS)


def test_examples_parse_with_the_real_parser(tmp_path):
    """Every ````markdown example of BALISES.md is a valid deck for diapo's parser."""
    from diapo.deck import parse

    text = BALISES.read_text(encoding="utf-8")
    examples = re.findall(r"^ *````markdown\n(.*?)^ *````$", text, re.S | re.M)
    assert len(examples) >= 6
    for number, example in enumerate(examples):
        body = "\n".join(line[2:] if line.startswith("  ") else line
                         for line in example.splitlines())
        path = tmp_path / f"example{number}.md"
        path.write_text(body + "\n", encoding="utf-8")
        deck = parse(path)
        assert deck.demos, f"example {number} has no demo:\n{body}"


def test_repeatable_options_are_the_tables():
    rows = {_names(row)[0]: row for row in _table("## Tableau des balises")}
    said = {name for name, row in rows.items() if "répétable" in row[-1]}
    assert said == {name for name, spec in demos.OPTION_SPECS.items() if spec.repeat}
