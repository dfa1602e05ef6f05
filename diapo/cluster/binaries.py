"""Find or build the control-plane binaries: kube-apiserver, kube-controller-manager,
kube-scheduler, etcd and kwok.

Lookup order for each binary: `$KUBEBUILDER_ASSETS`, then `PATH`, then the cache
`~/.cache/diapo/k8s/<version>/bin/`. Missing ones are built with the machine's Go:

- Kubernetes components from the module `k8s.io/kubernetes` through a generated wrapper module
  whose `replace` lines point each `k8s.io/*` staging module at its published `v0.Y.Z` (the list
  comes from the release's own go.mod, whose replaces point at `./staging/...`), with the version
  ldflags `hack/lib/version.sh` sets, so `kubectl version` shows the real version;
- etcd from `go.etcd.io/etcd/server/v3` (its `main` package) at the `etcd_version` setting, in a
  wrapper module of its own, cached per etcd version (shared by every Kubernetes version);
- kwok with `go install sigs.k8s.io/kwok/cmd/kwok@<kwok_version>`, cached per kwok version;
- kubectl, kubelet and kube-proxy, always of the control plane's own release (the machine's
  kubectl is usually outside the supported version skew), in the same single `go build`.

A release whose go.mod asks for a newer Go than the machine's (1.38 asks for go 1.27) is built
with `GOTOOLCHAIN=go<that version>`, which the go command fetches from the Go module proxy.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from diapo.errors import ClusterError

KWOK_VERSION = "v0.7.0"  # default of the `kwok_version` setting
ETCD_VERSION = "v3.7.0"  # default of the `etcd_version` setting
KUBE_COMPONENTS = ("kube-apiserver", "kube-controller-manager", "kube-scheduler")
COMPONENTS = (*KUBE_COMPONENTS, "etcd", "kwok")
KUBECTL = "kubectl"
NODE_COMPONENTS = ("kubelet", "kube-proxy")
_BUILDABLE = (*COMPONENTS, KUBECTL, *NODE_COMPONENTS)
_FROM_KUBERNETES = (*KUBE_COMPONENTS, KUBECTL, *NODE_COMPONENTS)
# Never taken from PATH: they must be of the control plane's release (version skew).
_SAME_RELEASE = (KUBECTL, *NODE_COMPONENTS)
_ETCD_MAIN = "go.etcd.io/etcd/server/v3"
_MIN_GO = (1, 24)
_VERSION_RE = r"1\.\d+\.\d+(?:-(?:alpha|beta|rc)\.\d+)?"


@dataclass(frozen=True)
class Binaries:
    """Absolute paths of the control-plane binaries for one Kubernetes version."""

    version: str
    paths: dict[str, Path]

    def __getitem__(self, name: str) -> Path:
        return self.paths[name]


def default_version() -> str:
    """The pinned Kubernetes version (default 1.37.2): `kubernetes_version` of the diapo
    plugin in mkdocs.yml."""
    from diapo import config

    return str(config.load()[0]["kubernetes_version"])


def setting(name: str, default: str) -> str:
    """One version setting of the diapo plugin in mkdocs.yml (`default` outside a project)."""
    from diapo import config
    from diapo.errors import DiapoError

    try:
        return str(config.load()[0][name] or default)
    except DiapoError:
        return default


def etcd_version() -> str:
    """The etcd release to build (`etcd_version` setting)."""
    return setting("etcd_version", ETCD_VERSION)


def kwok_version() -> str:
    """The kwok release to build (`kwok_version` setting)."""
    return setting("kwok_version", KWOK_VERSION)


def normalize(version: str | None) -> str:
    """`'v1.37.2'`, `'1.37.2'`, `'1.38.0-beta.0'` or None (the pinned one) -> without the `v`;
    reject anything else."""
    version = (version or default_version()).strip().removeprefix("v")
    if not re.fullmatch(_VERSION_RE, version):
        raise ClusterError(f"version de Kubernetes invalide : {version!r} (attendu : 1.Y.Z)")
    return version


def resolve(version: str) -> str:
    """`normalize`, and a minor written alone (`1.36`) -> its newest stable patch release:
    from the Go module proxy's list of k8s.io/kubernetes, else (offline) the newest one built
    in the cache. One-line errors."""
    wanted = version.strip().removeprefix("v")
    if not re.fullmatch(r"1\.\d+", wanted):
        return normalize(wanted)
    listed = _published() or [path.name for path in (cache_root() / "k8s").glob(f"{wanted}.*")
                               if (path / "bin" / "kube-apiserver").is_file()]
    newest = newest_patch(wanted, listed)
    if newest is None:
        early = [v.removeprefix("v") for v in listed
                 if v.removeprefix("v").startswith(f"{wanted}.0-")]
        raise ClusterError(
            f"version de Kubernetes invalide : {wanted!r} n'a pas de version {wanted}.Z publiée"
            + (f" (pré-versions : {', '.join(early)} ; écrivez-la en entier)" if early else ""))
    return newest


def newest_patch(minor_version: str, listed: list[str]) -> str | None:
    """The newest stable `1.Y.Z` of `minor_version` among `listed` (with or without `v`)."""
    patches = [int(match[1]) for v in listed
               if (match := re.fullmatch(rf"v?{re.escape(minor_version)}\.(\d+)", v.strip()))]
    return f"{minor_version}.{max(patches)}" if patches else None


def _published() -> list[str]:
    """The versions of k8s.io/kubernetes on the Go module proxy ([] when it cannot be asked)."""
    go = shutil.which("go")
    if not go:
        return []
    try:
        proc = subprocess.run([go, "list", "-m", "-versions", "k8s.io/kubernetes"],
                              capture_output=True, text=True, timeout=60,
                              cwd=tempfile.gettempdir(),
                              env={**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod",
                                   "GOWORK": "off"})
    except (OSError, subprocess.TimeoutExpired):
        return []
    return proc.stdout.split()[1:] if proc.returncode == 0 else []


def minor(version: str) -> str:
    """`'1.37.2'` -> `'1.37'`."""
    return ".".join(version.removeprefix("v").split(".")[:2])


def cache_root() -> Path:
    """`$DIAPO_CACHE` or `$XDG_CACHE_HOME/diapo` or `~/.cache/diapo`."""
    if os.environ.get("DIAPO_CACHE"):
        return Path(os.environ["DIAPO_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "diapo"


def version_dir(version: str) -> Path:
    """Where one version's wrapper module, binaries and build log live."""
    return cache_root() / "k8s" / version


def build_log(version: str) -> Path:
    """The build log of one version (shown when a build fails)."""
    return version_dir(version) / "build.log"


def find(name: str, version: str) -> Path | None:
    """A usable binary `name`: from KUBEBUILDER_ASSETS, then PATH, then the cache; else None."""
    assets = os.environ.get("KUBEBUILDER_ASSETS")
    if assets and os.access(Path(assets) / name, os.X_OK):
        return (Path(assets) / name).absolute()
    on_path = shutil.which(name) if name not in _SAME_RELEASE else None
    if on_path:
        return Path(on_path).absolute()
    cached = cached_path(name, version)
    return cached if os.access(cached, os.X_OK) else None


def cached_path(name: str, version: str) -> Path:
    """Where the cache keeps binary `name`: kwok and etcd per their own version setting, the
    rest per Kubernetes version."""
    if name == "kwok":
        return cache_root() / "kwok" / kwok_version() / "kwok"
    if name == "etcd":
        return cache_root() / "etcd" / etcd_version() / "etcd"
    return version_dir(version) / "bin" / name


def kubectl_for(server_version: str) -> Path | None:
    """A kubectl built by diapo for the server's release, else one of the same minor, else
    None: demo steps put its directory first on PATH."""
    version = server_version.removeprefix("v")
    exact = cached_path(KUBECTL, version)
    if os.access(exact, os.X_OK):
        return exact
    same_minor = sorted((cache_root() / "k8s").glob(f"{minor(version)}.*/bin/{KUBECTL}"))
    return same_minor[-1] if same_minor else None


def ensure_all(version: str | None = None, *, quiet: bool = False) -> Binaries:
    """Return every binary of `version` (control plane, kwok, kubectl, kubelet, kube-proxy),
    building the missing ones (cached).

    Raises ClusterError when Go is missing or too old, or a build fails (with the log path).
    """
    version = normalize(version)
    found = {name: find(name, version) for name in _BUILDABLE}
    if all(found.values()):
        return Binaries(version, found)  # type: ignore[arg-type]
    root = version_dir(version)
    root.mkdir(parents=True, exist_ok=True)
    with locked(root / ".lock", quiet):
        # Another process may have built them while we waited for the lock.
        found = {name: find(name, version) for name in _BUILDABLE}
        missing = [name for name, path in found.items() if path is None]
        if missing:
            go = _go()
            started = time.monotonic()
            _say(quiet, f"construction de {', '.join(missing)} (Kubernetes v{version}) avec "
                        f"{go} — journal : {build_log(version)}")
            _build(go, version, missing, quiet)
            _say(quiet, f"binaires prêts en {time.monotonic() - started:.0f} s dans "
                        f"{root / 'bin'}")
            found = {name: find(name, version) for name in _BUILDABLE}
    still = [name for name, path in found.items() if path is None]
    if still:  # pragma: no cover - a successful build always installs them
        raise ClusterError(f"binaires introuvables après construction : {', '.join(still)}")
    return Binaries(version, found)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- building


def _say(quiet: bool, text: str) -> None:
    if not quiet:
        print(f"diapo cluster: {text}", file=sys.stderr, flush=True)


@contextmanager
def locked(path: Path, quiet: bool) -> Iterator[None]:
    """Hold an exclusive lock on `path` so two builds of one version never run at once."""
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _say(quiet, "une autre construction est en cours, attente…")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _go() -> str:
    """The `go` command, checked to be recent enough for Kubernetes (newer releases ask for a
    newer toolchain through `GOTOOLCHAIN`, see `toolchain_for`)."""
    go = shutil.which("go")
    if not go:
        raise ClusterError(
            "Go est introuvable : il faut Go ≥ 1.24 pour construire le plan de contrôle local",
            hint="installez Go (https://go.dev/dl/) ou mettez les binaires dans "
                 "$KUBEBUILDER_ASSETS")
    out = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True).stdout
    match = re.match(r"go(\d+)\.(\d+)", out.strip())
    if not match or (int(match[1]), int(match[2])) < _MIN_GO:
        raise ClusterError(f"Go trop ancien ({out.strip() or 'version inconnue'}) : il faut "
                           f"Go ≥ {_MIN_GO[0]}.{_MIN_GO[1]}")
    return go


def _run(cmd: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None,
         what: str = "") -> str:
    """Run a build command, appending its output to `log`; ClusterError with the tail on failure."""
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"\n$ {shlex.join(cmd)}\n")
        out.flush()
        proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, env={**os.environ, **(env or {})})
        out.write(proc.stdout)
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.strip().splitlines()[-15:])
        raise ClusterError(f"échec de la construction{' de ' + what if what else ''} "
                           f"(code {proc.returncode}) — journal complet : {log}\n{tail}")
    return proc.stdout


def _download(go: str, module: str, cwd: Path, log: Path,
              env: dict[str, str] | None = None) -> dict:
    """`go mod download -json module` -> its JSON description (paths of .info, .mod, dir)."""
    out = _run([go, "mod", "download", "-json", module], cwd, log, env, what=module)
    return json.loads(out[out.index("{"):])


def _release_go_mod(go: str, module: str, cwd: Path, log: Path) -> str:
    """The release's go.mod, fetched with the local toolchain: the go command writes it to the
    module cache (and names it in its JSON) even when the module then asks for a newer Go."""
    proc = subprocess.run([go, "mod", "download", "-json", module], cwd=cwd, text=True,
                          capture_output=True, env={**os.environ, "GOTOOLCHAIN": "local",
                                                    "GOFLAGS": "-mod=mod"})
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"\n$ go mod download -json {module}\n{proc.stdout}{proc.stderr}")
    try:
        path = json.loads(proc.stdout[proc.stdout.index("{"):]).get("GoMod")
    except ValueError:
        path = None
    if not path or not Path(path).is_file():
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise ClusterError(f"échec de la construction : {module} introuvable — journal "
                           f"complet : {log}\n"
                           f"{tail}")
    return Path(path).read_text(encoding="utf-8")


def _local_go_version(go: str) -> tuple[int, ...]:
    out = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True,
                         env={**os.environ, "GOTOOLCHAIN": "local"}).stdout
    return tuple(int(x) for x in re.findall(r"\d+", out)[:3])


def toolchain_for(release_go_mod: str, local: tuple[int, ...]) -> str:
    """`GOTOOLCHAIN` for building a release: `local` when the machine's Go is recent enough,
    else `go<the go line>` (e.g. `go1.27.0`), which the go command fetches from the proxy."""
    line = re.search(r"^go\s+(\d+\.\d+(?:\.\d+)?)\s*$", release_go_mod, flags=re.M)
    if not line:
        return "local"
    wanted = tuple(int(x) for x in line[1].split("."))
    if wanted <= local:
        return "local"
    return "go" + ".".join(str(x) for x in (wanted + (0,))[:3])


def staging_replaces(release_go_mod: str, version: str) -> list[str]:
    """The `replace` lines of the wrapper module, generated from the release's go.mod.

    Each `k8s.io/X => ./staging/src/k8s.io/X` of the release becomes
    `k8s.io/X => k8s.io/X v0.Y.Z`, the published tag of that staging module.
    """
    # 1.37.2 -> 0.37.2, 1.38.0-beta.0 -> 0.38.0-beta.0
    staging_version = "0." + version.split(".", 1)[1]
    modules = re.findall(r"^\s*(?:replace\s+)?(k8s\.io/[\w.-]+)\s+=>\s+\./staging/",
                         release_go_mod, flags=re.M)
    if not modules:
        raise ClusterError("go.mod de k8s.io/kubernetes sans modules staging : format inattendu")
    return [f"replace {mod} => {mod} v{staging_version}" for mod in sorted(set(modules))]


def wrapper_go_mod(release_go_mod: str, version: str) -> str:
    """The go.mod of the wrapper module that builds the release's commands."""
    go_line = re.search(r"^go\s+(\S+)$", release_go_mod, flags=re.M)
    godebug = re.search(r"^godebug\s+.+$", release_go_mod, flags=re.M)
    lines = ["module diapo.local/k8s", "", f"go {go_line[1] if go_line else '1.24.0'}"]
    if godebug:
        lines.append(godebug[0])
    lines += ["", f"require k8s.io/kubernetes v{version}", ""]
    lines += staging_replaces(release_go_mod, version)
    return "\n".join(lines) + "\n"


def _tools_go() -> str:
    return _tools_go_of([f"k8s.io/kubernetes/cmd/{name}" for name in _FROM_KUBERNETES])


def _tools_go_of(imports: list[str]) -> str:
    body = "\n".join(f'\t_ "{path}"' for path in imports)
    return f"//go:build tools\n\n// Package tools pins the commands diapo builds.\npackage tools\n\nimport (\n{body}\n)\n"


def version_ldflags(version: str, build_date: str) -> str:
    """The `-X` flags of hack/lib/version.sh, so `--version` and `kubectl version` are right."""
    major, minor_ = version.split(".")[:2]
    values = {"gitVersion": f"v{version}", "gitMajor": major, "gitMinor": minor_,
              "gitTreeState": "archive", "buildDate": build_date}
    flags = [f"-X {pkg}.{key}={value}"
             for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version")
             for key, value in values.items()]
    return " ".join(["-s", "-w", *flags])


def _build(go: str, version: str, missing: list[str], quiet: bool) -> None:
    root = version_dir(version)
    log, src, bin_dir = build_log(version), root / "src", root / "bin"
    src.mkdir(exist_ok=True)
    bin_dir.mkdir(exist_ok=True)
    log.write_text(f"diapo: build of {', '.join(missing)} for Kubernetes v{version}\n")
    # Static binaries, as the Kubernetes release builds them; the machine's Go toolchain only.
    env = {"GOFLAGS": "-trimpath -buildvcs=false", "GOTOOLCHAIN": "local", "GOWORK": "off",
           "CGO_ENABLED": "0"}

    need_module = [name for name in missing if name in _FROM_KUBERNETES]
    if need_module:
        module = f"k8s.io/kubernetes@v{version}"
        release_mod = _release_go_mod(go, module, root, log)
        env["GOTOOLCHAIN"] = toolchain_for(release_mod, _local_go_version(go))
        if env["GOTOOLCHAIN"] != "local":
            _say(quiet, f"Kubernetes v{version} demande {env['GOTOOLCHAIN']} : GOTOOLCHAIN="
                        f"{env['GOTOOLCHAIN']} (chaîne d'outils du proxy de modules Go)")
        release = _download(go, module, root, log, env)
        info = json.loads(Path(release["Info"]).read_text(encoding="utf-8"))
        go_mod = wrapper_go_mod(release_mod, version)
        wanted = {"go.mod": go_mod, "tools.go": _tools_go()}
        if any(not (src / name).is_file() or (src / name).read_text() != text
               for name, text in wanted.items()):
            for name, text in wanted.items():
                (src / name).write_text(text)
            _say(quiet, "go mod tidy du module d'emballage…")
            _run([go, "mod", "tidy"], src, log, env, what="go.mod (go mod tidy)")
        kube = [name for name in need_module if name in _FROM_KUBERNETES]
        out = src / "out"
        out.mkdir(exist_ok=True)
        if kube:
            _say(quiet, f"go build {' '.join(kube)} (plusieurs minutes la première fois)…")
            flags = version_ldflags(version, info.get("Time", ""))
            _run([go, "build", "-ldflags", flags, "-o", f"{out}/",
                  *[f"k8s.io/kubernetes/cmd/{name}" for name in kube]], src, log, env,
                 what=", ".join(kube))
        for name in need_module:  # install only complete binaries
            (out / name).replace(bin_dir / name)
    if "etcd" in missing:
        _build_etcd(go, log, env, quiet)
    if "kwok" in missing:
        kwok = kwok_version()
        _say(quiet, f"go install kwok {kwok}…")
        target = cached_path("kwok", version)
        staging = target.parent / "staging"
        _run([go, "install", f"sigs.k8s.io/kwok/cmd/kwok@{kwok}"], root, log,
             {**env, "GOTOOLCHAIN": "local", "GOBIN": str(staging)}, what="kwok")
        (staging / "kwok").replace(target)


def _build_etcd(go: str, log: Path, env: dict[str, str], quiet: bool) -> None:
    """Build etcd `etcd_version` in a wrapper module of its own (etcd's modules `replace` each
    other with relative paths, so `go install module@version` refuses them)."""
    version = etcd_version()
    target = cached_path("etcd", "")
    _say(quiet, f"go build etcd {version}…")
    target.parent.mkdir(parents=True, exist_ok=True)
    # A private source folder: two Kubernetes versions may build the shared etcd at once.
    with tempfile.TemporaryDirectory(dir=target.parent, prefix="src-") as tmp:
        src = Path(tmp)
        (src / "go.mod").write_text(f"module diapo.local/etcd\n\ngo 1.24.0\n\n"
                                    f"require {_ETCD_MAIN} {version}\n")
        (src / "tools.go").write_text(_tools_go_of([_ETCD_MAIN]))
        local = {**env, "GOTOOLCHAIN": "local"}
        _run([go, "mod", "tidy"], src, log, local, what=f"etcd {version} (go mod tidy)")
        _run([go, "build", "-ldflags", "-s -w", "-o", str(src / "etcd"), _ETCD_MAIN],
             src, log, local, what=f"etcd {version}")
        (src / "etcd").replace(target)
