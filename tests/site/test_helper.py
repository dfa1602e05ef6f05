"""The helper process of full builds: same site as one process, errors reported the same way."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import click
import pytest

from diapo.errors import DiapoError
from diapo.site import decks, helper

REPO = Path(__file__).resolve().parents[2]


def _started(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the helper processes the builds start (the real start runs)."""
    starts: list[int] = []
    real = helper.Helper.start.__func__

    def start(cls, **kwargs):  # noqa: ANN001, ANN202
        starts.append(1)
        return real(cls, **kwargs)

    monkeypatch.setattr(helper.Helper, "start", classmethod(start))
    return starts


def _files(site: Path) -> dict[str, bytes]:
    # sitemap.xml.gz holds gzip's timestamp of the build
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file() and p.name != "sitemap.xml.gz"}


def test_helper_builds_the_same_site_as_one_process(make_project, monkeypatch) -> None:
    project = make_project(presentation=True)
    shutil.copytree(REPO / "docs", project.docs, dirs_exist_ok=True)
    shutil.copytree(REPO / "theme", project.root / "theme")
    starts = _started(monkeypatch)

    decks.clear()
    with_helper = _files(project.build())
    used = [1] if helper.cores() > 1 else []  # one core: no helper, nothing to compare
    assert starts == used, "the full build of five decks did not use the helper"

    decks.clear()
    monkeypatch.setattr(helper, "MIN_DECKS", 10_000)
    alone = _files(project.build())
    assert starts == used

    assert sorted(with_helper) == sorted(alone)
    assert "kubernetes.html" in alone and "annexe/kubernetes/stockage.html" in alone
    different = [name for name in alone if with_helper[name] != alone[name]]
    assert different == []


def _failed_build(make_project, monkeypatch, deck: str, text: str):  # noqa: ANN001, ANN202
    """Build four decks, `deck` written as `text`, with the helper; the build's error."""
    project = make_project(presentation=True)
    for name in ("a", "b", "c", "d"):
        project.write(f"docs/{name}.md", f"# Cours {name}\n\n---\n\n## Suite\n")
    project.write(f"docs/{deck}.md", text)
    starts = _started(monkeypatch)
    decks.clear()
    with pytest.raises(DiapoError) as caught:
        project.build()
    assert starts == ([1] if helper.cores() > 1 else [])
    assert isinstance(caught.value, click.ClickException)  # printed by mkdocs, no traceback
    return project, str(caught.value)


def test_helper_reports_a_theme_error_with_its_deck(make_project, monkeypatch) -> None:
    _, error = _failed_build(make_project, monkeypatch, "d",
                             "---\ntheme: inexistant\n---\n\n# Titre\n")
    assert "docs/d.md" in error and "inexistant" in error


def test_links_in_the_helpers_scans_are_checked(make_project, monkeypatch) -> None:
    project, error = _failed_build(make_project, monkeypatch, "b",
                                   "# Titre\n\nVoir [la suite](absent.html#3).\n")
    assert re.search(r"docs/b\.md:3: .*absent", error), error
    assert not (project.site / "b" / "index.html").exists()  # checked before pages are written


def test_no_helper_while_other_threads_run(tmp_path: Path) -> None:
    decks.clear()
    sources = []
    for name in "abcde":
        path = tmp_path / f"{name}.md"
        path.write_text("# Titre\n", encoding="utf-8")
        sources.append(decks.load(path, name))
    assert helper.wanted(sources, dirty=False) == (helper.cores() > 1)
    assert not helper.wanted(sources, dirty=True)
    assert not helper.wanted(sources[:3], dirty=False)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not helper.wanted(sources, dirty=False)
    finally:
        stop.set()
        other.join()
