"""Images without a registry: the OCI layout written by hand, the per-deck declaration and its
check, and the built images run by a real containerd (a private instance, torn down after)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import tarfile
import time
import urllib.request
from pathlib import Path

import pytest

from diapo.cluster import images
from diapo.cluster.images import declared, oci
from diapo.errors import ClusterError

ROOT = Path(__file__).resolve().parents[2]


def _blobs(tar_path: Path) -> tuple[dict, dict[str, bytes]]:
    with tarfile.open(tar_path) as tar:
        names = tar.getnames()
        assert "oci-layout" in names
        index = json.load(tar.extractfile("index.json"))
        blobs = {n.rsplit("/", 1)[1]: tar.extractfile(n).read()
                 for n in names if n.startswith("blobs/sha256/") and tar.getmember(n).isfile()}
    return index, blobs


def test_oci_layout_has_correct_digests_and_name(tmp_path):
    rootfs = tmp_path / "rootfs"
    (rootfs / "bin").mkdir(parents=True)
    (rootfs / "bin" / "hello").write_text("#!/bin/sh\necho hi\n")
    (rootfs / "bin" / "hello").chmod(0o755)
    (rootfs / "bin" / "link").symlink_to("hello")
    (rootfs / "data").mkdir()
    out = tmp_path / "img.tar"
    config = oci.ImageConfig(entrypoint=["/bin/hello"], env={"A": "1"}, labels={"x": "y"},
                             owners={"data": (999, 999)})
    digest = oci.write(rootfs, out, "outil/maison:1.0", config)

    index, blobs = _blobs(out)
    entry = index["manifests"][0]
    assert entry["annotations"]["io.containerd.image.name"] == "docker.io/outil/maison:1.0"
    assert entry["annotations"]["org.opencontainers.image.ref.name"] == "1.0"
    assert entry["digest"] == digest
    for hexdigest, blob in blobs.items():  # every blob is named after its sha256
        assert hashlib.sha256(blob).hexdigest() == hexdigest
    manifest = json.loads(blobs[digest[7:]])
    assert len(blobs[digest[7:]]) == entry["size"]
    image_config = json.loads(blobs[manifest["config"]["digest"][7:]])
    layer = blobs[manifest["layers"][0]["digest"][7:]]
    raw = gzip.decompress(layer)
    assert image_config["rootfs"]["diff_ids"] == ["sha256:" + hashlib.sha256(raw).hexdigest()]
    assert image_config["config"]["Entrypoint"] == ["/bin/hello"]
    assert "A=1" in image_config["config"]["Env"]
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert members["bin/link"].issym() and members["bin/link"].linkname == "hello"
    assert members["bin/hello"].mode & 0o111 and members["bin/hello"].uid == 0
    assert (members["data"].uid, members["data"].gid) == (999, 999)
    # Reproducible: the same rootfs gives the same digest.
    assert oci.write(rootfs, tmp_path / "again.tar", "outil/maison:1.0", config) == digest


@pytest.mark.parametrize("name,full", [
    ("busybox:1.36", "docker.io/library/busybox:1.36"),
    ("curlimages/curl:8.11.1", "docker.io/curlimages/curl:8.11.1"),
    ("quay.io/metallb/controller:v0.16.2", "quay.io/metallb/controller:v0.16.2"),
    ("localhost:5000/x", "localhost:5000/x:latest"),
    ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10"),
])
def test_full_reference(name, full):
    assert oci.full_reference(name) == full


def _deck(tmp_path: Path, markdown: str, manifest: str = "", declared_text: str | None = None):
    deck = tmp_path / "docs" / "cours.md"
    deck.parent.mkdir(parents=True)
    deck.write_text(markdown, encoding="utf-8")
    demos = tmp_path / "demos" / "cours"
    demos.mkdir(parents=True)
    if manifest:
        (demos / "app.yaml").write_text(manifest, encoding="utf-8")
    if declared_text is not None:
        (demos / "images.yaml").write_text(declared_text, encoding="utf-8")
    return deck, demos


def test_undeclared_image_names_file_line_and_fix(tmp_path):
    deck, demos = _deck(tmp_path, "# T\n\n```bash demo\nkubectl run x --image=nginx:1.27\n```\n",
                        declared_text="busybox:1.36: busybox\n")
    with pytest.raises(ClusterError) as err:
        declared.check(deck, demos)
    text = str(err.value)
    assert f"{deck}:4" in text and "nginx:1.27" in text
    assert str(demos / "images.yaml") in text and "debian" in text


def test_manifest_images_and_set_image_are_found(tmp_path):
    deck, demos = _deck(
        tmp_path, "```bash demo\nkubectl set image deploy/a a=outil/a:2 b=outil/b:3\n```\n",
        manifest="spec:\n  containers:\n    - name: a\n      image: \"outil/a:1\"  # commentaire\n"
                 "      env: [{name: X, value: \"$IMAGE\"}]\n")
    found = {(name, loc.line) for name, loc in declared.used(declared.deck_files(deck, demos))}
    assert found == {("outil/a:2", 2), ("outil/b:3", 2), ("outil/a:1", 4)}


def test_declared_images_pass_and_tagless_is_refused(tmp_path):
    deck, demos = _deck(tmp_path, "", manifest="image: busybox:1.36\n",
                        declared_text="busybox:1.36: busybox\nmaison:1: {go: example.com/m@v1.0.0}\n")
    specs = images.deck_images(deck, demos)
    assert [s.name for s in specs] == ["busybox:1.36", "maison:1"]
    (demos / "app.yaml").write_text("image: busybox\n")
    with pytest.raises(ClusterError, match="sans tag") as err:
        declared.check(deck, demos)
    assert f"{demos / 'app.yaml'}:1" in str(err.value)


@pytest.mark.parametrize("text,line,message", [
    ("a:1: busybox\nb:2: nginx\n", 2, "recette inconnue"),
    ("a:1: busybox\nb:2: {go: pas-de-version}\n", 2, "PAQUET@VERSION"),
    ("a:1: [busybox\n", 2, "YAML invalide"),
])
def test_images_yaml_errors_name_the_line(tmp_path, text, line, message):
    deck, demos = _deck(tmp_path, "", declared_text=text)
    with pytest.raises(ClusterError, match=message) as err:
        declared.load(demos)
    assert err.value.location.line == line


def test_the_lecture_declares_every_image_it_uses():
    specs = images.deck_images(ROOT / "docs" / "kubernetes.md", ROOT / "demos" / "kubernetes")
    assert {"busybox:1.36", "postgres:17", "curlimages/curl:8.11.1",
            "containous/whoami:v1.5.0"} <= {s.name for s in specs}


# --------------------------------------------------------------------------- real containerd


@pytest.fixture
def containerd(tmp_path_factory):
    """A private containerd (own root, state and socket in a temporary directory)."""
    if os.geteuid() != 0 or not shutil.which("containerd") or not shutil.which("ctr"):
        pytest.skip("containerd, ctr et root sont nécessaires pour lancer des conteneurs")
    base = Path(f"/tmp/diapo-ctr-{os.getpid()}")  # short: a unix socket path is < 108 bytes
    base.mkdir()
    sock = base / "containerd.sock"
    (base / "config.toml").write_text(
        f'version = 2\nroot = "{base}/root"\nstate = "{base}/state"\n'
        f'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n'
        f'[grpc]\n  address = "{sock}"\n[ttrpc]\n  address = "{sock}.ttrpc"\n'
        f'[debug]\n  address = "{base}/debug.sock"\n[metrics]\n  address = ""\n')
    log = open(base / "containerd.log", "w")  # noqa: SIM115 - containerd writes it until the end
    proc = subprocess.Popen(["containerd", "--config", str(base / "config.toml")],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    # Own namespace too: runc keeps its state per namespace under /run/containerd/runc.
    namespace = f"diapo-test-{os.getpid()}"
    ctr = ["ctr", "--address", str(sock), "--namespace", namespace]
    deadline = time.monotonic() + 60
    while subprocess.run([*ctr, "version"], capture_output=True).returncode != 0:
        assert proc.poll() is None and time.monotonic() < deadline, \
            (base / "containerd.log").read_text()[-2000:]
        time.sleep(0.2)
    try:
        yield sock, ctr, namespace
    finally:
        for task in subprocess.run([*ctr, "tasks", "ls", "-q"], capture_output=True,
                                   text=True).stdout.split():
            subprocess.run([*ctr, "tasks", "delete", "--force", task], capture_output=True,
                           timeout=30)
        for container in subprocess.run([*ctr, "containers", "ls", "-q"], capture_output=True,
                                        text=True).stdout.split():
            subprocess.run([*ctr, "containers", "delete", container], capture_output=True)
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()
        subprocess.run(["umount", "-R", str(base / "state")], capture_output=True)
        for mount in reversed(Path("/proc/mounts").read_text().splitlines()):
            if str(base) in mount.split()[1]:
                subprocess.run(["umount", "-l", mount.split()[1]], capture_output=True)
        _kill_shims(str(sock))
        shutil.rmtree(base, ignore_errors=True)


def _kill_shims(address: str) -> None:
    """Shims outlive containerd: stop those of our instance (found by their -address)."""
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"containerd-shim-runc-v2") and address.encode() in args:
            os.kill(int(proc.name), signal.SIGKILL)


def _wait_http(url: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return urllib.request.urlopen(url, timeout=2).read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_built_images_run_in_containerd(containerd):
    sock, ctr, namespace = containerd
    wanted = {"busybox:1.36", "containous/whoami:v1.5.0", "curlimages/curl:8.11.1"}
    specs = [s for s in images.project_images(ROOT) if s.name in wanted]
    tars = images.build(specs, quiet=True)
    images.import_into(sock, tars, namespace=namespace)
    listed = subprocess.run([*ctr, "images", "ls"], capture_output=True, text=True).stdout
    for name in wanted:
        assert oci.full_reference(name) in listed
    assert "io.cri-containerd.pinned=pinned" in listed

    out = subprocess.run([*ctr, "run", "--rm", "docker.io/library/busybox:1.36", "bb",
                          "sh", "-c", "echo bonjour; cat /etc/passwd | head -1"],
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.splitlines() == ["bonjour", "root:x:0:0:root:/root:/bin/sh"], out.stderr

    port = 18000 + os.getpid() % 1000
    started = subprocess.run([*ctr, "run", "-d", "--net-host", "docker.io/containous/whoami:v1.5.0",
                              "who", "/whoami", "--port", str(port)], capture_output=True,
                             text=True, timeout=60)
    assert started.returncode == 0, started.stderr
    page = _wait_http(f"http://127.0.0.1:{port}/")
    assert page.startswith("Hostname: ") and "IP: 127.0.0.1" in page and "User-Agent:" in page
    curl = subprocess.run([*ctr, "run", "--rm", "--net-host", "docker.io/curlimages/curl:8.11.1",
                           "cu", "/entrypoint.sh", "-s", "-H", "X-Diapo: oui",
                           f"http://127.0.0.1:{port}/"],
                          capture_output=True, text=True, timeout=60)
    assert "X-Diapo: oui" in curl.stdout, curl.stderr


def test_debian_program_images_run_as_the_official_ones(containerd):
    sock, ctr, namespace = containerd
    specs = [s for s in images.project_images(ROOT) if s.name in ("perl:5.34.0", "postgres:17")]
    images.import_into(sock, images.build(specs, quiet=True), namespace=namespace)

    pi = subprocess.run([*ctr, "run", "--rm", "docker.io/library/perl:5.34.0", "pi",
                         "perl", "-Mbignum=bpi", "-wle", "print bpi(30)"],
                        capture_output=True, text=True, timeout=120)
    assert pi.stdout.strip() == "3.14159265358979323846264338328", pi.stderr

    # The official image's contract: POSTGRES_PASSWORD, initdb on first start, then a server
    # psql reaches over its Unix socket as user postgres.
    port = 15000 + os.getpid() % 1000
    started = subprocess.run(
        [*ctr, "run", "-d", "--net-host", "--env", "POSTGRES_PASSWORD=secret",
         "--env", "PGDATA=/var/lib/postgresql/data/pgdata", "docker.io/library/postgres:17",
         "pg", "/entrypoint.sh", "postgres", "-p", str(port)], capture_output=True, text=True,
        timeout=60)
    assert started.returncode == 0, started.stderr
    deadline = time.monotonic() + 120
    while True:
        query = subprocess.run([*ctr, "tasks", "exec", "--exec-id", f"q{time.monotonic_ns()}",
                                "pg", "psql", "-p", str(port), "-U", "postgres", "-tAc",
                                "SHOW server_version"], capture_output=True, text=True, timeout=60)
        if query.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert query.returncode == 0, query.stderr
    assert query.stdout.strip()[:2].isdigit()


def test_without_registry_a_pull_is_refused_at_once(containerd, tmp_path):
    sock, ctr, namespace = containerd
    images.write_no_registry(tmp_path / "certs.d")
    started = time.monotonic()
    pull = subprocess.run([*ctr, "images", "pull", "--hosts-dir", str(tmp_path / "certs.d"),
                           "docker.io/library/nginx:1.27"], capture_output=True, text=True,
                          timeout=60)
    assert pull.returncode != 0
    assert "127.0.0.1:9" in pull.stderr and "refused" in pull.stderr, pull.stderr
    assert time.monotonic() - started < 10


def test_apt_answers_are_kept_until_apt_changes(tmp_path, monkeypatch):
    from diapo.cluster.images import debian

    state = tmp_path / "status"
    state.write_text("a\n")
    monkeypatch.setattr(debian, "_APT_STATE", (str(state),))
    monkeypatch.setenv("DIAPO_CACHE", str(tmp_path / "cache"))
    asked: list[tuple[str, ...]] = []

    def apt(args: list[str]) -> str:  # counts the questions apt-cache really gets
        asked.append(tuple(args))
        return debian.subprocess.run(["apt-cache", *args], capture_output=True, text=True,
                                     check=True).stdout

    monkeypatch.setattr(debian, "_apt", apt)
    debian._answers.cache_clear()
    first = debian.versions(["busybox-static"])
    debian._answers.cache_clear()  # another process: read from the file
    assert debian.versions(["busybox-static"]) == first
    assert len(asked) == 1
    state.write_text("b, longer\n")  # apt-get update: asked again
    debian._answers.cache_clear()
    assert debian.versions(["busybox-static"]) == first
    assert len(asked) == 2
    assert len(list((tmp_path / "cache" / "debs" / "apt").glob("answers-*.json"))) == 1
    debian._answers.cache_clear()
