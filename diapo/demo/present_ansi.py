"""Terminal output as HTML for the audience's terminal panel: escaped, ANSI colours as styles.

`AnsiHtml().feed(chunk)` may be called with output cut anywhere (inside a UTF-8 character or
an escape sequence): the incomplete tail waits for the next chunk. SGR colours (16, 256 and
true colour, bold, dim, italic, underline, inverse) become `<span style>`; other control
sequences (cursor moves, bracketed paste, titles) are dropped; every text byte is HTML-escaped.
"""

from __future__ import annotations

import codecs
import html
import re

# The 16 colours (xterm's defaults), normal then bright.
_BASE = ("#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
         "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff")
_SEQUENCE = re.compile(r"\x1b\[([0-9;?]*)([ -/]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|"
                       r"\x1b[()][0-9A-Za-z]|\x1b[=>78DEHMc]")
_INCOMPLETE = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*|\][^\x07\x1b]*|\x1b?|[()])?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _colour_256(n: int) -> str:
    if n < 16:
        return _BASE[n]
    if n < 232:
        n -= 16
        levels = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (levels[n // 36], levels[n // 6 % 6], levels[n % 6])
    grey = 8 + 10 * (n - 232)
    return "#%02x%02x%02x" % (grey, grey, grey)


class AnsiHtml:
    """A stateful converter of one step's output stream."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""  # an escape sequence cut by the end of a chunk
        self._style: dict[str, str] = {}
        self._open = False  # a <span> is open

    def feed(self, data: bytes) -> str:
        """HTML for the next chunk of output."""
        text = self._pending + self._decoder.decode(data)
        cut = _INCOMPLETE.search(text)
        self._pending = text[cut.start():] if cut and cut.group() else ""
        if self._pending:
            text = text[:len(text) - len(self._pending)]
        out: list[str] = []
        position = 0
        for found in _SEQUENCE.finditer(text):
            out.append(self._text(text[position:found.start()]))
            if found.group(3) == "m" and not found.group(2):
                out.append(self._sgr(found.group(1)))
            position = found.end()
        out.append(self._text(text[position:]))
        return "".join(out)

    def lines(self, data: bytes) -> list[str]:
        """The whole output as HTML line by line, each line's spans balanced (a colour that
        runs over several lines is reopened on each)."""
        out = []
        for line in data.split(b"\n"):
            style = dict(self._style)
            css = _css(style)
            self._open = bool(css)
            opening = f'<span style="{css}">' if css else ""
            body = self.feed(line) + self._flush()
            closing = "</span>" if self._open else ""
            out.append(opening + body + closing)
        return out

    def _flush(self) -> str:
        """What an unfinished sequence at the end of a line leaves: nothing shown."""
        self._pending = ""
        return ""

    def close(self) -> str:
        """Close an open span at the end of the step."""
        closing = "</span>" if self._open else ""
        self._open = False
        self._style = {}
        return closing

    def _text(self, text: str) -> str:
        if not text:
            return ""
        # CRLF from the pty is a newline; a bare CR or other control bytes show nothing.
        text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", ""))
        return html.escape(text, quote=False)

    def _sgr(self, params: str) -> str:
        codes = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else [0]
        style = dict(self._style)
        i = 0
        while i < len(codes):
            code = codes[i]
            if code == 0:
                style = {}
            elif code in (1, 2, 3, 4, 7):
                style[{1: "bold", 2: "dim", 3: "italic", 4: "underline", 7: "inverse"}[code]] = "1"
            elif code in (22, 23, 24, 27):
                for name in {22: ("bold", "dim"), 23: ("italic",), 24: ("underline",),
                             27: ("inverse",)}[code]:
                    style.pop(name, None)
            elif 30 <= code <= 37 or 90 <= code <= 97:
                style["fg"] = _BASE[code - 30 if code < 90 else code - 82]
            elif 40 <= code <= 47 or 100 <= code <= 107:
                style["bg"] = _BASE[code - 40 if code < 100 else code - 92]
            elif code in (39, 49):
                style.pop("fg" if code == 39 else "bg", None)
            elif code in (38, 48) and i + 1 < len(codes):
                where = "fg" if code == 38 else "bg"
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    style[where] = _colour_256(codes[i + 2] % 256)
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    style[where] = "#%02x%02x%02x" % tuple(c % 256 for c in codes[i + 2:i + 5])
                    i += 4
            i += 1
        if style == self._style:
            return ""
        self._style = style
        out = "</span>" if self._open else ""
        css = _css(style)
        self._open = bool(css)
        return out + (f'<span style="{css}">' if css else "")


def _css(style: dict[str, str]) -> str:
    fg, bg = style.get("fg"), style.get("bg")
    if "inverse" in style:
        fg, bg = bg or "#1e1e1e", fg or "#e5e5e5"
    parts = []
    if fg:
        parts.append(f"color:{fg}")
    if bg:
        parts.append(f"background:{bg}")
    if "bold" in style:
        parts.append("font-weight:bold")
    if "dim" in style:
        parts.append("opacity:.7")
    if "italic" in style:
        parts.append("font-style:italic")
    if "underline" in style:
        parts.append("text-decoration:underline")
    return ";".join(parts)
