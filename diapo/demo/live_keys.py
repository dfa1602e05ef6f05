"""Single-key input for the lecture mode: the terminal in cbreak mode, one key per read.

cbreak (not full raw) keeps ISIG on, so Ctrl-C still raises SIGINT: the lecture loop turns it
into "stop this step" while a step runs and into "quit" at the prompt. ECHO is off, so keys the
lecturer presses never print over the slides' output.
"""

from __future__ import annotations

import collections
import os
import select
import sys
import termios
import tty
from types import TracebackType

ENTER = "enter"
CTRL_C = "ctrl-c"
CTRL_D = "ctrl-d"
# Escape sequences of the keys a presenter remote sends (arrows, page up / page down).
_SEQUENCES = {
    "\x1b[C": "right", "\x1b[B": "down", "\x1b[6~": "right",
    "\x1b[D": "left", "\x1b[A": "up", "\x1b[5~": "left",
}


def key_name(data: str) -> str:
    """Name of the key whose bytes are `data`: "enter", "right", or the character itself."""
    if data in ("\r", "\n", "\r\n"):
        return ENTER
    if data == "\x03":
        return CTRL_C
    if data == "\x04":
        return CTRL_D
    return _SEQUENCES.get(data, data)


class KeyReader:
    """Reads one key at a time from a terminal (context manager: sets and restores cbreak)."""

    def __init__(self, fd: int | None = None):
        self.fd = sys.stdin.fileno() if fd is None else fd
        self.interactive = os.isatty(self.fd)
        self._saved: list | None = None
        self._last_read_empty = False  # the last read found end of input

    def __enter__(self) -> KeyReader:
        if self.interactive:
            self._saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd, termios.TCSANOW)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.restore()

    def restore(self) -> None:
        """Give the terminal back as it was (also safe to call twice)."""
        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def read(self, timeout: float | None = None) -> str | None:
        """Wait for one key press and return its name; None after `timeout` seconds.

        End of input (a closed stdin) reads as "q" so a piped session always ends.
        """
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return None
        return self._read_key()

    def _read_key(self) -> str:
        """The key whose first byte is ready on the terminal."""
        data = os.read(self.fd, 1)
        self._last_read_empty = not data
        if not data:
            return "q"
        if data == b"\x1b":
            # The rest of an escape sequence arrives in the same burst; a lone Esc does not.
            while select.select([self.fd], [], [], 0.02)[0]:
                more = os.read(self.fd, 1)
                data += more
                if not more or more.isalpha() or more == b"~":
                    break
        return key_name(data.decode("utf-8", "replace"))

    def drain(self) -> None:
        """Drop keys pressed while a step ran, so they do not act on the next demo."""
        if self.interactive:
            termios.tcflush(self.fd, termios.TCIFLUSH)

    def ask(self, prompt: str) -> str:
        """Read a whole line with echo (for confirmations such as typing "oui")."""
        if self._saved is not None:
            saved = self._saved
            termios.tcsetattr(self.fd, termios.TCSADRAIN, saved)
            try:
                return _read_line(self.fd, prompt)
            finally:
                tty.setcbreak(self.fd, termios.TCSANOW)
        return _read_line(self.fd, prompt)


def _read_line(fd: int, prompt: str) -> str:
    """One line from `fd` (cooked mode), without Python's buffered stdin getting in the way."""
    sys.stdout.write(prompt)
    sys.stdout.flush()
    line = b""
    while not line.endswith(b"\n"):
        chunk = os.read(fd, 1)
        if not chunk:
            break
        line += chunk
    return line.decode("utf-8", "replace").strip()


REMOTE = "remote"  # the key name of a command from elsewhere (the `invoke present` browser)


class RemoteKeys(KeyReader):
    """The terminal's keys merged with commands pushed from other threads (`push`).

    `read()` returns REMOTE when a command is waiting (take it with `pop`). A closed stdin
    (present started without a terminal) no longer reads as "q": commands still arrive.
    """

    def __init__(self, fd: int | None = None):
        super().__init__(fd)
        self._wake_r, self._wake_w = os.pipe()
        self._commands: collections.deque[tuple] = collections.deque()
        self._closed = False  # the terminal reached end of input

    def push(self, command: tuple) -> None:
        """Queue `command` for the lecture loop (thread-safe)."""
        self._commands.append(command)
        os.write(self._wake_w, b"!")

    def pop(self) -> tuple | None:
        """The oldest waiting command, if any."""
        try:
            os.read(self._wake_r, 1)
        except BlockingIOError:
            pass
        return self._commands.popleft() if self._commands else None

    def read(self, timeout: float | None = None) -> str | None:
        if self._commands:
            return REMOTE
        watched = [self._wake_r] if self._closed else [self.fd, self._wake_r]
        ready, _, _ = select.select(watched, [], [], timeout)
        if self._wake_r in ready:
            return REMOTE
        if not ready:
            return None
        key = self._read_key()
        if key == "q" and not self.interactive and self._last_read_empty:
            self._closed = True
            return None
        return key
