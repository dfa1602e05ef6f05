"""How each image is made: a recipe turns an image name into a root file system and a config.

Built-in recipes (what `images.yaml` names, see `catalog`):

| recipe | image content |
|---|---|
| `busybox` | Debian's `busybox-static` with every applet linked, `/etc/passwd`, `/tmp` |
| `curl` | Debian's `curl` and its libraries, busybox for `sh`, curlimages/curl's entrypoint |
| `perl` | Debian's `perl` (with its modules) and its libraries, busybox |
| `postgres` | Debian's PostgreSQL server and client, an entrypoint that initialises `$PGDATA` as the official image does (`POSTGRES_PASSWORD`, `POSTGRES_USER`) |
| `whoami` | diapo's stand-in for traefik/whoami (Go, `standins/whoami`) |
| `fluent-bit` | diapo's stand-in for fluent/fluent-bit (Go, `standins/fluentbit`) |
| `pause` | Kubernetes' own `build/pause/linux/pause.c`, `gcc -static` |
| `{go: PKG@VERSION}` | one Go command from the module proxy, from scratch |
| `{debian: [PKG, ...]}` | Debian packages and their libraries, busybox for `sh` |

Mappings may add `entrypoint`, `cmd`, `env` (mapping) and `user`. Every image gets labels
saying what it was built from (`diapo.built-from`); a stand-in (another program, or another
version than the tag says) carries `diapo.stand-in=true` and `diapo.stand-in.for`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from diapo.cluster.images import debian, gobuild
from diapo.cluster.images.oci import ImageConfig
from diapo.errors import ClusterError

STANDINS = Path(__file__).parent / "standins"
BUSYBOX = "busybox-static"


@dataclass(frozen=True)
class Spec:
    """One image to build: its name as slides write it and how to make it."""

    name: str
    recipe: str
    options: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def tag(self) -> str:
        last = self.name.rsplit("/", 1)[-1]
        return last.split(":", 1)[1] if ":" in last else "latest"

    @property
    def repository(self) -> str:
        return self.name.rsplit(":", 1)[0] if ":" in self.name.rsplit("/", 1)[-1] else self.name


# --------------------------------------------------------------------------- rootfs helpers

PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
GROUP = "root:x:0:\nnobody:x:65534:\n"


def base_files(rootfs: Path, users: str = "", groups: str = "") -> None:
    """`/etc/passwd`, `/etc/group`, `/etc/nsswitch.conf`, `/tmp`, `/root`: what programs expect."""
    etc = rootfs / "etc"
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "passwd").write_text(PASSWD + users)
    (etc / "group").write_text(GROUP + groups)
    (etc / "nsswitch.conf").write_text("passwd: files\ngroup: files\nhosts: files dns\n")
    for name in ("tmp", "root", "var/tmp"):
        (rootfs / name).mkdir(parents=True, exist_ok=True)
    (rootfs / "tmp").chmod(0o1777)
    (rootfs / "var/tmp").chmod(0o1777)


def link_busybox(rootfs: Path) -> None:
    """Link every busybox applet into /bin (not over a file a package installed)."""
    busybox = rootfs / "bin" / "busybox"
    applets = subprocess.run([str(busybox), "--list"], capture_output=True, text=True).stdout
    for applet in applets.split():
        for folder in ("bin", "usr/bin"):
            if (rootfs / folder / applet).exists() or (rootfs / folder / applet).is_symlink():
                break
        else:
            (rootfs / "bin" / applet).symlink_to("busybox")


def debian_versions(spec: Spec, packages: list[str], exclude: tuple[str, ...]) -> dict[str, str]:
    """{package: version} of the whole closure (the cache key of a Debian-based image)."""
    return debian.versions(debian.closure(packages, exclude))


# --------------------------------------------------------------------------- recipes


class Recipe:
    """Base: `inputs()` (every version the image depends on) and `build()` (rootfs + config)."""

    packages: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def inputs(self, spec: Spec) -> dict[str, str]:
        return debian_versions(spec, self.all_packages(spec), self.exclude)

    def all_packages(self, spec: Spec) -> list[str]:
        return [*self.packages, BUSYBOX]

    def build(self, spec: Spec, rootfs: Path, log: Path, quiet: bool) -> ImageConfig:
        raise NotImplementedError

    def unpack(self, spec: Spec, rootfs: Path, log: Path) -> dict[str, str]:
        """Unpack the Debian closure with busybox linked and the base files; return versions."""
        versions = self.inputs(spec)
        debian.unpack(versions, rootfs, log)
        link_busybox(rootfs)
        base_files(rootfs)
        return versions

    @staticmethod
    def labels(spec: Spec, built_from: str, *, stand_in_for: str | None = None) -> dict[str, str]:
        labels = {"org.opencontainers.image.title": spec.repository,
                  "org.opencontainers.image.version": spec.tag,
                  "diapo.built-from": built_from}
        if stand_in_for:
            labels["diapo.stand-in"] = "true"
            labels["diapo.stand-in.for"] = stand_in_for
        return labels


def _debian_label(versions: dict[str, str], package: str) -> str:
    return f"Debian {package} {versions[package]}"


class Busybox(Recipe):
    def all_packages(self, spec: Spec) -> list[str]:
        return [BUSYBOX]

    def build(self, spec, rootfs, log, quiet):
        versions = self.unpack(spec, rootfs, log)
        upstream = versions[BUSYBOX].split(":")[-1].split("-")[0]
        return ImageConfig(cmd=["sh"], labels=self.labels(
            spec, _debian_label(versions, BUSYBOX),
            stand_in_for=None if spec.tag.startswith(upstream) else f"{spec.repository} {spec.tag}"))


class DebianProgram(Recipe):
    """A Debian package's program with busybox; a stand-in when Debian's version differs."""

    def __init__(self, package: str, entry: str, *, cmd: list[str] | None = None,
                 entrypoint: str | None = None, env: dict[str, str] | None = None):
        self.packages = (package,)
        self.package, self.entry, self.cmd = package, entry, cmd
        self.entrypoint, self.env = entrypoint, env or {}

    def build(self, spec, rootfs, log, quiet):
        versions = self.unpack(spec, rootfs, log)
        debian.check_libraries(rootfs, [self.entry])
        config = ImageConfig(cmd=self.cmd, env=dict(self.env))
        if self.entrypoint:
            shutil.copy(STANDINS / self.entrypoint, rootfs / "entrypoint.sh")
            (rootfs / "entrypoint.sh").chmod(0o755)
            config.entrypoint = ["/entrypoint.sh"]
        upstream = re.sub(r"^\d+:", "", versions[self.package]).split("-")[0].split("+")[0]
        config.labels = self.labels(
            spec, _debian_label(versions, self.package),
            stand_in_for=None if upstream.startswith(spec.tag) else f"{spec.repository} {spec.tag}")
        return config


class Postgres(Recipe):
    """Debian's PostgreSQL (its major release, whatever the tag), run as the official image is."""

    exclude = ("libllvm14", "libllvm15", "libllvm16", "libllvm17", "libllvm19", "postgresql-common",
               "libxslt1.1")

    def major(self) -> str:
        out = debian._apt_cached(("depends", "postgresql"))
        match = re.search(r"Depends: postgresql-(\d+)", out)
        if not match:
            raise ClusterError("PostgreSQL introuvable dans les paquets Debian (paquet postgresql)")
        return match[1]

    def all_packages(self, spec: Spec) -> list[str]:
        major = self.major()
        # libc-bin: the C.UTF-8 locale initdb runs with (/usr/lib/locale/C.utf8).
        return [f"postgresql-{major}", f"postgresql-client-{major}", "tzdata", "libc-bin", BUSYBOX]

    def build(self, spec, rootfs, log, quiet):
        major = self.major()
        versions = self.unpack(spec, rootfs, log)
        bindir = f"/usr/lib/postgresql/{major}/bin"
        debian.check_libraries(rootfs, [f"{bindir}/postgres", f"{bindir}/psql", f"{bindir}/initdb"])
        base_files(rootfs, "postgres:x:999:999:PostgreSQL:/var/lib/postgresql:/bin/sh\n",
                   "postgres:x:999:\n")
        for link in ("psql", "pg_isready", "pg_dump", "createdb"):
            target = rootfs / "usr/local/bin" / link
            target.parent.mkdir(parents=True, exist_ok=True)
            if (rootfs / bindir.lstrip("/") / link).exists():
                target.symlink_to(f"{bindir}/{link}")
        for folder in ("var/lib/postgresql/data", "var/run/postgresql"):
            (rootfs / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(STANDINS / "postgres-entrypoint.sh", rootfs / "entrypoint.sh")
        (rootfs / "entrypoint.sh").chmod(0o755)
        owned = {"var/lib/postgresql": (999, 999), "var/lib/postgresql/data": (999, 999),
                 "var/run/postgresql": (999, 999)}
        path = f"{bindir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        upstream = versions[f"postgresql-{major}"].split("-")[0].split("+")[0]
        return ImageConfig(
            entrypoint=["/entrypoint.sh"], cmd=["postgres"], ports=["5432/tcp"],
            env={"PATH": path, "PGDATA": "/var/lib/postgresql/data", "LANG": "C.UTF-8",
                 "PG_MAJOR": major}, owners=owned,
            labels=self.labels(spec, f"Debian postgresql-{major} {versions[f'postgresql-{major}']}",
                               stand_in_for=None if upstream.startswith(spec.tag)
                               else f"{spec.repository} {spec.tag}"))


class StandIn(Recipe):
    """A program of diapo's own (Go source in `standins/`) in place of one the proxy lacks."""

    def __init__(self, source: str, path: str, stand_in_for: str, *, args: list[str] | None = None,
                 ports: tuple[str, ...] = (), env_version: str | None = None):
        self.source, self.path, self.stand_in_for = source, path, stand_in_for
        self.args, self.ports, self.env_version = args, ports, env_version

    def inputs(self, spec: Spec) -> dict[str, str]:
        return {"source": gobuild.source_hash(STANDINS / self.source), "go": gobuild.go_version()}

    def build(self, spec, rootfs, log, quiet):
        exe = gobuild.build_standin(STANDINS / self.source, Path(self.path).name, quiet=quiet)
        target = rootfs / self.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(exe, target)
        base_files(rootfs)
        env = {self.env_version: spec.tag.lstrip("v")} if self.env_version else {}
        return ImageConfig(entrypoint=[self.path], cmd=self.args, ports=list(self.ports), env=env,
                           labels=self.labels(spec, f"diapo stand-in ({self.source})",
                                              stand_in_for=self.stand_in_for))


class Pause(Recipe):
    """The sandbox image: Kubernetes' pause.c from the k8s.io/kubernetes module, static."""

    def __init__(self, kube_version: str):
        self.kube_version = kube_version

    def source(self, log: Path | None = None) -> Path:
        mod = Path(gobuild.go_mod_cache()) / f"k8s.io/kubernetes@v{self.kube_version}"
        if not mod.is_dir():
            if log is None:
                return mod / "build/pause/linux/pause.c"
            gobuild.module_dir("k8s.io/kubernetes", f"v{self.kube_version}", log)
        return mod / "build/pause/linux/pause.c"

    def inputs(self, spec: Spec) -> dict[str, str]:
        gcc = subprocess.run(["gcc", "-dumpfullversion"], capture_output=True, text=True)
        return {"kubernetes": self.kube_version, "gcc": gcc.stdout.strip()}

    def build(self, spec, rootfs, log, quiet):
        src = self.source(log)
        if not shutil.which("gcc"):
            raise ClusterError("gcc est introuvable : il construit l'image pause",
                               hint="apt-get install gcc libc6-dev")
        gobuild.run(["gcc", "-Os", "-static", "-Wall", f"-DVERSION={spec.tag}-diapo",
                     "-o", str(rootfs / "pause"), str(src)], log.parent, log, what="pause")
        subprocess.run(["strip", str(rootfs / "pause")], check=False)
        return ImageConfig(entrypoint=["/pause"], user="65535:65535",
                           labels=self.labels(spec, f"k8s.io/kubernetes v{self.kube_version} "
                                                    "build/pause/linux/pause.c"))


def pause_tag(kube_version: str, log: Path) -> str:
    """The pause tag the release's own Makefile names (e.g. `3.10.1`)."""
    makefile = Pause(kube_version).source(log).parent.parent / "Makefile"
    match = re.search(r"^TAG\s*\?=\s*(\S+)", makefile.read_text(), flags=re.M)
    return match[1] if match else "3.10"


class GoCommand(Recipe):
    """One command of a Go module, from scratch (an add-on, or `{go: PKG@VERSION}`)."""

    def __init__(self, package: str, version: str, *, module: str | None = None,
                 ldflags: str = "", in_module: bool = False, binary: str | None = None,
                 path: str | None = None, args: list[str] | None = None, user: str | None = None,
                 files: dict[str, str] | None = None):
        self.package, self.version, self.module = package, version, module
        self.ldflags, self.in_module, self.args, self.user = ldflags, in_module, args, user
        self.binary = binary or package.rstrip("/").rsplit("/", 1)[-1]
        self.path = path or f"/{self.binary}"
        self.files = files or {}

    def inputs(self, spec: Spec) -> dict[str, str]:
        return {"module": f"{self.package}@{self.version}", "go": gobuild.go_version(),
                "ldflags": self.ldflags, **self.files}

    def executable(self, quiet: bool) -> Path:
        if self.module:
            package = self.package.removeprefix(self.module).strip("/") or "."
            return gobuild.build_module(self.module, self.version, package, self.binary,
                                        ldflags=self.ldflags, in_module=self.in_module, quiet=quiet)
        return gobuild.build_module(self.package, self.version, "", self.binary,
                                    ldflags=self.ldflags, quiet=quiet)

    def build(self, spec, rootfs, log, quiet):
        exe = self.executable(quiet)
        target = rootfs / self.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(exe, target)
        base_files(rootfs)
        for rel, text in self.files.items():
            (rootfs / rel).parent.mkdir(parents=True, exist_ok=True)
            (rootfs / rel).write_text(text)
        return ImageConfig(entrypoint=[self.path], cmd=self.args, user=self.user,
                           labels=self.labels(spec, f"Go {self.package}@{self.version}"))


class DebianPackages(Recipe):
    """`{debian: [PKG, ...]}`: packages and their libraries, busybox for a shell."""

    def __init__(self, packages: list[str]):
        self.packages = tuple(packages)

    def build(self, spec, rootfs, log, quiet):
        versions = self.unpack(spec, rootfs, log)
        return ImageConfig(cmd=["sh"], labels=self.labels(
            spec, "Debian " + ", ".join(f"{p} {versions[p]}" for p in self.packages)))


BUILTIN: dict[str, Recipe] = {
    "busybox": Busybox(),
    "curl": DebianProgram("curl", "/usr/bin/curl", cmd=["curl"], entrypoint="curl-entrypoint.sh"),
    "perl": DebianProgram("perl", "/usr/bin/perl", cmd=["perl", "-de0"]),
    "postgres": Postgres(),
    "whoami": StandIn("whoami", "/whoami", "traefik/whoami", ports=("80/tcp",)),
    "fluent-bit": StandIn("fluentbit", "/fluent-bit/bin/fluent-bit", "fluent/fluent-bit",
                          env_version="FLUENT_BIT_VERSION"),
}


def from_options(options: dict, where: str) -> Recipe:
    """A recipe from an `images.yaml` mapping (`go:` or `debian:`), or a ClusterError."""
    if "go" in options:
        package, _, version = str(options["go"]).partition("@")
        if not version:
            raise ClusterError(f"{where}: `go:` attend PAQUET@VERSION (ex : "
                               "github.com/org/prog/cmd/prog@v1.2.3)")
        return GoCommand(package, version, args=options.get("cmd"))
    if "debian" in options:
        packages = options["debian"]
        if isinstance(packages, str):
            packages = packages.split()
        return DebianPackages([str(p) for p in packages])
    raise ClusterError(f"{where}: recette inconnue {options!r} (attendu : un nom parmi "
                       f"{', '.join(sorted(BUILTIN))}, ou `go:` / `debian:`)")
