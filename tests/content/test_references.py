"""Every image and local link of every deck resolves: no broken picture, no dead link."""

from __future__ import annotations

import re
import struct
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from diapo.deck.model import Deck

from .conftest import DOCS
from .refs import references

HOME = "introduction"  # the deck the site serves at its root (`./#2` in the footers)


def _resolve(deck: Deck, target: str) -> PurePosixPath:
    """The docs/-relative path of `target`, written in `deck` (links are relative to it)."""
    base = PurePosixPath(deck.name).parent
    parts: list[str] = []
    for part in (base / urlsplit(target).path).parts:
        if part == "..":
            assert parts, f"{deck.name}: {target} leaves docs/"
            parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts) if parts else PurePosixPath(".")


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_every_referenced_image_exists(decks: list[Deck]) -> None:
    missing = []
    for deck in decks:
        for ref in references(deck):
            if ref.kind != "image" and not ref.target.endswith(".png"):
                continue
            path = DOCS / _resolve(deck, ref.target)
            if not path.is_file():
                missing.append(f"{deck.name} slide {ref.slide}: {ref.target}")
                continue
            width, height = _png_size(path)
            assert width > 0 and height > 0, path
    assert missing == []


def test_the_images_the_seed_deck_uses_are_all_there(kubernetes: Deck) -> None:
    targets = {ref.target.lstrip("./") for ref in references(kubernetes)}
    for image in ("img/logo-ensg.png", "img/admin-vm-vs-k8s.drawio.png",
                  "img/archi-hebergement-k8s.drawio.png", "schema/whoami-deployment.png",
                  "schema/postgres-statefulset.png", "schema/whoami-service.png",
                  "schema/whoami-ingress.png", "schema/traefik-ingress-controller.png"):
        assert image in targets
        assert (DOCS / image).is_file()


def test_every_local_link_reaches_a_deck_or_file(decks: list[Deck]) -> None:
    by_name = {deck.name: deck for deck in decks}
    dead = []
    for deck in decks:
        for ref in references(deck):
            if ref.kind != "link" or ref.target.endswith(".png"):
                continue
            path = _resolve(deck, ref.target)
            fragment = urlsplit(ref.target).fragment
            if str(path) == ".":  # the site root: the home deck
                name = HOME
            elif path.suffix == ".html":
                name = str(path.with_suffix(""))
            else:
                if not (DOCS / path).exists():
                    dead.append(f"{deck.name} slide {ref.slide}: {ref.target}")
                continue
            target = by_name.get(name)
            if target is None:
                dead.append(f"{deck.name} slide {ref.slide}: {ref.target} (no deck {name})")
            elif re.fullmatch(r"\d+", fragment) and not 1 <= int(fragment) <= len(target.slides):
                dead.append(f"{deck.name} slide {ref.slide}: {ref.target} (no slide {fragment})")
    assert dead == []


def test_every_rendered_diagram_is_committed_next_to_its_source() -> None:
    sources = sorted((DOCS / "diagrams").glob("[!_]*.py"))
    outputs = []
    for source in sources:
        match = re.search(r'^OUTPUT = "([^"]+)"', source.read_text(encoding="utf-8"), re.M)
        if source.stem == "render":
            continue
        assert match, f"{source} has no OUTPUT"
        outputs.append(match.group(1))
        assert (DOCS / match.group(1)).is_file(), f"{match.group(1)} not rendered"
    assert len(outputs) >= 8
