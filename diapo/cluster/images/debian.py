"""A root file system from Debian packages: the packages asked for, their direct dependencies
and, below them, the shared libraries they need; checked with the dynamic loader.

Packages are fetched with `apt-get download` into `~/.cache/diapo/debs/` (nothing is installed
on the machine, no maintainer script runs) and unpacked with `dpkg-deb -x`. The dependency walk
follows every `Depends`/`Pre-Depends` of the requested packages and then only library packages
(`lib*`), which keeps interpreters and tools (perl for postgresql-common, debconf, …) out of an
image that does not run them; `exclude` drops more (e.g. LLVM, only used for PostgreSQL's JIT).
`check_libraries` then proves that each entry binary finds every library inside the rootfs.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

from diapo.cluster.binaries import cache_root
from diapo.cluster.images.gobuild import locked, run
from diapo.errors import ClusterError

ALWAYS_EXCLUDED = ("debconf", "cdebconf", "locales", "locales-all", "ssl-cert", "init-system-helpers",
                   "sensible-utils", "adduser", "lsb-base", "dpkg", "install-info")
_DEP = re.compile(r"^\s*(\|)?(Pre)?Depends: (\S+)")


def debs_dir() -> Path:
    """Where downloaded .deb files are kept."""
    return cache_root() / "debs"


def apt_options() -> list[str]:
    """Keep APT's binary cache in ours: Debian container images disable it, which makes each
    `apt-cache` call parse every package list again (tens of seconds on a loaded machine)."""
    folder = debs_dir() / "apt"
    folder.mkdir(parents=True, exist_ok=True)
    return ["-o", f"Dir::Cache::pkgcache={folder / 'pkgcache.bin'}",
            "-o", f"Dir::Cache::srcpkgcache={folder / 'srcpkgcache.bin'}"]


# What apt-cache's answers depend on: the package lists, the sources and pins, dpkg's status.
_APT_STATE = ("/var/lib/apt/lists", "/etc/apt", "/var/lib/dpkg/status")


def _apt_state() -> str:
    """A digest of every file apt-cache reads (names, sizes, modification times)."""
    entries = []
    for root in map(Path, _APT_STATE):
        for path in sorted([root, *root.rglob("*")] if root.is_dir() else [root]):
            try:
                stat = path.stat()
            except OSError:
                continue
            if path.is_file():
                entries.append((str(path), stat.st_size, stat.st_mtime_ns))
    return hashlib.sha256(repr(entries).encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def _answers() -> tuple[Path, dict[str, str]]:
    """apt-cache's answers kept for this state of APT (a warm `cluster.up` asked ~20 questions
    again, 5 s), and the file they are kept in."""
    path = debs_dir() / "apt" / f"answers-{_apt_state()}.json"
    try:
        return path, json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        for stale in path.parent.glob("answers-*.json"):  # another state of APT's
            stale.unlink(missing_ok=True)
        return path, {}


def _apt_cached(args: tuple[str, ...]) -> str:
    path, answers = _answers()
    key = json.dumps(args)
    if key not in answers:
        answers[key] = _apt(list(args))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(answers), encoding="utf-8")
        partial.replace(path)
    return answers[key]


def _apt(args: list[str]) -> str:
    proc = subprocess.run(["apt-cache", *apt_options(), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise ClusterError(f"apt-cache {' '.join(args[:3])} a échoué : "
                           f"{proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ''}",
                           hint="lancez `apt-get update` (les images viennent des paquets Debian)")
    return proc.stdout


def _depends(packages: list[str], excluded: set[str]) -> dict[str, list[str]]:
    """Direct dependencies of each package (first non-excluded alternative; virtual -> provider)."""
    out = _apt_cached(("depends", "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks",
                "--no-replaces", "--no-enhances", *sorted(packages)))
    deps: dict[str, list[str]] = {}
    current: str | None = None
    group: list[str] = []
    lines = out.splitlines()
    for index, line in enumerate(lines):
        if line and not line.startswith(" "):
            current = line.strip()
            deps.setdefault(current, [])
            continue
        match = _DEP.match(line)
        if not match or current is None:
            continue
        name = match[3]
        if name.startswith("<"):  # virtual: the first provider listed below it
            following = lines[index + 1] if index + 1 < len(lines) else ""
            name = following.strip() if following.startswith("    ") else ""
        name = name.split(":", 1)[0]
        if name:
            group.append(name)
        if match[1]:  # "|Depends": an alternative, more follow
            continue
        chosen = next((alt for alt in group if alt not in excluded), None)
        if chosen:
            deps[current].append(chosen)
        group = []
    return deps


def closure(packages: list[str], exclude: tuple[str, ...] = ()) -> list[str]:
    """The packages to unpack for `packages` (see the module docstring), sorted."""
    excluded = set(ALWAYS_EXCLUDED) | set(exclude)
    chosen = set(packages)
    todo = list(packages)
    first = True
    while todo:
        found = _depends(todo, excluded)
        todo = []
        for deps in found.values():
            for dep in deps:
                if dep in chosen or dep in excluded:
                    continue
                if first or dep.startswith("lib"):
                    chosen.add(dep)
                    todo.append(dep)
        first = False
    return sorted(chosen)


def versions(packages: list[str]) -> dict[str, str]:
    """The candidate version of each package (part of the image cache key)."""
    out = _apt_cached(("policy", *sorted(packages)))
    result: dict[str, str] = {}
    current = None
    for line in out.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            current = line[:-1]
        elif current and line.strip().startswith("Candidate:"):
            result[current] = line.split(":", 1)[1].strip()
    missing = [pkg for pkg in packages if result.get(pkg) in (None, "(none)")]
    if missing:
        raise ClusterError(f"paquet Debian introuvable : {', '.join(missing)}",
                           hint="vérifiez le nom, puis lancez `apt-get update`")
    return result


def _deb_path(package: str, version: str) -> Path:
    return debs_dir() / f"{package}_{version.replace(':', '%3a')}_"


def unpack(packages: dict[str, str], rootfs: Path, log: Path) -> None:
    """Download (once) and unpack `packages` ({name: version}) into `rootfs`."""
    folder = debs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with locked(folder / ".lock"):
        wanted = [f"{pkg}={ver}" for pkg, ver in packages.items()
                  if not list(folder.glob(_deb_path(pkg, ver).name + "*.deb"))]
        if wanted:
            run(["apt-get", *apt_options(), "download", "-q", *wanted], folder, log, what="apt-get download")
    for pkg, ver in sorted(packages.items()):
        debs = sorted(folder.glob(_deb_path(pkg, ver).name + "*.deb"))
        if not debs:
            raise ClusterError(f"paquet Debian {pkg}={ver} non téléchargé — journal : {log}")
        run(["dpkg-deb", "-x", str(debs[0]), str(rootfs)], folder, log, what=f"dpkg-deb {pkg}")


def check_libraries(rootfs: Path, binaries: list[str]) -> None:
    """Every shared library each binary needs is found inside `rootfs` (ClusterError if not)."""
    loaders = sorted(rootfs.glob("*lib*/x86_64-linux-gnu/ld-linux-x86-64.so.2"))
    dirs = ":".join(str(rootfs / d) for d in ("lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu",
                                              "lib", "usr/lib"))
    for binary in binaries:
        path = rootfs / binary.lstrip("/")
        if not loaders:
            raise ClusterError(f"image sans chargeur dynamique (libc6) pour {binary}")
        # Not resolve(): a symlink in the rootfs may be absolute and point at the machine's file.
        proc = subprocess.run([str(loaders[0]), "--library-path", dirs, "--list", str(path)],
                              capture_output=True, text=True)
        missing = [line.split()[0] for line in proc.stdout.splitlines()
                   if "=>" in line and (" not found" in line
                                        or str(rootfs.resolve()) not in line.split("=>")[1])]
        if proc.returncode != 0 or missing:
            raise ClusterError(f"bibliothèques absentes de l'image pour {binary} : "
                               f"{', '.join(missing) or proc.stderr.strip()}")
