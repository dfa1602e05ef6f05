"""diapo's configuration: the `diapo` plugin entry of mkdocs.yml, for the site and the demos.

One file configures everything (design.md): the MkDocs plugin validates it during a build, and
the demo runner and the cluster tasks load the same schema with `load()` without building.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from mkdocs.config import base, config_options as c

from diapo.errors import DiapoError, Location


class DiapoConfig(base.Config):
    """Options of `plugins: - diapo: {...}` in mkdocs.yml."""

    # Site
    theme = c.Type(str, default="default")  # slide theme when a deck names none
    strict = c.Type(bool, default=True)  # broken links / anchors / images fail the build
    presentation = c.Type(bool, default=True)  # write the presentation view of each deck
    home_deck = c.Type(str, default="introduction")  # deck whose slide N `./#N` reaches
    # Presenter notes on the (public) reading page too; by default only the presenter window
    # and the handout PDF show them, as Marp does, and the search index never has them.
    reading_notes = c.Type(bool, default=False)
    # Demos
    contexts = c.ListOfItems(c.Type(str), default=["diapo-local"])  # allowed kube contexts
    timeout = c.Type((int, float), default=60)  # default per-step timeout, seconds
    wait_timeout = c.Type((int, float), default=120)  # default for `wait=` conditions
    demos_dir = c.Type(str, default="demos")  # demos/<deck>/ copied into each run
    report = c.Type(str, default=".diapo/verify.json")  # JSON report read by the site
    # Local control plane
    # Component versions: each one is part of the cache key of what is built from it (runc and
    # the CNI plugins are the machine's).
    kubernetes_version = c.Type(str, default="1.37.2")
    etcd_version = c.Type(str, default="v3.7.0")
    kwok_version = c.Type(str, default="v0.7.0")
    containerd_version = c.Type(str, default="v2.4.2")
    versions = c.ListOfItems(c.Type(str), default=[])  # `verify --kubernetes matrix`
    state_dir = c.Type(str, default=".diapo/cluster")
    nodes = c.Choice(("auto", "real", "simulated"), default="auto")  # env DIAPO_NODES wins


def find_root(start: Path | None = None) -> Path:
    """The project root: the nearest directory at or above `start` holding mkdocs.yml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file():
            return folder
    raise DiapoError(f"aucun mkdocs.yml dans {here} ni dans ses dossiers parents")


def mkdocs_dir(root: Path, key: str, default: str) -> Path:
    """A folder mkdocs.yml names (`docs_dir`, `site_dir`), under the project at `root`; the
    default when mkdocs.yml cannot be read (MkDocs itself then reports it)."""
    try:
        data = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError):
        data = None
    folder = data.get(key) if isinstance(data, dict) else None
    return root / str(folder or default)


def docs_dir(root: Path) -> Path:
    """The decks folder of the project at `root`: mkdocs.yml's `docs_dir` (default `docs`)."""
    return mkdocs_dir(root, "docs_dir", "docs")


class _Loader(yaml.SafeLoader):
    """Safe YAML loader that accepts MkDocs' `!!python/name:` and `!ENV` tags as opaque text."""


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def load(root: Path | None = None) -> tuple[DiapoConfig, Path]:
    """Load and validate the `diapo` plugin options of `<root>/mkdocs.yml`.

    Returns the validated config and the project root. Errors name mkdocs.yml and the option.
    """
    root = find_root(root)
    path = root / "mkdocs.yml"
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise DiapoError(f"YAML invalide : {exc}", Location(str(path), line)) from None
    options: dict = {}
    for entry in data.get("plugins") or []:
        if entry == "diapo":
            break
        if isinstance(entry, dict) and "diapo" in entry:
            options = entry["diapo"] or {}
            break
    if isinstance(data.get("plugins"), dict):
        options = data["plugins"].get("diapo") or {}
    config = DiapoConfig(config_file_path=str(path))
    config.load_dict(options)
    errors, _warnings = config.validate()
    if errors:
        key, err = errors[0]
        raise DiapoError(f"plugin diapo, option « {key} » : {err}", Location(str(path), 1))
    return config, root
