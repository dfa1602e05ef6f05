"""`diapo new` and `diapo new --from-marp`, in process (the wheel test runs them installed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import diapo
from diapo import cli
from diapo.config import _Loader

COURSE_FILES = {"mkdocs.yml", "tasks.py", "docs/index.md", "demos/index/accueil.yaml",
                ".gitignore", ".github/workflows/cours.yml"}


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_new_writes_a_minimal_french_course(tmp_path: Path, capsys) -> None:
    assert cli.main(["new", str(tmp_path / "cours-réseaux")]) == 0
    root = tmp_path / "cours-réseaux"
    assert _files(root) == COURSE_FILES
    config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    assert config["site_name"] == "Cours réseaux"
    assert config["theme"]["name"] == "material" and config["theme"]["language"] == "fr"
    assert config["theme"]["font"] is False  # offline
    diapo_options = next(p["diapo"] for p in config["plugins"] if "diapo" in p)
    assert diapo_options["reading_notes"] is False and "diapo-local" in diapo_options["contexts"]
    tasks = [line for line in (root / "tasks.py").read_text().splitlines()
             if line.strip() and not line.startswith('"""')]
    assert tasks == ["from diapo.tasks import ns  # noqa: F401  (invoke trouve la collection "
                     "nommée `ns`)"]
    deck = (root / "docs" / "index.md").read_text(encoding="utf-8")
    assert deck.startswith("---\nmarp: true\n")  # the home deck, as marp-cli names it
    assert "```bash demo" in deck and "```text expect" in deck and "# Cours réseaux" in deck
    assert diapo_options["home_deck"] == "index"
    workflow = yaml.safe_load((root / ".github/workflows/cours.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["verifier"]["steps"]
    assert any(s.get("uses", "").startswith("helm/kind-action") for s in steps)
    assert any(f"diapo=={diapo.__version__}" in s.get("run", "") for s in steps)
    assert "écrit :" in capsys.readouterr().out


def test_new_refuses_a_non_empty_directory(tmp_path: Path, capsys) -> None:
    (tmp_path / "notes.txt").write_text("à garder")
    assert cli.main(["new", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("erreur: ") and "n'est pas vide" in err and err.count("\n") == 1
    assert _files(tmp_path) == {"notes.txt"}
    assert (tmp_path / "notes.txt").read_text() == "à garder"


def test_new_accepts_an_empty_existing_directory(tmp_path: Path) -> None:
    assert cli.main(["new", str(tmp_path)]) == 0
    assert _files(tmp_path) == COURSE_FILES


def _marp_course(root: Path) -> Path:
    slides = root / "slides"
    (slides / "partie2").mkdir(parents=True)
    (slides / "cours.md").write_text("---\nmarp: true\n---\n\n# Cours\n\n---\n\n## Suite\n")
    (slides / "partie2" / "reseau.md").write_text("# Réseau\n")
    (root / "README.md").write_text("# Le dépôt\n")
    return slides


@pytest.mark.parametrize("given", ["slides", "."])
def test_from_marp_adds_two_files_next_to_the_decks(tmp_path: Path, given: str) -> None:
    slides = _marp_course(tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert cli.main(["new", "--from-marp", str(tmp_path / given)]) == 0
    assert _files(tmp_path) - {p.relative_to(tmp_path).as_posix() for p in before} == {
        "mkdocs.yml", "tasks.py"}
    assert all(p.read_bytes() == data for p, data in before.items())
    config = yaml.load((tmp_path / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    assert config["docs_dir"] == slides.name
    assert next(p["diapo"] for p in config["plugins"] if "diapo" in p)["home_deck"] == "cours"


def test_from_marp_takes_a_home_deck_index_md_as_the_home(tmp_path: Path) -> None:
    slides = _marp_course(tmp_path)
    (slides / "index.md").write_text("---\nmarp: true\n---\n\n# Accueil\n\n---\n\n## Plan\n")
    assert cli.main(["new", "--from-marp", str(slides)]) == 0
    config = yaml.load((tmp_path / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    assert next(p["diapo"] for p in config["plugins"] if "diapo" in p)["home_deck"] == "index"


@pytest.mark.parametrize("existing", ["mkdocs.yml", "tasks.py"])
def test_from_marp_never_overwrites(tmp_path: Path, existing: str, capsys) -> None:
    slides = _marp_course(tmp_path)
    (tmp_path / existing).write_text("# le mien\n")
    assert cli.main(["new", "--from-marp", str(slides)]) == 2
    err = capsys.readouterr().err
    assert "existe déjà" in err and existing in err and err.count("\n") == 1
    assert (tmp_path / existing).read_text() == "# le mien\n"
    assert not (tmp_path / ({"mkdocs.yml", "tasks.py"} - {existing}).pop()).exists()


def test_from_marp_without_decks_or_with_two_deck_folders(tmp_path: Path, capsys) -> None:
    (tmp_path / "vide").mkdir()
    assert cli.main(["new", "--from-marp", str(tmp_path / "vide")]) == 2
    assert "aucun deck" in capsys.readouterr().err
    for name in ("cours-a", "cours-b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "deck.md").write_text("# Deck\n")
    assert cli.main(["new", "--from-marp", str(tmp_path)]) == 2
    assert "plusieurs dossiers de decks" in capsys.readouterr().err
    assert not (tmp_path / "mkdocs.yml").exists()


def test_python_m_diapo_prints_the_version() -> None:
    done = subprocess.run([sys.executable, "-m", "diapo", "--version"], capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.strip() == f"diapo {diapo.__version__}"


def test_command_line_mistakes_are_one_french_line(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["new"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("erreur: argument obligatoire manquant") and err.count("\n") == 1
