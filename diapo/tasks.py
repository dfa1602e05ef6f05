"""diapo's invoke tasks: thin wrappers that call into the `diapo` package.

Each task turns a `DiapoError` into a one-line `invoke.Exit` (file:line: message), never a
traceback. Run `invoke --list` for the list and `invoke --help TASK` for the options.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from invoke import Collection, Exit, task

from diapo.errors import DiapoError


def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run a diapo entry point; user errors and Ctrl-C become clean exits."""
    try:
        code = fn(*args, **kwargs)
    except DiapoError as exc:
        raise Exit(f"erreur: {exc}", code=2) from None
    except KeyboardInterrupt:
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
    iterable=["deck"],
    help={
        "deck": "deck to verify (repeatable); every deck when omitted",
        "demo": "run only the demo with this id (and the steps it depends on)",
        "parallel": "number of decks run at once (default: CPU count)",
        "junit": "write a JUnit XML report to this path",
        "json": "write the JSON report to this path (default .diapo/verify.json)",
        "keep": "keep namespaces and objects for debugging",
        "update": "rewrite expect blocks from the actual output of a passing run",
    },
)
def verify(c, deck=None, demo=None, parallel=0, junit=None, json=None, keep=False, update=False):
    """Run every demo of every deck against the cluster and fail on the first rotten slide."""
    from diapo.demo import verify as verify_mod

    _call(verify_mod.run, decks=deck or [], demo=demo, parallel=parallel, junit=junit,
          json_path=json, keep=keep, update=update)


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
            "port": "apiserver port on 127.0.0.1 (default: a free one)"})
def cluster_up(c, version=None, port=0):
    """Start the local control plane (etcd, apiserver, controllers, scheduler, kwok nodes)."""
    from diapo.cluster import local

    _call(local.up, version=version, port=port or None)


@task
def cluster_down(c):
    """Stop the local control plane, apiserver before etcd, leaving no process behind."""
    from diapo.cluster import local

    _call(local.down)


@task
def cluster_status(c):
    """Show whether the local control plane runs, its version, nodes and kubeconfig."""
    from diapo.cluster import local

    _call(local.status)


@task(help={"version": "Kubernetes version to build (default: the pinned one)"})
def cluster_build(c, version=None):
    """Build (or reuse from ~/.cache/diapo) the control-plane binaries."""
    from diapo.cluster import binaries

    _call(binaries.ensure_all, version=version)


# --------------------------------------------------------------------------- content


@task(help={"name": "render only this diagram (module of docs/diagrams/, e.g. whoami_service)"})
def images(c, name=None):
    """Re-render the deck diagrams (docs/diagrams/*.py, Graphviz) into docs/img and docs/schema."""
    c.run(f"{sys.executable} docs/diagrams/render.py {name or ''}".strip(), pty=False)


# --------------------------------------------------------------------------- quality


@task(help={"only": "run only benchmarks whose name contains this text"})
def bench(c, only=""):
    """Run the benchmarks in bench/ and print figures as ratios against their baselines."""
    c.run(f"{sys.executable} -m bench {only}".strip(), pty=False)


@task(help={"args": "extra arguments for pytest (e.g. '-k deck -x')",
            "suite": "pytest only: skip the verification of the docs and the strict build"})
def test(c, args="", suite=False):
    """Run the test suite, then verify every deck's demos and build the site strictly."""
    c.run(f"{sys.executable} -m pytest {args}".strip(), pty=False)
    if suite:
        return
    from diapo.cluster import local

    _call(local.up)
    verify(c)
    build(c)


demo_ns = Collection("demo")
demo_ns.add_task(demo, name="run", default=True)
demo_ns.add_task(demo_reset, name="reset")

ns = Collection(build, serve, pdf, inspect, verify, present, bench, test, images)
ns.add_collection(demo_ns)
ns.add_collection(
    Collection("cluster", up=cluster_up, down=cluster_down, status=cluster_status,
               build=cluster_build)
)
