"""Strict checks: broken links, anchors and images fail the build with the deck file and line."""

from __future__ import annotations

import logging
import re
import subprocess
import sys

import click
import pytest

from diapo.errors import DiapoError
from diapo.site.commands import _aborted

DECK = """\
---
title: Deck cassé
header: '<img src="./img/absent-logo.png" alt="logo">'
---

# Titre

![h:200px](img/absente.png)

---

## Liens

- [slide inexistante](#12)
- [titre inconnu](#nulle-part)
- [deck absent](absent.html)
- [slide absente du cloud](cloud.html#9)
- [titre du cloud](cloud.html#les-offres)

<div class="right">

<img src="img/introuvable.png">

</div>
"""

CLOUD = """\
# Le cloud

---

## Les offres
"""


@pytest.fixture
def broken(make_project):
    project = make_project()
    project.write("docs/cassé.md", DECK)
    project.write("docs/cloud.md", CLOUD)
    return project


def problems(error: DiapoError) -> list[str]:
    """`path:line: message` lines of a build error."""
    return [line.strip() for line in str(error).splitlines() if re.search(r"\.md:\d+:", line)]


def test_every_broken_place_is_reported_with_file_and_line(broken) -> None:
    with pytest.raises(DiapoError) as caught:
        broken.build()
    found = problems(caught.value)
    expected = [
        (3, "image « ./img/absent-logo.png » introuvable (cherché : docs/img/absent-logo.png)"),
        (8, "image « img/absente.png » introuvable"),
        (14, "la diapositive #12 n'existe pas : le deck « cassé » a 2 diapositives"),
        (15, "aucune diapositive ni aucun titre « #nulle-part » dans le deck « cassé »"),
        (16, "mène au deck « absent », mais docs/absent.md n'existe pas"),
        (17, "la diapositive #9 n'existe pas : le deck « cloud » a 2 diapositives"),
        (22, "image « img/introuvable.png » introuvable"),
    ]
    assert len(found) == len(expected), found
    for line_text, (line, message) in zip(found, expected):
        assert re.search(rf"docs/cassé\.md:{line}: ", line_text), line_text
        assert message in line_text
    assert str(caught.value).startswith(f"{len(expected)} problèmes dans les decks :\n")


def test_single_problem_keeps_its_location(make_project) -> None:
    project = make_project()
    project.write("docs/seul.md", "# Seul\n\n---\n\nVoir [la suite](#3).\n")
    with pytest.raises(DiapoError) as caught:
        project.build()
    assert caught.value.location is not None
    assert caught.value.location.path.endswith("docs/seul.md")
    assert caught.value.location.line == 5
    assert caught.value.message == ("la diapositive #3 n'existe pas : le deck « seul » a 2 "
                                    "diapositives")


def test_non_strict_build_reports_without_failing(broken, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        broken.build(strict=False)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(re.search(r"docs/cassé\.md:16: .*absent\.html", w) for w in warnings), warnings
    assert (broken.site / "cassé" / "index.html").is_file()


def test_invalid_deck_is_reported_with_file_and_line(make_project) -> None:
    project = make_project()
    project.write("docs/tags.md", "# Démo\n\n```bash demo bogus=1\nls\n```\n")
    with pytest.raises(DiapoError) as caught:
        project.build()
    assert re.search(r"docs/tags\.md:3: ", str(caught.value)), str(caught.value)


def test_valid_links_pass(make_project) -> None:
    project = make_project()
    project.image("img/ok.png")
    project.write("docs/cloud.md", CLOUD)
    project.write("docs/ok.md", """\
        # Bon

        ![w:100px](img/ok.png) [titre](cloud.html#les-offres) [2](cloud.html#2) [ext](https://x.org)
        <a href="#bon">ici</a> [accueil](./) [haut](#1)
        """)
    assert project.build().joinpath("ok", "index.html").is_file()


def test_plain_mkdocs_cli_prints_the_problem_without_traceback(broken) -> None:
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=broken.root,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert re.search(r"docs/cassé\.md:16: .*absent", run.stderr), run.stderr


def test_unknown_slide_theme_fails_cleanly(make_project) -> None:
    project = make_project(presentation=True)
    project.write("docs/theme.md", "---\ntheme: inexistant\n---\n\n# Titre\n")
    with pytest.raises(DiapoError) as caught:
        project.build()
    assert "docs/theme.md" in str(caught.value)
    assert isinstance(caught.value, click.ClickException)  # `mkdocs build` prints it, no traceback


@pytest.mark.parametrize(("english", "french"), [
    ("Aborted with 2 warnings in strict mode!",
     "construction interrompue en mode strict : 2 avertissements"),
    ("Aborted with 1 warnings, 1 errors in strict mode!",
     "construction interrompue en mode strict : 1 avertissement, 1 erreur"),
    ("Aborted with a BuildError!", "construction interrompue par une erreur (BuildError)"),
    ("Something else", "Something else"),
])
def test_mkdocs_abort_messages_are_french(english: str, french: str) -> None:
    assert _aborted(english) == french
