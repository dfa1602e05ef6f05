"""Two minimal OCI images for the real-node tests, written by hand: pause (Kubernetes' own
`pause.c`, compiled static) and busybox (Debian's busybox-static with its applet links).

Used only until `diapo.cluster.images` (the add-ons' image builder) provides them: the real
node imports whatever `$DIAPO_NODE_IMAGES` lists in addition to that module's images.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

PAUSE = "registry.k8s.io/pause:3.10"
BUSYBOX = "docker.io/library/busybox:1.36"


def _blob(blobs: dict[str, bytes], data: bytes) -> dict:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    blobs[digest] = data
    return {"digest": digest, "size": len(data)}


def write_image(rootfs: Path, out: Path, name: str, entrypoint: list[str] | None,
                cmd: list[str] | None) -> Path:
    """An OCI layout tarball of `rootfs` named `name` (what `ctr images import` reads)."""
    layer_tar = io.BytesIO()
    with tarfile.open(fileobj=layer_tar, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(rootfs.rglob("*")):
            info = tar.gettarinfo(str(path), arcname=str(path.relative_to(rootfs)))
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mtime = 0
            if path.is_file() and not path.is_symlink():
                with open(path, "rb") as handle:
                    tar.addfile(info, handle)
            else:
                tar.addfile(info)
    raw = layer_tar.getvalue()
    blobs: dict[str, bytes] = {}
    layer = _blob(blobs, gzip.compress(raw, mtime=0))
    config = {"architecture": "amd64", "os": "linux",
              "config": {"Entrypoint": entrypoint, "Cmd": cmd,
                         "Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]},
              "rootfs": {"type": "layers",
                         "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]}}
    config_desc = _blob(blobs, json.dumps(config).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           **config_desc},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                            **layer}]}
    manifest_desc = _blob(blobs, json.dumps(manifest).encode())
    index = {"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", **manifest_desc,
        "annotations": {"io.containerd.image.name": name,
                        "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1]}}]}
    files = {"oci-layout": json.dumps({"imageLayoutVersion": "1.0.0"}).encode(),
             "index.json": json.dumps(index).encode(),
             **{f"blobs/sha256/{d.split(':')[1]}": data for d, data in blobs.items()}}
    with tarfile.open(out, "w") as tar:
        for arcname, data in files.items():
            info = tarfile.TarInfo(arcname)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out


def build(directory: Path) -> list[Path]:
    """pause and busybox tarballs in `directory` (rebuilt only when missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    pause_tar, busybox_tar = directory / "pause.tar", directory / "busybox.tar"
    if not pause_tar.is_file():
        source = next(Path.home().glob("go/pkg/mod/k8s.io/kubernetes@v1.*/build/pause/linux/"
                                       "pause.c"))
        root = directory / "pause-rootfs"
        root.mkdir(exist_ok=True)
        subprocess.run(["gcc", "-Os", "-static", "-DVERSION=v3.10-diapo", "-o",
                        str(root / "pause"), str(source)], check=True)
        write_image(root, pause_tar, PAUSE, ["/pause"], None)
    if not busybox_tar.is_file():
        root = directory / "busybox-rootfs"
        (root / "bin").mkdir(parents=True, exist_ok=True)
        (root / "etc").mkdir(exist_ok=True)
        (root / "tmp").mkdir(exist_ok=True)
        (root / "tmp").chmod(0o1777)
        shutil.copy("/bin/busybox", root / "bin" / "busybox")
        applets = subprocess.run(["/bin/busybox", "--list"], capture_output=True, text=True,
                                 check=True).stdout.split()
        for applet in applets:
            link = root / "bin" / applet
            if applet != "busybox" and not link.exists():
                link.symlink_to("busybox")
        (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
        (root / "etc" / "group").write_text("root:x:0:\n")
        write_image(root, busybox_tar, BUSYBOX, None, ["sh"])
    return [pause_tar, busybox_tar]
