"""Write an OCI image layout tarball from a root file system, by hand (no registry, no Docker).

The tarball holds `oci-layout`, `index.json` and `blobs/sha256/*`: one gzip layer (a
reproducible tar of the rootfs: sorted entries, fixed mtime, root ownership unless told
otherwise), the image config (`rootfs.diff_ids` = sha256 of the uncompressed layer) and the
manifest. The index entry carries `io.containerd.image.name` (the full reference containerd
stores, e.g. `docker.io/library/busybox:1.36`) and `org.opencontainers.image.ref.name` (the
tag), which is what `ctr images import` reads to name the image.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

MEDIA_INDEX = "application/vnd.oci.image.index.v1+json"
MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
# Fixed timestamps keep layers reproducible (same inputs -> same digests).
EPOCH = 0
CREATED = "1970-01-01T00:00:00Z"


@dataclass
class ImageConfig:
    """The parts of an OCI image config a pod relies on."""

    entrypoint: list[str] | None = None
    cmd: list[str] | None = None
    env: dict[str, str] = field(default_factory=dict)
    workdir: str | None = None
    user: str | None = None
    ports: list[str] = field(default_factory=list)  # e.g. "80/tcp"
    labels: dict[str, str] = field(default_factory=dict)
    # rootfs-relative path -> (uid, gid) for files/dirs not owned by root (e.g. a data dir).
    owners: dict[str, tuple[int, int]] = field(default_factory=dict)


def full_reference(name: str) -> str:
    """`busybox:1.36` -> `docker.io/library/busybox:1.36`, as the kubelet and containerd name it.

    A reference without a tag gets `:latest`; one whose first part has a dot, a colon or is
    `localhost` keeps its registry.
    """
    ref = name.split("@", 1)[0]
    first, _, rest = ref.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        registry, path = "docker.io", ref
        if "/" not in path:
            path = f"library/{path}"
    if ":" not in path.rsplit("/", 1)[-1]:
        path += ":latest"
    return f"{registry}/{path}"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _layer(rootfs: Path, owners: dict[str, tuple[int, int]]) -> bytes:
    """A reproducible tar of `rootfs` (uncompressed)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        paths = []
        for top, dirs, files in os.walk(rootfs):
            dirs.sort()
            for name in sorted(dirs + files):
                paths.append(Path(top) / name)
        paths.sort(key=lambda p: p.relative_to(rootfs).as_posix())
        for path in paths:
            rel = path.relative_to(rootfs).as_posix()
            info = tar.gettarinfo(str(path), arcname=rel)
            uid, gid = owners.get(rel, (0, 0))
            info.uid, info.gid, info.uname, info.gname = uid, gid, "", ""
            info.mtime = EPOCH
            if info.isreg():
                with open(path, "rb") as handle:
                    tar.addfile(info, handle)
            else:
                tar.addfile(info)
    return buf.getvalue()


def write(rootfs: Path, out: Path, name: str, config: ImageConfig) -> str:
    """Write the OCI layout tarball of `rootfs` to `out` under `name`; return the manifest digest."""
    raw = _layer(rootfs, config.owners)
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=EPOCH, compresslevel=6) as handle:
        handle.write(raw)
    layer = gz.getvalue()
    inner: dict = {}
    if config.entrypoint is not None:
        inner["Entrypoint"] = config.entrypoint
    if config.cmd is not None:
        inner["Cmd"] = config.cmd
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", **config.env}
    inner["Env"] = [f"{key}={value}" for key, value in env.items()]
    if config.workdir:
        inner["WorkingDir"] = config.workdir
    if config.user:
        inner["User"] = config.user
    if config.ports:
        inner["ExposedPorts"] = {port: {} for port in config.ports}
    if config.labels:
        inner["Labels"] = dict(sorted(config.labels.items()))
    image_config = {
        "created": CREATED, "architecture": "amd64", "os": "linux", "config": inner,
        "rootfs": {"type": "layers", "diff_ids": [_digest(raw)]},
        "history": [{"created": CREATED, "created_by": "diapo.cluster.images"}],
    }
    config_blob = json.dumps(image_config, sort_keys=True).encode()
    manifest = {
        "schemaVersion": 2, "mediaType": MEDIA_MANIFEST,
        "config": {"mediaType": MEDIA_CONFIG, "digest": _digest(config_blob),
                   "size": len(config_blob)},
        "layers": [{"mediaType": MEDIA_LAYER, "digest": _digest(layer), "size": len(layer)}],
    }
    manifest_blob = json.dumps(manifest, sort_keys=True).encode()
    reference = full_reference(name)
    index = {
        "schemaVersion": 2, "mediaType": MEDIA_INDEX,
        "manifests": [{
            "mediaType": MEDIA_MANIFEST, "digest": _digest(manifest_blob),
            "size": len(manifest_blob), "platform": {"architecture": "amd64", "os": "linux"},
            "annotations": {"io.containerd.image.name": reference,
                            "org.opencontainers.image.ref.name": reference.rsplit(":", 1)[1]},
        }],
    }
    entries = [("oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode()),
               ("index.json", json.dumps(index, sort_keys=True).encode())]
    entries += [(f"blobs/sha256/{_digest(blob)[7:]}", blob)
                for blob in (layer, config_blob, manifest_blob)]
    tmp = out.with_name(out.name + ".tmp")
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
        for dirname in ("blobs", "blobs/sha256"):
            info = tarfile.TarInfo(dirname)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, EPOCH
            tar.addfile(info)
        for arcname, blob in entries:
            info = tarfile.TarInfo(arcname)
            info.size, info.mode, info.mtime = len(blob), 0o644, EPOCH
            tar.addfile(info, io.BytesIO(blob))
    tmp.replace(out)
    return _digest(manifest_blob)
