"""Container images without a registry: built on this machine as OCI image tarballs, under the
exact name and tag the slides show, then imported into the node's containerd.

Public interface (used by the node lifecycle in `diapo.cluster.local` and by verification):

- `deck_images(deck_md, demos_dir)`: the images a deck declares in `demos/<deck>/images.yaml`
  (see `declared`), after checking that every image the deck uses is declared (ClusterError
  with file, line and the line to add otherwise);
- `project_images(root)`: the declared images of every `demos/*/images.yaml` of a project;
- `build(specs)`: the OCI tarballs (`~/.cache/diapo/images/…`, keyed by every input version),
  building the missing ones;
- `pause(kube_version)`: the sandbox image built from that release's own `pause.c`, with its
  name (`registry.k8s.io/pause:<tag of build/pause/Makefile>`) for containerd's
  `sandbox_image`;
- `import_into(containerd_socket, tarballs, namespace="k8s.io", ctr=None)`: `ctr images
  import` of each tarball, pinned so the kubelet never garbage-collects it;
- `write_no_registry(certs_dir)`: a containerd `config_path` (hosts.toml for `_default`)
  under which every pull is refused at once, on loopback.

Images are pre-imported: the kubelet must never pull (no registry is reachable). A pod whose
image is not in the store fails with ErrImageNeverPull (`imagePullPolicy: Never`) or an
immediate pull error; `check` catches it earlier, before any step runs, with the fix.
Built-in recipes and stand-ins are listed in `recipes` (and, in French, in BALISES.md).
"""

from __future__ import annotations

from pathlib import Path

from diapo.cluster.images import declared, recipes, store
from diapo.cluster.images.oci import full_reference
from diapo.cluster.images.recipes import Spec
from diapo.cluster.images.store import import_into, write_no_registry

__all__ = ["Spec", "build", "check", "deck_images", "full_reference", "import_into", "pause",
           "project_images", "write_no_registry"]

check = declared.check


def deck_images(deck_md: Path, demos_dir: Path, provided: tuple[str, ...] = ()) -> list[Spec]:
    """The declared images of one deck, once every image it uses is checked to be declared."""
    return [spec for spec, _ in declared.check(deck_md, demos_dir, provided).values()]


def project_images(root: Path) -> list[Spec]:
    """The images declared by every `demos/*/images.yaml` under `root` (one spec per name)."""
    specs: dict[str, Spec] = {}
    for path in sorted(Path(root).glob(f"demos/*/{declared.FILE}")):
        for name, (spec, _) in declared.load(path.parent).items():
            specs.setdefault(name, spec)
    return list(specs.values())


_RECIPES: dict[str, recipes.Recipe] = {}


def _recipe(spec: Spec) -> recipes.Recipe:
    if spec.name in _RECIPES:
        return _RECIPES[spec.name]
    if spec.recipe in recipes.BUILTIN:
        return recipes.BUILTIN[spec.recipe]
    return recipes.from_options(spec.options, spec.name)


def build(specs: list[Spec], *, quiet: bool = False) -> list[Path]:
    """The OCI tarball of each spec, in order (built where not cached)."""
    return [store.build(spec, _recipe(spec), quiet=quiet) for spec in specs]


def register(spec: Spec, recipe: recipes.Recipe) -> Spec:
    """Make `build` use `recipe` for `spec` (the cluster's own images: pause, add-ons)."""
    _RECIPES[spec.name] = recipe
    return spec


def pause(kube_version: str, *, quiet: bool = False) -> tuple[str, Path]:
    """(`registry.k8s.io/pause:TAG`, tarball) for the given Kubernetes release."""
    version = kube_version.removeprefix("v")
    log = store.images_dir() / "pause.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    name = f"registry.k8s.io/pause:{recipes.pause_tag(version, log)}"
    spec = register(Spec(name, "pause"), recipes.Pause(version))
    return name, build([spec], quiet=quiet)[0]
