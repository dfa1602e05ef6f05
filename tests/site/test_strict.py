"""Strict checks: broken links, anchors and images fail the build with the deck file and line."""

from __future__ import annotations

import logging
import re
import subprocess
import sys

import click
import pytest

from diapo.errors import DiapoError

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
        (3, "image './img/absent-logo.png' not found"),
        (8, "image 'img/absente.png' not found"),
        (14, "slide #12 does not exist: deck 'cassé' has 2 slides"),
        (15, "no slide or heading '#nulle-part' in deck 'cassé'"),
        (16, "points to deck 'absent', but there is no docs/absent.md"),
        (17, "slide #9 does not exist: deck 'cloud' has 2 slides"),
        (22, "image 'img/introuvable.png' not found"),
    ]
    assert len(found) == len(expected), found
    for line_text, (line, message) in zip(found, expected):
        assert re.search(rf"docs/cassé\.md:{line}: ", line_text), line_text
        assert message in line_text
    assert str(caught.value).startswith(f"{len(expected)} problems in the decks")


def test_single_problem_keeps_its_location(make_project) -> None:
    project = make_project()
    project.write("docs/seul.md", "# Seul\n\n---\n\nVoir [la suite](#3).\n")
    with pytest.raises(DiapoError) as caught:
        project.build()
    assert caught.value.location is not None
    assert caught.value.location.path.endswith("docs/seul.md")
    assert caught.value.location.line == 5
    assert "slide #3 does not exist" in caught.value.message


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
