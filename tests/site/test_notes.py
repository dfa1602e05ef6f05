"""Presenter notes stay with the lecturer: on the public reading page and in the search index
only with `reading_notes: true`; always in the presenter window (real MkDocs + Chromium)."""

from __future__ import annotations

import json

import pytest
from browser import chromium, context, serve  # noqa: F401  (fixtures)
from playwright.sync_api import expect

NOTE = "Rappeler le TP numéro quarante-deux"
DECK = f"""\
# Titre

Texte public de la diapositive.

<!-- {NOTE} -->

---

## Deuxième

Encore du texte.
"""


def _build(make_project, tmp_path, *, reading_notes: bool):
    project = make_project(presentation=True, reading_notes=reading_notes,
                           root=tmp_path / f"notes-{reading_notes}")
    project.write("docs/cours.md", DECK)
    project.build()
    return project


def _search_text(project) -> str:
    index = json.loads((project.site / "search" / "search_index.json").read_text("utf-8"))
    return " ".join(f"{doc['title']} {doc['text']}" for doc in index["docs"])


@pytest.mark.browser
def test_notes_hidden_from_reading_page_and_search_by_default(make_project, tmp_path, context):
    project = _build(make_project, tmp_path, reading_notes=False)
    reading = project.html("cours/index.html")
    assert "Texte public de la diapositive" in reading  # the page itself is there
    assert NOTE not in reading and "quarante-deux" not in reading
    search = _search_text(project)
    assert "Texte public de la diapositive" in search  # the page is indexed...
    assert "quarante-deux" not in search  # ...without its notes
    # The presentation view keeps them, and the presenter window shows them.
    with serve(project.site) as url:
        audience = context.new_page()
        audience.goto(f"{url}/cours.html#1")
        with context.expect_page() as popup:
            audience.keyboard.press("p")
        presenter = popup.value
        presenter.wait_for_load_state()
        expect(presenter.locator("#diapo-presenter-notes")).to_contain_text(NOTE)
        audience.keyboard.press("ArrowRight")
        expect(presenter.locator("#diapo-presenter-notes")).not_to_contain_text(NOTE)


def test_reading_notes_true_shows_them_on_the_page_and_in_search(make_project, tmp_path):
    project = _build(make_project, tmp_path, reading_notes=True)
    reading = project.html("cours/index.html")
    assert '<p class="admonition-title">Notes</p>' in reading
    assert NOTE in reading
    assert "quarante-deux" in _search_text(project)
