"""Reading a deck's bytes into normalised text lines (UTF-8, LF), as markdown-it sees them."""

from __future__ import annotations

from pathlib import Path

from diapo.errors import DeckError, at


def decode(data: bytes, path: str | Path) -> str:
    """Decode UTF-8 (an optional BOM is dropped); a bad byte is a `DeckError` at its line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DeckError(
            f"le fichier n'est pas en UTF-8 valide (octet 0x{data[exc.start]:02x} à la position "
            f"{exc.start})",
            at(path, line),
            hint="enregistrez le deck en UTF-8",
        ) from None
    return text.removeprefix("\ufeff")


def normalize(text: str) -> str:
    """Line endings to LF and NUL to U+FFFD, like markdown-it's `normalize` core rule.

    CRLF and lone CR both count as one line end, so line numbers match the editor's.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:
        text = text.replace("\0", "\ufffd")
    return text


def read(path: str | Path) -> str:
    """Read and normalise a deck file; unreadable files are `DeckError`s."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise DeckError(f"impossible de lire le deck : {exc.strerror}", at(path, 1)) from None
    return normalize(decode(data, path))
