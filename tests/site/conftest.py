"""Fixtures for site tests (helpers in sitekit.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sitekit import MKDOCS_YML, Project


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Project]:
    """`make_project(presentation=False)`: an empty project with its mkdocs.yml."""

    def make(presentation: bool = False, root: Path | None = None,
             reading_notes: bool = False) -> Project:
        project = Project(root or tmp_path / "course")
        project.write("mkdocs.yml", MKDOCS_YML.format(presentation=str(presentation).lower(),
                                                      reading_notes=str(reading_notes).lower()))
        project.docs.mkdir(parents=True, exist_ok=True)
        return project

    return make
