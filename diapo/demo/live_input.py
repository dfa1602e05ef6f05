"""The keyboard of an interactive step: the lecturer's terminal forwarded to the step's pty.

While an `interactive` step (or the `!` shell) runs, the lecturer's terminal is put in raw
mode and every byte typed goes to the step's pseudo-terminal, which does the echo, line editing
and signals itself (so Ctrl-C interrupts the step only, and an editor gets its keys as typed).
Window-size changes of the lecturer's terminal (SIGWINCH) are copied to the step's pty.
Output processing (`\\n` -> `\\r\\n`) stays on, so what diapo prints meanwhile stays readable.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import termios
import threading
from collections.abc import Callable
from types import FrameType, TracebackType


class KeyForwarder:
    """Context manager: forwards terminal `fd` to `send` and its size to `resize`."""

    def __init__(self, fd: int, send: Callable[[bytes], object],
                 resize: Callable[[int, int], None]):
        self.fd = fd
        self.send = send
        self.resize = resize
        self.interactive = os.isatty(fd)
        self._saved: list | None = None
        self._stop_r, self._stop_w = os.pipe()
        self._thread: threading.Thread | None = None
        self._previous_winch: object = None

    def __enter__(self) -> KeyForwarder:
        if self.interactive:
            self._saved = termios.tcgetattr(self.fd)
            raw = termios.tcgetattr(self.fd)
            raw[0] &= ~(termios.BRKINT | termios.ICRNL | termios.INPCK | termios.ISTRIP |
                        termios.IXON)
            raw[3] &= ~(termios.ECHO | termios.ICANON | termios.IEXTEN | termios.ISIG)
            raw[6][termios.VMIN], raw[6][termios.VTIME] = 1, 0
            termios.tcsetattr(self.fd, termios.TCSANOW, raw)
            self._on_winch()
            if threading.current_thread() is threading.main_thread():
                self._previous_winch = signal.signal(signal.SIGWINCH, self._on_winch)
            self._thread = threading.Thread(target=self._pump, name="diapo-keys", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        os.write(self._stop_w, b"x")
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._previous_winch is not None:
            signal.signal(signal.SIGWINCH, self._previous_winch)  # type: ignore[arg-type]
        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
        os.close(self._stop_r)
        os.close(self._stop_w)

    def _on_winch(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        try:
            size = os.get_terminal_size(self.fd)
        except OSError:
            size = shutil.get_terminal_size()
        self.resize(size.lines, size.columns)

    def _pump(self) -> None:
        """Copy typed bytes to the step until told to stop (or the terminal closes)."""
        while True:
            ready, _, _ = select.select([self.fd, self._stop_r], [], [])
            if self._stop_r in ready:
                return
            try:
                data = os.read(self.fd, 4096)
            except OSError:
                return
            if not data:
                return
            self.send(data)
