"""The helper process of full builds: same site as one process, errors reported the same way."""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path

import click
import pytest

from diapo.errors import DiapoError
from diapo.site import decks, helper, page_share

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


def _helper_renders_first(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Have this process claim a page only once the helper has rendered every page it can
    (the real renderings run; only the order changes): the pages this process adopts."""
    adopted: list[str] = []
    real_page, real_adopt = helper.Helper.page, page_share.adopt

    def page(self, name):  # noqa: ANN001, ANN202
        futures.wait(self.pages.values(), timeout=120)
        return real_page(self, name)

    def adopt(page, rendered, files):  # noqa: ANN001, ANN202
        adopted.append(page.file.src_uri)
        real_adopt(page, rendered, files)

    monkeypatch.setattr(helper.Helper, "page", page)
    monkeypatch.setattr(page_share, "adopt", adopt)
    return adopted


@pytest.fixture
def warnings() -> Iterator[list[str]]:
    """The warnings MkDocs logs (the ones `--strict` counts), in order."""
    logged: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            logged.append(record.getMessage())

    keep = Keep(logging.WARNING)
    logging.getLogger("mkdocs").addHandler(keep)
    yield logged
    logging.getLogger("mkdocs").removeHandler(keep)


def _sharing_course(make_project):  # noqa: ANN001, ANN202
    """Six decks linking to another deck, two of them to an anchor it lacks (MkDocs checks
    anchors once every page is rendered), one to a missing page (MkDocs warns as it renders);
    an `edit_uri` without `repo_url`, which MkDocs reports for every page it makes."""
    if helper.cores() < 2:
        pytest.skip("one core: no helper process")
    project = make_project(presentation=True)
    project.write("mkdocs.yml", project.root.joinpath("mkdocs.yml").read_text(encoding="utf-8")
                  + "validation:\n  anchors: warn\nedit_uri: blob/main/docs/\n")
    project.write("docs/notes.md", "# Notes\n\n## Existe\n")
    absent = " et [la page absente](absente.md)"
    for number, name in enumerate("abcdef"):
        anchor = "absente" if number % 3 == 1 else "existe"
        project.write(f"docs/{name}.md", f"""
            # Cours {name}

            Voir [les notes](notes.md#{anchor}){absent if name == "c" else ""}.

            ```bash
            echo {name}
            ```

            ---

            ## Suite de {name}

            Du **texte**, une [autre partie](#1).
            """)
    return project


def _alone(project, monkeypatch, warnings: list[str]) -> dict[str, bytes]:  # noqa: ANN001
    """The site `project` builds (not strict) in one process; `warnings` then holds its."""
    warnings.clear()
    decks.clear()
    monkeypatch.setattr(helper, "MIN_DECKS", 10_000)
    return _files(project.build(strict=False))


def test_pages_the_helper_renders_are_the_pages_this_process_renders(
        make_project, monkeypatch, warnings, tmp_path) -> None:
    project = _sharing_course(make_project)
    adopted = _helper_renders_first(monkeypatch)
    # What either process logs (a file handler, inherited by the fork), to count the
    # messages the helper would print itself.
    journal = tmp_path / "journal.txt"
    everywhere = logging.FileHandler(journal, encoding="utf-8")
    logging.getLogger("mkdocs").addHandler(everywhere)
    try:
        decks.clear()
        shared = _files(project.build(strict=False))
        shared_journal = journal.read_text(encoding="utf-8")
        journal.write_text("", encoding="utf-8")
        shared_warnings = list(warnings)
        assert sorted(adopted) == ["b.md", "c.md", "d.md", "e.md", "f.md", "notes.md"]  # not a.md

        alone = _alone(project, monkeypatch, warnings)
        alone_journal = journal.read_text(encoding="utf-8")
    finally:
        logging.getLogger("mkdocs").removeHandler(everywhere)
        everywhere.close()
    assert sorted(shared) == sorted(alone)
    assert [name for name in alone if shared[name] != alone[name]] == []
    assert shared_warnings == warnings  # logged again here, in page order, so strict counts them
    def timeless(journal: str) -> str:
        return re.sub(r"built in [0-9.]+ seconds", "built", journal)

    assert timeless(shared_journal) == timeless(alone_journal)  # the helper printed nothing
    assert alone_journal.count("edit_uri") == 7  # one per deck page MkDocs makes
    missing = [w for w in warnings if "does not contain an anchor '#absente'" in w]
    assert len(missing) == 2, warnings  # b and e: anchors MkDocs validates after rendering
    assert [w for w in warnings if "'absente.md', but the target is not found" in w]


def test_pages_and_views_survive_a_helper_that_dies(make_project, monkeypatch,
                                                    warnings) -> None:
    project = _sharing_course(make_project)
    adopted = _helper_renders_first(monkeypatch)
    real_render = page_share.render

    def render(file, *args):  # noqa: ANN001, ANN202 - runs in the helper process
        if file.src_uri == "e.md":
            os._exit(3)
        return real_render(file, *args)

    monkeypatch.setattr(page_share, "render", render)
    decks.clear()
    shared = _files(project.build(strict=False))
    assert sorted(adopted) == ["f.md", "notes.md"]  # rendered before the helper died
    shared_warnings = list(warnings)
    alone = _alone(project, monkeypatch, warnings)
    assert sorted(shared) == sorted(alone)
    assert "e.html" in shared and "b.html" in shared  # the views, written here
    assert [name for name in alone if shared[name] != alone[name]] == []
    assert shared_warnings == warnings


def _build_with_hooks(project, monkeypatch, hooks: str) -> list[str]:  # noqa: ANN001
    """Build `project` (not strict) with `hooks` as MkDocs hooks (run after diapo), the
    helper started and rendering first: the pages this process adopts."""
    project.write("hooks.py", hooks)
    project.write("mkdocs.yml", project.root.joinpath("mkdocs.yml").read_text(encoding="utf-8")
                  + "hooks: [hooks.py]\n")
    starts = _started(monkeypatch)
    adopted = _helper_renders_first(monkeypatch)
    decks.clear()
    project.build(strict=False)
    assert starts == [1]
    return adopted


def test_a_plugin_changing_the_markdown_after_diapo_gets_its_page(make_project,
                                                                  monkeypatch) -> None:
    project = _sharing_course(make_project)
    adopted = _build_with_hooks(project, monkeypatch, """
        def on_page_markdown(markdown, page, config, files):
            return markdown + "\\n\\nAjouté par un hook.\\n"
        """)
    assert adopted == []
    for name in "abcdef":
        assert "Ajouté par un hook." in project.html(f"{name}/index.html")


ADDS_A_FILE = """
    from mkdocs.structure.files import File

    def on_files(files, config):
        files.append(File.generated(config, "ajout.md", content="# Ajout\\n"))
        return files
    """
MOVES_A_FILE = """
    def on_files(files, config):
        files.get_file_from_path("ajout.md").url = "ailleurs/"
        return files
    """


@pytest.mark.parametrize(("hooks", "href"), [(ADDS_A_FILE, "../ajout/"),
                                             (MOVES_A_FILE, "../ailleurs/")])
def test_files_changed_after_diapo_keep_every_page_here(make_project, monkeypatch, warnings,
                                                        hooks: str, href: str) -> None:
    """A later plugin adds or moves a page the decks link to: the helper's files, forked
    before, are not the same, so its renderings would differ; every page is rendered here."""
    project = _sharing_course(make_project)
    project.write("docs/f.md", "# Cours f\n\nVoir [l'ajout](ajout.md).\n")
    if hooks is MOVES_A_FILE:
        project.write("docs/ajout.md", "# Ajout\n")
    adopted = _build_with_hooks(project, monkeypatch, hooks)
    assert adopted == []
    assert not [w for w in warnings if "'ajout.md', but the target is not found" in w]
    assert f'href="{href}"' in project.html("f/index.html")


def test_an_extension_object_keeps_every_page_here(make_project, monkeypatch) -> None:
    """An extension given as an object may keep state in its plugin (mkdocs-autorefs does):
    every page is then rendered in this process, where that state lives."""
    project = _sharing_course(make_project)
    adopted = _build_with_hooks(project, monkeypatch, """
        from markdown.extensions import Extension
        from markdown.treeprocessors import Treeprocessor

        SEEN = []

        class Seen(Treeprocessor):
            def run(self, root):
                SEEN.append(1)

        class Counting(Extension):
            def extendMarkdown(self, md):
                md.treeprocessors.register(Seen(md), "seen", 0)

        def on_config(config):
            config.markdown_extensions.append(Counting())

        def on_post_build(config):
            open(config.site_dir + "/../seen.txt", "w").write(str(len(SEEN)))
        """)
    assert adopted == []
    pages = len(list(project.docs.glob("*.md"))) + 1  # and the generated home page
    assert (project.root / "seen.txt").read_text(encoding="utf-8") == str(pages)


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
