"""The container runtime of a real node: containerd 2.x built from the Go module proxy (its
`containerd`, `containerd-shim-runc-v2` and `ctr` commands, cached under
`~/.cache/diapo/containerd/<version>/`), runc and the standard CNI plugins from the machine
(Debian's `runc` and `containernetworking-plugins`).

Where containerd cannot be built (no Go, no proxy), the machine's containerd (Debian's 1.6) is
used instead, with a warning: the configuration diapo writes (format version 2) suits both.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from diapo.cluster import binaries
from diapo.errors import ClusterError

CONTAINERD_VERSION = "v2.4.2"  # default of the `containerd_version` setting
_MODULE = "github.com/containerd/containerd/v2"
_COMMANDS = ("containerd", "containerd-shim-runc-v2", "ctr")
# Static build without the snapshotters that need C libraries (overlayfs is what nodes use).
_TAGS = "no_btrfs no_zfs no_devmapper"


@dataclass(frozen=True)
class Runtime:
    """Paths of the runtime programs of a node, and where they come from."""

    containerd: Path
    shim: Path
    ctr: Path
    version: str  # e.g. "v2.4.2" or "1.6.20 (Debian)"

    def bin_dirs(self) -> list[str]:
        """Directories the node's daemons need first on PATH: containerd's shim, then the
        system tools (runc, iptables, mount) that sbin holds."""
        return [str(self.shim.parent), "/usr/local/sbin", "/usr/sbin", "/sbin"]


def containerd_version() -> str:
    """The containerd release to build (`containerd_version` setting)."""
    return binaries.setting("containerd_version", CONTAINERD_VERSION)


def cache_dir(version: str) -> Path:
    """Where one containerd version's commands and build log live (the version is the key)."""
    return binaries.cache_root() / "containerd" / version


def ensure(*, quiet: bool = False) -> Runtime:
    """containerd of the configured version (built and cached if needed), else the machine's."""
    version = containerd_version()
    root = cache_dir(version)
    bin_dir = root / "bin"
    if all(os.access(bin_dir / name, os.X_OK) for name in _COMMANDS):
        return Runtime(bin_dir / "containerd", bin_dir / "containerd-shim-runc-v2",
                       bin_dir / "ctr", version)
    root.mkdir(parents=True, exist_ok=True)
    try:
        with binaries.locked(root / ".lock", quiet):
            if not all(os.access(bin_dir / name, os.X_OK) for name in _COMMANDS):
                _build(version, root, quiet)
        return Runtime(bin_dir / "containerd", bin_dir / "containerd-shim-runc-v2",
                       bin_dir / "ctr", version)
    except ClusterError as exc:
        system = _system()
        if system is None:
            raise
        print(f"diapo cluster: containerd {version} n'a pas pu être construit "
              f"({exc.message.splitlines()[0]}) : containerd de la machine utilisé",
              file=sys.stderr, flush=True)
        return system


def _system() -> Runtime | None:
    paths = [shutil.which(name) for name in _COMMANDS]
    if not all(paths):
        return None
    return Runtime(*(Path(p) for p in paths), version="machine")  # type: ignore[misc, arg-type]


def _build(version: str, root: Path, quiet: bool) -> None:
    go = binaries._go()
    log = root / "build.log"
    log.write_text(f"diapo: build of containerd {version}\n")
    binaries._say(quiet, f"construction de containerd {version} — journal : {log}")
    staging = root / "staging"
    env = {"GOFLAGS": "-trimpath -buildvcs=false", "GOTOOLCHAIN": "local", "GOWORK": "off",
           "CGO_ENABLED": "0", "GOBIN": str(staging)}
    flags = f"-s -w -X {_MODULE}/version.Version={version}"
    binaries._run([go, "install", "-tags", _TAGS, "-ldflags", flags,
                   *[f"{_MODULE}/cmd/{name}@{version}" for name in _COMMANDS]],
                  root, log, env, what=f"containerd {version}")
    (root / "bin").mkdir(exist_ok=True)
    for name in _COMMANDS:
        (staging / name).replace(root / "bin" / name)
