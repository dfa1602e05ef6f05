"""Which cluster the demos touch, and whether they may: one answer for `invoke verify`,
`invoke demo` and `invoke present`.

- The kubeconfig: `$KUBECONFIG` when it is set (kubectl's rule), else the local control
  plane's when it runs (`invoke cluster.up`), else kubectl's default `~/.kube/config`.
- The context must be listed in `contexts` of the diapo plugin: demos create and delete
  objects. A lecture may still go on elsewhere when `--context` names the context and the
  lecturer types "oui"; a verification never asks.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from diapo.cluster.client import resolve_config
from diapo.errors import ClusterError, Location


@dataclass(frozen=True)
class Target:
    """The kubeconfig context the demos run against, and what a probe found there."""

    context: str
    kubeconfig: str | None  # path; None: $KUBECONFIG or ~/.kube/config, as kubectl does
    server: str
    version: str = ""  # the API server's, once probed
    simulated: bool = False  # kwok's nodes: needs=node steps are skipped
    orphans: tuple[str, ...] = ()  # namespaces of killed runs, removed by the probe


def default_kubeconfig(local_kubeconfig: Path) -> str | None:
    """The kubeconfig to use when none is named: None when `$KUBECONFIG` is set (the client
    reads it), the local control plane's `local_kubeconfig` when it exists, else None."""
    if os.environ.get("KUBECONFIG"):
        return None
    if os.environ.get("DIAPO_CLUSTER_DIR"):
        local_kubeconfig = Path(os.environ["DIAPO_CLUSTER_DIR"]) / "kubeconfig"
    return str(local_kubeconfig) if local_kubeconfig.is_file() else None


def contexts_location(config_path: str | Path) -> Location:
    """Where `contexts` is set in mkdocs.yml (line 1 when it is left at its default)."""
    path = Path(config_path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return Location(str(path), 1)
    line = next((n for n, text in enumerate(lines, 1) if re.match(r"\s*contexts\s*:", text)), 1)
    return Location(str(path), line)


def choose(allowed: list[str], *, config_path: str | Path, kubeconfig: str | None = None,
           requested: str | None = None,
           confirm: Callable[[str], str] | None = None) -> Target:
    """The context to use (`requested`, else the kubeconfig's current one), once allowed.

    A context outside `allowed` raises ClusterError at `contexts` in mkdocs.yml, unless it
    was `requested` and `confirm(question)` (the lecturer's typed answer) says "oui";
    without `confirm` (a verification) it is always refused.
    """
    config = resolve_config(kubeconfig, requested)  # ClusterError: unknown context, no file
    name = config["current-context"]
    server = config["clusters"][0]["cluster"].get("server", "")
    target = Target(context=name, kubeconfig=kubeconfig, server=server)
    if name in allowed:
        return target
    where = contexts_location(config_path)
    listed = ", ".join(allowed) or "aucun"
    if requested is None or confirm is None:
        hint = "ajoutez-le à `contexts` du plugin diapo"
        if confirm is not None:
            hint += f", ou passez --context {name} pour confirmer"
        raise ClusterError(f"contexte « {name} » refusé : il n'est pas dans `contexts` "
                           f"(autorisés : {listed})", where, hint=hint)
    answer = confirm(f"Le contexte « {name} » ({server}) n'est pas dans `contexts` ({listed}).\n"
                     "Tapez « oui » pour lancer les démos sur ce cluster : ")
    if answer.strip().lower() != "oui":
        raise ClusterError(f"contexte « {name} » refusé : non confirmé", where)
    return target
