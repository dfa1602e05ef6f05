"""Acceptance of the package: the wheel built from this repository, installed alone into a fresh
virtual environment outside the repository, creates a course and builds and verifies it.

Nothing of the repository is importable in that environment (no PYTHONPATH, no editable
install, no system site-packages): `diapo new`, `invoke build`, `invoke verify` and
`diapo new --from-marp` run with the venv's own programs. Dependencies come from a wheelhouse
cached under ~/.cache/diapo/wheels (keyed by the wheel's requirements and the Python version),
so only the first run downloads them.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import diapo

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "site" / "fixtures" / "course"
MARP_COURSE = REPO / "tests" / "site" / "fixtures" / "marp_course" / "slides"
# What goes into the sdist (and so the wheel): the package and its metadata files.
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "MANIFEST.in", "diapo")
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
STEP_TIMEOUT = 900  # seconds for one command (the first wheelhouse download is the longest)
# The module's first test also pays for the build, the wheelhouse and the install (minutes on a
# busy two-core machine): more than the suite's default per-test timeout.
pytestmark = pytest.mark.timeout(1800)


def _run(args: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=STEP_TIMEOUT, stdin=subprocess.DEVNULL)
    if check and done.returncode != 0:
        pytest.fail(f"{' '.join(map(str, args))} -> {done.returncode}\n"
                    f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


@dataclass
class Installed:
    """The built distributions and a venv where only the wheel (and its dependencies) is."""

    source: Path  # the copy of the repository's package files the distributions come from
    dist: Path
    wheel: Path
    sdist: Path
    venv: Path
    work: Path  # outside the repository: courses are created here

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a user who installed the wheel: the venv first on PATH."""
        keep = {k: v for k, v in os.environ.items()
                if k in ("HOME", "LANG", "LC_ALL", "TERM", "TMPDIR", "USER", "DIAPO_NODES")}
        path = os.pathsep.join([str(self.venv / "bin"), os.environ.get("PATH", "")])
        return {**keep, "PATH": path, "DIAPO_NODES": "simulated", **extra}

    def run(self, *args: str | Path, cwd: Path, check: bool = True,
            **extra: str) -> subprocess.CompletedProcess[str]:
        """Run a program of the venv (`diapo`, `invoke`, `python`) in `cwd`."""
        program = self.venv / "bin" / str(args[0])
        return _run([program, *args[1:]], cwd=cwd, env=self.env(**extra), check=check)


def _wheelhouse(wheel: Path) -> Path:
    """Wheels of every dependency of `wheel`, downloaded once per set of requirements."""
    with zipfile.ZipFile(wheel) as archive:
        meta = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        requires = sorted(line for line in archive.read(meta).decode().splitlines()
                          if line.startswith("Requires-Dist:") and "extra ==" not in line)
    key = hashlib.sha256("\n".join([sys.version.split()[0], *requires]).encode()).hexdigest()
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "diapo" / "wheels"
    house = base / key[:16]
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another session may be filling the same one
        if not (house / ".complete").is_file():
            partial = base / f"{key[:16]}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            _run([sys.executable, "-m", "pip", "wheel", "-q", "--wheel-dir", partial, wheel],
                 cwd=base)
            (partial / wheel.name).unlink(missing_ok=True)  # diapo itself comes from the build
            (partial / ".complete").write_text("\n".join(requires) + "\n")
            shutil.rmtree(house, ignore_errors=True)
            partial.rename(house)
    return house


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    assert REPO not in work.parents, "the environment must live outside the repository"
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        item = REPO / name
        if item.is_dir():
            shutil.copytree(item, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(item, source / name)
    dist = work / "dist"
    _run([sys.executable, "-m", "build", "--outdir", dist, source], cwd=work)
    wheel = next(dist.glob("diapo-*.whl"))
    sdist = next(dist.glob("diapo-*.tar.gz"))
    house = _wheelhouse(wheel)
    venv = work / "venv"
    # No pip in the venv (faster); the running pip installs into it, from local wheels only,
    # byte-compiling as a user's install does (a template's .pyc once broke `diapo new`).
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=work)
    _run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q",
          "--no-index", "--find-links", house, wheel], cwd=work)
    return Installed(source, dist, wheel, sdist, venv, work)


def test_distributions_pass_twine_and_carry_every_data_file(installed: Installed) -> None:
    _run([sys.executable, "-m", "twine", "check", "--strict", installed.wheel, installed.sdist],
         cwd=installed.work)
    assert installed.wheel.name == f"diapo-{diapo.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(installed.wheel) as archive:
        names = set(archive.namelist())
        meta = archive.read(f"diapo-{diapo.__version__}.dist-info/METADATA").decode()
    # Every file of the package folder is in the wheel (themes, JS/CSS, templates, ...).
    package_files = {p.relative_to(installed.source).as_posix()
                     for p in (installed.source / "diapo").rglob("*") if p.is_file()}
    assert package_files - names == set()
    assert f"diapo-{diapo.__version__}.dist-info/licenses/LICENSE" in names
    assert "Classifier: Framework :: MkDocs" in meta
    assert "License-Expression: MIT" in meta
    assert "Project-URL: Changelog" in meta
    # The installed package is the venv's, not this checkout.
    where = installed.run("python", "-c", "import diapo; print(diapo.__file__)",
                          cwd=installed.work).stdout.strip()
    assert Path(where).is_relative_to(installed.venv), where
    version = installed.run("diapo", "--version", cwd=installed.work).stdout.strip()
    assert version == f"diapo {diapo.__version__}"
    module = installed.run("python", "-m", "diapo", "--version", cwd=installed.work)
    assert module.stdout.strip() == version


@pytest.fixture(scope="module")
def new_course(installed: Installed) -> Path:
    course = installed.work / "cours-k8s"
    done = installed.run("diapo", "new", course, cwd=installed.work)
    assert "écrit" in done.stdout
    return course


def test_new_course_builds_strictly_with_the_wheel_alone(installed: Installed,
                                                          new_course: Path) -> None:
    listed = installed.run("invoke", "--list", cwd=new_course).stdout
    assert "build" in listed and "verify" in listed and "cluster.up" in listed
    installed.run("invoke", "build", cwd=new_course)  # strict by default
    site = new_course / "site"
    view = (site / "index.html").read_text(encoding="utf-8")  # the home deck, as marp-cli
    assert 'class="diapo-notes"' in view  # the presentation view, with its presenter notes
    assert "theme-default.css" in view  # its built-in theme, from the package data
    theme = (site / "assets" / "diapo" / "theme-default.css").read_text(encoding="utf-8")
    assert "section" in theme and len(theme) > 1000
    reading = (site / "index" / "index.html").read_text(encoding="utf-8")
    assert "Une démo vérifiée" in reading and "accueil.yaml" in reading and "Cours k8s" in reading
    assert "Note de l&#39;orateur" not in reading and "Note de l'orateur" not in reading
    assert "diapo-badge--unverified" in reading  # no report yet


@pytest.mark.cluster
def test_new_course_demo_verifies_on_the_local_control_plane(installed: Installed,
                                                              new_course: Path, cluster) -> None:
    done = installed.run("invoke", "verify", cwd=new_course, check=False,
                         KUBECONFIG=str(cluster.kubeconfig))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((new_course / ".diapo" / "verify.json").read_text(encoding="utf-8"))
    (deck,) = report["decks"]
    assert deck["deck"] == "index" and deck["status"] == "passed"
    assert [d["status"] for d in deck["demos"]] == ["passed"]
    installed.run("invoke", "build", cwd=new_course)
    reading = (new_course / "site" / "index" / "index.html").read_text(encoding="utf-8")
    assert "diapo-badge--verified" in reading and "diapo-badge--unverified" not in reading


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_from_marp_builds_an_existing_marp_course(installed: Installed) -> None:
    project = installed.work / "cours-marp"
    slides = project / "slides"
    shutil.copytree(FIXTURE, slides)
    for image in ("img/schema.png", "img/fond.png"):
        (slides / image).parent.mkdir(parents=True, exist_ok=True)
        (slides / image).write_bytes(PNG)
    (project / "README.md").write_text("# Mon cours Marp\n", encoding="utf-8")
    before = _tree(project)
    installed.run("diapo", "new", "--from-marp", slides, cwd=installed.work)
    after = _tree(project)
    assert set(after) - set(before) == {"mkdocs.yml", "tasks.py"}
    assert {k: after[k] for k in before} == before  # the decks are untouched
    assert "docs_dir: slides" in (project / "mkdocs.yml").read_text(encoding="utf-8")
    # A second run refuses: nothing is overwritten.
    again = installed.run("diapo", "new", "--from-marp", slides, cwd=installed.work,
                          check=False)
    assert again.returncode == 2 and "existe déjà" in again.stderr
    assert _tree(project) == after
    installed.run("invoke", "build", cwd=project)
    for deck in ("kubernetes", "cloud", "introduction", "annexe/outils/kubectl"):
        assert (project / "site" / f"{deck}.html").is_file()
        assert (project / "site" / deck / "index.html").is_file()
    # The tasks find the decks through docs_dir, not a docs/ folder.
    shown = installed.run("invoke", "inspect", "kubernetes", cwd=project).stdout
    assert "Kubernetes en pratique" in shown


def test_from_marp_on_a_marp_cli_course_with_its_theme_and_home_deck(installed: Installed) -> None:
    """The marp-cli fixture (home deck index.md, its own theme beside the decks, sub-folder)."""
    project = installed.work / "atelier"
    shutil.copytree(MARP_COURSE, project / "slides")
    installed.run("diapo", "new", "--from-marp", project, cwd=installed.work)  # the repository
    assert "docs_dir: slides" in (project / "mkdocs.yml").read_text(encoding="utf-8")
    installed.run("invoke", "build", cwd=project)
    site = project / "site"
    assert 'href="assets/diapo/theme-atelier.css"' in (site / "index.html").read_text("utf-8")
    assert (site / "assets" / "diapo" / "theme-atelier.css").is_file()
    assert (site / "pratique" / "branches.html").is_file()


def test_a_course_adds_its_own_tasks_to_diapos(installed: Installed) -> None:
    course = installed.work / "cours-taches"
    installed.run("diapo", "new", course, cwd=installed.work)
    with open(course / "tasks.py", "a", encoding="utf-8") as tasks:
        tasks.write('\n\nfrom invoke import task\n\n\n@task\ndef bonjour(c):\n'
                    '    """Dit bonjour."""\n    print("bonjour du cours")\n\n\n'
                    'ns.add_task(bonjour)\n')
    listed = installed.run("invoke", "--list", cwd=course).stdout
    assert "bonjour" in listed and "Dit bonjour." in listed and "verify" in listed
    assert installed.run("invoke", "bonjour", cwd=course).stdout.strip() == "bonjour du cours"
    helped = installed.run("invoke", "--help", "verify", cwd=course).stdout
    assert "--junit" in helped
