"""Build images into the cache and import them into a containerd image store.

Cache layout: `~/.cache/diapo/images/<repository>/<tag>-<key>.tar`, where `key` hashes the
recipe and every version it depends on (Debian package versions, Go toolchain and module
versions, a stand-in's source), so any change rebuilds and an unchanged image is reused.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from diapo.cluster.binaries import cache_root
from diapo.cluster.images import oci
from diapo.cluster.images.gobuild import locked, say
from diapo.cluster.images.recipes import Recipe, Spec
from diapo.errors import ClusterError

BUILDER_VERSION = "1"  # bump when the image layout written here changes
IMPORTS_AT_ONCE = 4


def images_dir() -> Path:
    """Root of the image cache."""
    return cache_root() / "images"


def cache_key(spec: Spec, recipe: Recipe) -> str:
    """A short hash of the image name, the recipe and all its input versions."""
    inputs = {"builder": BUILDER_VERSION, "name": spec.name, "recipe": spec.recipe,
              "options": spec.options, "inputs": recipe.inputs(spec)}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()[:16]


def tarball_path(spec: Spec, key: str) -> Path:
    """Where the OCI tarball of `spec` with cache key `key` is kept."""
    repository = oci.full_reference(spec.name).rsplit(":", 1)[0]
    return images_dir() / repository / f"{spec.tag}-{key}.tar"


def build(spec: Spec, recipe: Recipe, *, quiet: bool = False) -> Path:
    """The OCI tarball of `spec`: from the cache, else built (rootfs in a temporary directory)."""
    out = tarball_path(spec, cache_key(spec, recipe))
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with locked(out.with_suffix(".lock")):
        if out.is_file():
            return out
        log = out.with_suffix(".log")
        log.write_text(f"diapo: build of the image {spec.name} (recipe {spec.recipe})\n")
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="rootfs-", dir=out.parent) as work:
            rootfs = Path(work) / "rootfs"
            rootfs.mkdir()
            try:
                config = recipe.build(spec, rootfs, log, quiet)
            except ClusterError as err:
                raise ClusterError(f"image {spec.name} : {err.message}", hint=err.hint) from None
            digest = oci.write(rootfs, out, spec.name, config)
        seconds = time.monotonic() - started
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"\ndiapo: {spec.name} {digest} built in {seconds:.1f} s\n")
        say(quiet, f"image {spec.name} construite en {seconds:.1f} s ({out.stat().st_size >> 20} Mio)")
    return out


def import_into(containerd_socket: str | Path, tarballs: list[Path], *,
                namespace: str = "k8s.io", ctr: str | None = None) -> None:
    """Import OCI tarballs into a containerd (CRI namespace `k8s.io` by default) and pin them.

    Pinned images (`io.cri-containerd.pinned=pinned`) are never removed by the kubelet's image
    garbage collection: they could not be pulled again.
    """
    ctr = ctr or shutil.which("ctr")
    if not ctr:
        raise ClusterError("ctr est introuvable : il importe les images dans containerd",
                           hint="apt-get install containerd")
    base = [ctr, "--address", str(containerd_socket), "--namespace", namespace]

    def one(tar: Path) -> None:
        proc = subprocess.run([*base, "images", "import", str(tar)], capture_output=True,
                              text=True, timeout=300)
        if proc.returncode != 0:
            raise ClusterError(f"import de l'image {tar.name} dans containerd impossible : "
                               f"{(proc.stderr or proc.stdout).strip().splitlines()[-1:]}")
        name = _name_in(tar)
        subprocess.run([*base, "images", "label", name, "io.cri-containerd.pinned=pinned"],
                       capture_output=True, text=True, timeout=60)

    # Unpacking is CPU-bound in containerd: a few at once, the largest first (they end last).
    # Images may share a layer: containerd's writer waits while another import writes the
    # same blob (content.OpenWriter retries a locked ref), then finds it present.
    ordered = sorted(tarballs, key=lambda tar: -tar.stat().st_size if tar.is_file() else 0)
    with ThreadPoolExecutor(max_workers=IMPORTS_AT_ONCE) as pool:
        for future in [pool.submit(one, tar) for tar in ordered]:
            future.result()  # the first failure, once every import has ended


def _name_in(tar: Path) -> str:
    """The `io.containerd.image.name` of an OCI tarball written by `oci.write`."""
    import tarfile

    with tarfile.open(tar) as handle:
        index = json.load(handle.extractfile("index.json"))  # type: ignore[arg-type]
    return index["manifests"][0]["annotations"]["io.containerd.image.name"]


# A loopback port nothing listens on (TCP port 9 is "discard"): a pull is refused at once.
NO_REGISTRY = "http://127.0.0.1:9"


def write_no_registry(certs_dir: Path) -> Path:
    """Write containerd's registry host configuration so that any pull fails at once.

    Point containerd's CRI `registry.config_path` at `certs_dir`: every registry
    (`_default`) resolves to a refused loopback port, so a pod whose image was not imported
    gets ErrImagePull within a second (its event names the image) instead of waiting on a
    network that is not there, and no traffic leaves the machine.
    """
    folder = Path(certs_dir) / "_default"
    folder.mkdir(parents=True, exist_ok=True)
    hosts = folder / "hosts.toml"
    hosts.write_text(f'# diapo: no registry is reachable; every image is built locally.\n'
                     f'server = "{NO_REGISTRY}"\n\n[host."{NO_REGISTRY}"]\n'
                     f'  capabilities = ["pull", "resolve"]\n')
    return hosts
