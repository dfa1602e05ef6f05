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

from diapo.errors import DiapoError
from diapo.project import Project
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


@task(help={"strict": "échouer au moindre avertissement (lien cassé, image manquante) ; "
                      "activé par défaut",
            "clean": "supprimer d'abord le dossier de sortie"})
def build(c, strict=True, clean=False):
    """Construit le site dans site/ : page de lecture et vue de présentation de chaque deck."""
    from diapo.site import commands

    _call(commands.build, strict=strict, clean=clean)


@task(help={"addr": "adresse:port d'écoute (par défaut 127.0.0.1:8000)"})
def serve(c, addr="127.0.0.1:8000"):
    """Sert le site en local, rechargé à chaque modification des decks."""
    from diapo.site import commands

    _call(commands.serve, addr=addr)


@task(help={"deck": "nom du deck (ex. kubernetes) ; tous les decks si omis",
            "handout": "écrire aussi le PDF avec notes (chaque diapositive et ses notes) ; "
                       "activé par défaut"})
def pdf(c, deck=None, handout=True):
    """Imprime en PDF la vue de présentation de chaque deck, avec le Chromium de Debian."""
    from diapo.site import pdf as pdf_mod

    _call(pdf_mod.run, deck=deck, handout=handout)


# --------------------------------------------------------------------------- decks


@task(help={"deck": "nom ou chemin du deck (ex. kubernetes ou docs/kubernetes.md)",
            "json": "afficher une forme JSON stable, lisible par un programme"})
def inspect(c, deck, json=False):
    """Affiche le détail de chaque diapositive d'un deck.

    Pour chacune : numéro, ligne, titre, directives, notes, images et blocs de code.
    """
    from diapo.deck import inspect as inspect_mod

    _call(inspect_mod.run, deck, as_json=json)


# --------------------------------------------------------------------------- demos


@task(
    klass=RestTask,
    rest="decks",
    iterable=["deck"],
    help={
        "decks": "decks à vérifier, en mots après la tâche (invoke verify kubernetes cloud)",
        "deck": "deck à vérifier (répétable) ; tous les decks si omis",
        "demo": "lancer seulement la démo de cet id (et les étapes dont elle dépend)",
        "parallel": "nombre de decks vérifiés en même temps (par défaut : nombre de "
                    "processeurs)",
        "junit": "écrire un rapport JUnit XML à ce chemin",
        "json": "écrire le rapport JSON à ce chemin (par défaut .diapo/verify.json)",
        "keep": "garder namespaces et objets pour le débogage",
        "update": "réécrire les blocs expect avec la sortie réelle d'une exécution réussie",
        "changed": "lancer seulement les decks dont les démos ont changé depuis le rapport "
                   "(empreintes), et y fusionner les résultats",
        "strict_warnings": "échouer sur tout avertissement de kubectl / du serveur d'API "
                           "qu'un bloc de code n'accepte pas (warn=)",
        "kubernetes": "versions où lancer les démos, chacune sur son plan de contrôle local "
                      "(ex. 1.35,1.36,1.37.2 : une version mineure seule est sa dernière version corrective ; 'matrix' : l'option versions de mkdocs.yml)",
    },
)
def verify(c, deck=None, demo=None, parallel=0, junit=None, json=None, keep=False, update=False,
           changed=False, strict_warnings=False, kubernetes=None, decks=None):
    """Lance chaque démo de chaque deck sur le cluster ; échoue à la première diapo périmée.

    Utilisation : invoke verify [DECK...] [--options] (ex. `invoke verify kubernetes cloud`).
    """
    from diapo.demo import verify as verify_mod

    options = verify_mod.Options(demo=demo, parallel=int(parallel or 0), junit=junit,
                                 json_path=json, keep=keep, update=update, changed=changed,
                                 strict_warnings=strict_warnings, kubernetes=kubernetes)
    _call(verify_mod.run, [*(decks or []), *(deck or [])], options, _exit_now=True)


@task(
    help={
        "deck": "nom du deck (ex. kubernetes)",
        "slide": "commencer à cette diapositive et s'arrêter après elle",
        "from_": "commencer à ce numéro de diapositive",
        "demo": "lancer seulement la démo de cet id",
        "list": "lister les démos du deck avec leurs numéros de diapositive et leurs ids",
        "type": "effet de frappe : caractères tapés par touche pressée (ex. 3)",
        "auto": "les commandes se tapent seules à cette vitesse (caractères par seconde) ; "
                "Entrée les lance",
        "context": "contexte kubeconfig à utiliser (doit être autorisé, ou confirmé)",
    },
)
def demo(c, deck, slide=None, from_=None, demo=None, list=False, type=0, auto=0, context=None):
    """Mode cours : déroule pas à pas les démos d'un deck sur le cluster courant."""
    from diapo.demo import live

    _call(live.run, deck, slide=slide, start=from_, demo=demo, list_only=list, type_speed=type,
          auto=auto, context=context)


@task(help={"deck": "nom du deck (ex. kubernetes)",
            "port": "port sur 127.0.0.1 (par défaut : un port libre)",
            "browser": "ouvrir les fenêtres du public et du présentateur (--no-browser : ne "
                       "pas les ouvrir)",
            "context": "contexte kubeconfig à utiliser (doit être autorisé, ou confirmé)"})
def present(c, deck, port=0, browser=True, context=None):
    """Présente un deck : diapositives et démos en direct sur un serveur local.

    Le terminal reste utilisable pendant la présentation.
    """
    from diapo.demo import present as present_mod

    _call(present_mod.run, deck, port=int(port or 0), browser=browser, context=context)


@task(help={"deck": "deck dont les objets de démo sont supprimés",
            "context": "contexte kubeconfig à utiliser"})
def demo_reset(c, deck, context=None):
    """Supprime ce que les démos d'un deck ont créé sur le cluster."""
    from diapo.demo import live

    _call(live.reset, deck, context=context)


# --------------------------------------------------------------------------- cluster


@task(help={"version": "version de Kubernetes à construire ou réutiliser (par défaut la version "
                       "fixée par diapo)",
            "port": "port de l'apiserver sur 127.0.0.1 (par défaut : un port libre)",
            "nodes": "real (containerd + kubelet) ou simulated (kwok), par défaut $DIAPO_NODES, "
                     "sinon real si la machine le permet"})
def cluster_up(c, version=None, port=0, nodes=None):
    """Démarre le cluster local : plan de contrôle et nœud réel (ou nœuds simulés kwok)."""
    from diapo.cluster import local

    _call(local.up, version=version, port=port or None, nodes=nodes)


@task
def cluster_down(c):
    """Arrête le cluster local et remet la machine en l'état (processus, montages, réseau)."""
    from diapo.cluster import local

    _call(local.down)


@task
def cluster_status(c):
    """Indique si le plan de contrôle local tourne : version, nœuds et kubeconfig."""
    from diapo.cluster import local

    _call(local.status)


@task(help={"version": "version de Kubernetes à construire (par défaut la version fixée par "
                       "diapo)"})
def cluster_build(c, version=None):
    """Construit (ou reprend de ~/.cache/diapo) les binaires et les images du cluster.

    Plan de contrôle, kubectl, kubelet, kube-proxy, kwok et containerd ; là où un nœud réel
    peut tourner, les images qu'il importe (modules complémentaires, images des decks).
    """
    from diapo.cluster import local

    _call(local.build, version=version)


# --------------------------------------------------------------------------- content


@task(help={"name": "rendre seulement ce schéma (module de docs/diagrams/, ex. whoami_service)"})
def images(c, name=None):
    """Régénère les schémas (docs/diagrams/*.py, Graphviz) dans docs/img et docs/schema."""
    script = _course_file(lambda project: project.docs_dir / "diagrams" / "render.py",
                          "n'a pas de schémas à rendre")
    c.run(f"{sys.executable} {script} {name or ''}".strip(), pty=False)


def _course_file(where: Callable[[Project], Path], otherwise: str) -> Path:
    """A file of the course project (found from mkdocs.yml), or a clean exit saying why not."""
    try:
        path = where(Project.find())
    except DiapoError as exc:
        raise Exit(f"erreur: {exc}", code=2) from None
    if not path.is_file():
        raise Exit(f"erreur: {path} introuvable : ce cours {otherwise}", code=2)
    return path


# --------------------------------------------------------------------------- quality


@task(help={"only": "lancer seulement les bancs d'essai dont le nom contient ce texte"})
def bench(c, only=""):
    """Lance les bancs d'essai de bench/ et affiche chaque mesure rapportée à sa référence."""
    _course_file(lambda project: project.root / "bench" / "__main__.py",
                 "n'a pas de bancs d'essai (bench/)")
    c.run(f"{sys.executable} -m bench {only}".strip(), pty=False)


@task(help={"fix": "laisser ruff corriger ce qu'il peut (imports, syntaxe modernisée) avant "
                   "de vérifier"})
def lint(c, fix=False):
    """Vérifie le code avec ruff et mypy ; échoue au moindre problème.

    ruff sur diapo/, tests/ et bench/ ; mypy sur diapo/.
    """
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


@task(help={"args": "arguments supplémentaires pour pytest (ex. '-k deck -x')",
            "suite": "pytest seulement : ni vérification des démos des decks, ni construction "
                     "stricte du site"})
def test(c, args="", suite=False):
    """Vérifie le code de diapo, lance les tests, puis les démos de chaque deck et le site.

    Les tests démarrent (et arrêtent) leurs propres clusters ; les démos sont vérifiées sur le
    cluster local, arrêté à la fin sauf s'il tournait déjà (un cluster démarré par
    l'utilisateur reste en marche). Le site est construit en mode strict.
    """
    from diapo import system

    # Debian packages the tests use: installed when root, else one line names the command.
    _call(system.ensure, nodes=os.environ.get("DIAPO_NODES") != "simulated")
    if _source_root() is not None:  # diapo's own checkout (CI): ruff and mypy first
        lint(c)
    # Built before the tests: a first build takes minutes, longer than a test may wait.
    cluster_build(c)
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
