"""diapo's invoke tasks: thin wrappers that call into the `diapo` package.

Each task turns a `DiapoError` into a one-line `invoke.Exit` (file:line: message), never a
traceback. Run `invoke --list` for the list and `invoke --help TASK` for the options.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from invoke import Collection, Exit, task

from diapo import config
from diapo.errors import DiapoError
from diapo.task_args import RestTask


def _call(fn: Callable[..., Any], *args: Any, _exit_now: bool = False, **kwargs: Any) -> None:
    """Run a diapo entry point; user errors and Ctrl-C become clean exits. With `_exit_now`,
    a Ctrl-C leaves at once (the entry point has cleaned up or asked the API server to)."""
    try:
        code = fn(*args, **kwargs)
    except DiapoError as exc:
        raise Exit(f"erreur: {exc}", code=2) from None
    except KeyboardInterrupt:
        if _exit_now:  # skip the seconds the interpreter takes to tear the Kubernetes
            print("interrompu.", file=sys.stderr, flush=True)  # client's modules down
            sys.stdout.flush()
            os._exit(130)
        raise Exit("interrompu.", code=130) from None
    if isinstance(code, int) and code != 0:
        raise Exit(code=code)


# --------------------------------------------------------------------------- site


@task(help={"strict": "fail on any warning (broken link, missing image); on by default",
            "clean": "remove the output directory first"})
def build(c, strict=True, clean=False):
    """Build the site (reading page + presentation view per deck) into site/."""
    from diapo.site import commands

    _call(commands.build, strict=strict, clean=clean)


@task(help={"addr": "address:port to serve on (default 127.0.0.1:8000)"})
def serve(c, addr="127.0.0.1:8000"):
    """Serve the site with live reload while you edit the decks."""
    from diapo.site import commands

    _call(commands.serve, addr=addr)


@task(help={"deck": "deck name (e.g. kubernetes); all decks when omitted",
            "handout": "also write the handout PDF (slide plus notes); on by default"})
def pdf(c, deck=None, handout=True):
    """Print each deck's presentation view to PDF with Debian's Chromium."""
    from diapo.site import commands

    _call(commands.pdf, deck=deck, handout=handout)


# --------------------------------------------------------------------------- decks


@task(help={"deck": "deck name or path (e.g. kubernetes or docs/kubernetes.md)",
            "json": "print a stable machine-readable JSON form"})
def inspect(c, deck, json=False):
    """Print each slide of a deck: number, line, title, directives, notes, images, fences."""
    from diapo.deck import inspect as inspect_mod

    _call(inspect_mod.run, deck, as_json=json)


# --------------------------------------------------------------------------- demos


@task(
    klass=RestTask,
    rest="decks",
    iterable=["deck"],
    help={
        "decks": "decks to verify, as words after the task (invoke verify kubernetes cloud)",
        "deck": "deck to verify (repeatable); every deck when omitted",
        "demo": "run only the demo with this id (and the steps it depends on)",
        "parallel": "number of decks run at once (default: CPU count)",
        "junit": "write a JUnit XML report to this path",
        "json": "write the JSON report to this path (default .diapo/verify.json)",
        "keep": "keep namespaces and objects for debugging",
        "update": "rewrite expect blocks from the actual output of a passing run",
        "changed": "run only the decks whose demos changed since the report (fingerprints), "
                   "and merge the results into it",
        "strict_warnings": "fail on any kubectl / API server warning a fence does not accept "
                           "(warn=)",
        "kubernetes": "versions to run on, each on its local control plane (e.g. "
                      "1.36.3,1.37.2; 'matrix': the versions list of mkdocs.yml)",
    },
)
def verify(c, deck=None, demo=None, parallel=0, junit=None, json=None, keep=False, update=False,
           changed=False, strict_warnings=False, kubernetes=None, decks=None):
    """Run every demo of every deck against the cluster and fail on the first rotten slide.

    Usage: invoke verify [DECK...] [--options] (e.g. `invoke verify kubernetes cloud`).
    """
    from diapo.demo import verify as verify_mod

    _call(verify_mod.run, _exit_now=True, decks=[*(decks or []), *(deck or [])], demo=demo,
          parallel=parallel,
          junit=junit, json_path=json, keep=keep, update=update, changed=changed,
          strict_warnings=strict_warnings, kubernetes=kubernetes)


@task(
    help={
        "deck": "deck name (e.g. kubernetes)",
        "slide": "start at this slide and stop after it",
        "from_": "start at this slide number",
        "demo": "run only the demo with this id",
        "list": "list the deck's demos with slide numbers and ids",
        "type": "typing effect: characters typed per key press (e.g. 3)",
        "auto": "commands type themselves at this speed (characters per second); Enter runs",
        "context": "kubeconfig context to use (must be allowed, or confirmed)",
    },
)
def demo(c, deck, slide=None, from_=None, demo=None, list=False, type=0, auto=0, context=None):
    """Lecture mode: step through a deck's demos against the current cluster."""
    from diapo.demo import live

    _call(live.run, deck, slide=slide, start=from_, demo=demo, list_only=list, type_speed=type,
          auto=auto, context=context)


@task(help={"deck": "deck name (e.g. kubernetes)",
            "port": "port on 127.0.0.1 (default: a free one)",
            "browser": "open the audience and presenter windows (--no-browser: don't)",
            "context": "kubeconfig context to use (must be allowed, or confirmed)"})
def present(c, deck, port=0, browser=True, context=None):
    """Present a deck: slides and live demos in one local server, the terminal still works."""
    from diapo.demo import present as present_mod

    _call(present_mod.run, deck, port=int(port or 0), browser=browser, context=context)


@task(help={"deck": "deck whose demo objects are removed", "context": "kubeconfig context"})
def demo_reset(c, deck, context=None):
    """Remove what a deck's demos created on the cluster."""
    from diapo.demo import live

    _call(live.reset, deck, context=context)


# --------------------------------------------------------------------------- cluster


@task(help={"version": "Kubernetes version to build or reuse (default: the pinned one)",
            "port": "apiserver port on 127.0.0.1 (default: a free one)",
            "nodes": "real (containerd + kubelet) or simulated (kwok); default: $DIAPO_NODES, "
                     "else real where the machine allows it"})
def cluster_up(c, version=None, port=0, nodes=None):
    """Start the local cluster: control plane plus a real node (or kwok's simulated ones)."""
    from diapo.cluster import local

    _call(local.up, version=version, port=port or None, nodes=nodes)


@task
def cluster_down(c):
    """Stop the local cluster and put the machine back as it was (processes, mounts, network)."""
    from diapo.cluster import local

    _call(local.down)


@task
def cluster_status(c):
    """Show whether the local control plane runs, its version, nodes and kubeconfig."""
    from diapo.cluster import local

    _call(local.status)


@task(help={"version": "Kubernetes version to build (default: the pinned one)"})
def cluster_build(c, version=None):
    """Build (or reuse from ~/.cache/diapo) the cluster's binaries: control plane, kubectl,
    kubelet, kube-proxy, kwok and containerd."""
    from diapo.cluster import binaries, runtime

    _call(binaries.ensure_all, version=version)
    _call(runtime.ensure)


# --------------------------------------------------------------------------- content


@task(help={"name": "render only this diagram (module of docs/diagrams/, e.g. whoami_service)"})
def images(c, name=None):
    """Re-render the deck diagrams (docs/diagrams/*.py, Graphviz) into docs/img and docs/schema."""
    script = _course_file(lambda root: config.docs_dir(root) / "diagrams" / "render.py",
                          "n'a pas de schémas à rendre")
    c.run(f"{sys.executable} {script} {name or ''}".strip(), pty=False)


def _course_file(where: Callable[[Path], Path], otherwise: str) -> Path:
    """A file of the course project (found from mkdocs.yml), or a clean exit saying why not."""
    try:
        path = where(config.find_root())
    except DiapoError as exc:
        raise Exit(f"erreur: {exc}", code=2) from None
    if not path.is_file():
        raise Exit(f"erreur: {path} introuvable : ce cours {otherwise}", code=2)
    return path


# --------------------------------------------------------------------------- quality


@task(help={"only": "run only benchmarks whose name contains this text"})
def bench(c, only=""):
    """Run the benchmarks in bench/ and print figures as ratios against their baselines."""
    _course_file(lambda root: root / "bench" / "__main__.py", "n'a pas de bancs d'essai (bench/)")
    c.run(f"{sys.executable} -m bench {only}".strip(), pty=False)


@task(help={"fix": "let ruff fix what it can (imports, modernised syntax) before checking"})
def lint(c, fix=False):
    """Check the code with ruff (diapo/, tests/, bench/) and mypy (diapo/); fail on any finding."""
    root = _source_root()
    if root is None:
        raise Exit("erreur: `invoke lint` vérifie le code source de diapo, absent ici "
                   "(installé comme paquet)", code=2)
    fix_flag = " --fix" if fix else ""
    with c.cd(str(root)):
        c.run(f"{sys.executable} -m ruff check{fix_flag} diapo tests bench", pty=False)
        c.run(f"{sys.executable} -m mypy", pty=False)


def _source_root() -> Path | None:
    """diapo's source checkout (pyproject.toml, tests/), or None when installed from a wheel."""
    root = Path(__file__).resolve().parents[1]
    return root if (root / "pyproject.toml").is_file() and (root / "tests").is_dir() else None


@task(help={"args": "extra arguments for pytest (e.g. '-k deck -x')",
            "suite": "pytest only: skip the verification of the docs and the strict build"})
def test(c, args="", suite=False):
    """Lint diapo's code, run the test suite, then verify every deck's demos and build strictly.

    The tests start (and stop) clusters of their own; the verification runs on the local
    cluster, which is stopped at the end unless it was already running (a cluster the user
    started stays up).
    """
    from diapo import system

    # Debian packages the tests use: installed when root, else one line names the command.
    _call(system.ensure, nodes=os.environ.get("DIAPO_NODES") != "simulated")
    if _source_root() is not None:  # diapo's own checkout (CI): ruff and mypy first
        lint(c)
    c.run(f"{sys.executable} -m pytest {args}".strip(), pty=False)
    if suite:
        return
    from diapo.cluster import local

    try:
        with local.shared(quiet=False):
            verify(c)
    except DiapoError as exc:
        raise Exit(f"erreur: {exc}", code=2) from None
    build(c)


demo_ns = Collection("demo")
demo_ns.add_task(demo, name="run", default=True)
demo_ns.add_task(demo_reset, name="reset")

ns = Collection(build, serve, pdf, inspect, verify, present, bench, lint, test, images)
ns.add_collection(demo_ns)
ns.add_collection(
    Collection("cluster", up=cluster_up, down=cluster_down, status=cluster_status,
               build=cluster_build)
)
