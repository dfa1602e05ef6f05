"""Build Go programs into the cache: a command of a published module at a version (the Go
module proxy), or a small stand-in whose source ships in this package.

Layout: `~/.cache/diapo/go/<binary>/<version>-<go version>/<binary>` and `build.log` beside
it, so a new module version or a new Go toolchain builds afresh and an old build stays valid.
Builds are static (`CGO_ENABLED=0`), stripped, trimmed; one build per directory at a time
(a file lock), so two processes never build the same thing twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from diapo.cluster import binaries
from diapo.cluster.binaries import cache_root
from diapo.errors import ClusterError

ENV = {"GOFLAGS": "-trimpath -buildvcs=false", "GOTOOLCHAIN": "local", "GOWORK": "off",
       "CGO_ENABLED": "0"}


def say(quiet: bool, text: str) -> None:
    """One progress line on stderr (French, for the lecturer)."""
    if not quiet:
        print(f"diapo images: {text}", file=sys.stderr, flush=True)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` (created), released on exit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with binaries.locked(path, quiet=True):
        yield


def go() -> str:
    """The `go` command, or a clear error."""
    found = shutil.which("go")
    if not found:
        raise ClusterError("Go est introuvable : il faut Go pour construire les images et "
                           "les modules complémentaires du cluster",
                           hint="installez Go (https://go.dev/dl/)")
    return found


def go_version() -> str:
    """`go1.26.8`: part of every cache key."""
    out = subprocess.run([go(), "env", "GOVERSION"], capture_output=True, text=True)
    return out.stdout.strip() or "go-unknown"


# One build helper for the whole cluster package: output appended to the log, the tail in the
# error (binaries builds the control plane the same way).
run = binaries._run


def build_dir(binary: str, version: str) -> Path:
    """Where one build of `binary` at `version` (with this Go) lives."""
    return cache_root() / "go" / binary / f"{version}-{go_version()}"


def module_dir(module: str, version: str, log: Path) -> Path:
    """The module's source in the Go module cache (downloaded through the proxy if needed)."""
    out = run([go(), "mod", "download", "-json", f"{module}@{version}"], log.parent, log,
              ENV, what=f"{module}@{version}")
    return Path(json.loads(out[out.index("{"):])["Dir"])


def _once(exe: Path, what: str, build: Callable[[Path, Path], None]) -> Path:
    """`exe` if built already, else `build(log, tmp)` under the directory's lock, then
    `tmp` renamed to `exe` (so a half-written binary is never taken for a built one)."""
    if os.access(exe, os.X_OK):
        return exe
    with locked(exe.parent / ".lock"):
        if not os.access(exe, os.X_OK):
            log = exe.parent / "build.log"
            log.write_text(f"diapo: build of {what}\n")
            started = time.monotonic()
            tmp = Path(str(exe) + ".tmp")
            build(log, tmp)
            tmp.replace(exe)
            with open(log, "a", encoding="utf-8") as out:
                out.write(f"\ndiapo: built in {time.monotonic() - started:.0f} s\n")
    return exe


def build_module(module: str, version: str, package: str, binary: str, *,
                 ldflags: str = "", in_module: bool = False, quiet: bool = False) -> Path:
    """The binary of `module/package` at `version`, built once and cached.

    `go install module/package@version` by default; `in_module=True` builds inside the
    module's own source tree instead, for modules whose go.mod has `replace` lines (which
    `go install pkg@version` refuses), with exactly the dependencies their go.sum pins.
    """
    flags = ["-ldflags", f"-s -w {ldflags}".strip()]
    path = f"{module}/{package}".rstrip("/").removesuffix("/.")

    def build(log: Path, tmp: Path) -> None:
        started = time.monotonic()
        say(quiet, f"construction de {binary} {version} (module Go {module}) — journal : {log}")
        if in_module:
            src = module_dir(module, version, log)
            run([go(), "build", *flags, "-o", str(tmp), f"./{package}"], src, log, ENV,
                what=binary)
        else:
            with tempfile.TemporaryDirectory(dir=tmp.parent) as gobin:
                run([go(), "install", *flags, f"{path}@{version}"], tmp.parent, log,
                    {**ENV, "GOBIN": gobin}, what=binary)
                shutil.move(Path(gobin) / Path(path).name, tmp)
        say(quiet, f"{binary} {version} prêt en {time.monotonic() - started:.0f} s")

    target = build_dir(binary, version)
    target.mkdir(parents=True, exist_ok=True)
    return _once(target / binary, f"{path}@{version}", build)


def source_hash(src: Path) -> str:
    """A short hash of a stand-in's source files (its cache key)."""
    digest = hashlib.sha256()
    for path in sorted(src.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(src).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def build_standin(src: Path, binary: str, *, quiet: bool = False) -> Path:
    """Build a stand-in program whose Go source (standard library only) ships in this package."""

    def build(log: Path, tmp: Path) -> None:
        with tempfile.TemporaryDirectory(dir=tmp.parent) as work:
            for path in src.glob("*.go"):
                shutil.copy(path, work)
            Path(work, "go.mod").write_text(f"module diapo.local/{binary}\n\ngo 1.22\n")
            run([go(), "build", "-ldflags", "-s -w", "-o", str(tmp), "."], Path(work), log,
                ENV, what=binary)

    target = build_dir(binary, "src-" + source_hash(src))
    target.mkdir(parents=True, exist_ok=True)
    return _once(target / binary, f"the stand-in {binary} from {src}", build)


def go_mod_cache() -> str:
    """The Go module cache (`go env GOMODCACHE`)."""
    out = subprocess.run([go(), "env", "GOMODCACHE"], capture_output=True, text=True)
    return out.stdout.strip() or str(Path.home() / "go" / "pkg" / "mod")
