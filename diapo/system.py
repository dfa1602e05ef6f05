"""The Debian packages diapo's tests (and real nodes) need, listed once, checked and installed.

Building a site needs none of them: `pip install -e . && invoke build` works on a bare machine.
`invoke test` calls `ensure()`: as root with apt-get, what is missing is installed; otherwise
one line says which packages are missing and the exact command that installs them. CI runs
`python3 -m diapo.system --install` before pip (this module imports nothing but the standard
library and diapo.errors, so it runs before diapo's dependencies are installed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from diapo.errors import DiapoError

# Debian package -> what shows it is installed (a command on PATH, or an absolute path).
TEST_PACKAGES: dict[str, str] = {
    "chromium": "chromium",  # browser tests, `invoke pdf` (driven by Playwright, never downloaded)
    "poppler-utils": "pdftoppm",  # PDF pages as images in the PDF tests
    "graphviz": "dot",  # `invoke images`, the diagram sources
    "tmux": "tmux",  # driving `invoke demo` as a lecturer would
    "fonts-dejavu-core": "/usr/share/fonts/truetype/dejavu",  # stable text in screenshots
    "ca-certificates": "/etc/ssl/certs/ca-certificates.crt",  # Go module downloads
    "git": "git",
}
# Real nodes of the local cluster (kubelet + containerd): only where containers can run.
NODE_PACKAGES: dict[str, str] = {
    "containerd": "containerd",
    "runc": "runc",
    "containernetworking-plugins": "/usr/lib/cni/bridge",
    "iptables": "iptables",
    "nftables": "nft",
    "conntrack": "conntrack",
    "busybox-static": "/bin/busybox",
    "iproute2": "ip",  # the node's interface and address
    "gcc": "gcc",  # pause (Kubernetes' pause.c), compiled static for the sandbox image
    "libc6-dev": "/usr/lib/x86_64-linux-gnu/libc.a",
}


def _present(probe: str) -> bool:
    if probe.startswith("/"):
        return Path(probe).exists()
    # Some tools live in /usr/sbin, which a non-root PATH may lack.
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    return shutil.which(probe, path=path) is not None


def missing(packages: dict[str, str]) -> list[str]:
    """The packages of `packages` whose probe is not found, in their listed order."""
    return [name for name, probe in packages.items() if not _present(probe)]


def _note_nodes(absent: list[str]) -> None:
    if absent:
        print(f"diapo: nœuds réels indisponibles sans {' '.join(absent)} : "
              f"{install_command(absent)}", file=sys.stderr, flush=True)


def install_command(names: list[str]) -> str:
    """The command a user runs to install `names` (with sudo when not root)."""
    sudo = "" if os.geteuid() == 0 else "sudo "
    return f"{sudo}apt-get install -y --no-install-recommends {' '.join(names)}"


def _can_install() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def _apt_install(names: list[str]) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"diapo: apt-get install {' '.join(names)}", file=sys.stderr, flush=True)
    for args in (["apt-get", "update", "-qq"],
                 ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *names]):
        done = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, check=False)
        if done.returncode != 0:
            raise DiapoError(f"échec de « {' '.join(args)} » (code {done.returncode}) : "
                             f"installez à la main : {install_command(names)}")


def ensure(*, nodes: bool = True, install: bool | None = None) -> list[str]:
    """Make sure the test packages (and, with `nodes`, the real-node ones) are there.

    `install` None: install when root with apt-get. Missing test packages that cannot be
    installed raise a one-line `DiapoError` with the command; missing node packages are named
    in one line on stderr (the cluster then simulates its nodes). Returns what is missing.
    """
    wanted = {**TEST_PACKAGES, **(NODE_PACKAGES if nodes else {})}
    absent = missing(wanted)
    if absent and (_can_install() if install is None else install):
        _apt_install(absent)
        absent = missing(wanted)
    required = [name for name in absent if name in TEST_PACKAGES]
    if required:
        raise DiapoError(f"paquets système manquants pour les tests : {' '.join(required)} ; "
                         f"installez-les : {install_command(absent)}")
    _note_nodes(absent)
    return absent


def main(argv: list[str] | None = None) -> int:
    """`python3 -m diapo.system [--install] [--no-nodes]`: check (and install) the packages."""
    parser = argparse.ArgumentParser(prog="python3 -m diapo.system",
                                     description="Paquets Debian des tests de diapo.")
    parser.add_argument("--install", action="store_true", help="installer ce qui manque (root)")
    parser.add_argument("--no-nodes", action="store_true",
                        help="sans les paquets des nœuds réels (containerd, runc, CNI...)")
    parser.add_argument("--list", action="store_true", help="afficher la liste et sortir")
    args = parser.parse_args(argv)
    nodes = not args.no_nodes
    if args.list:
        print(" ".join([*TEST_PACKAGES, *(NODE_PACKAGES if nodes else {})]))
        return 0
    try:
        ensure(nodes=nodes, install=True if args.install else None)
    except DiapoError as exc:
        print(f"erreur: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
