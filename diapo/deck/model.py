"""The one data model shared by the site and the demo runner: Deck, Slide, Demo.

Everything carries a `Location` (deck file, 1-based line) so that any error or report can point
the lecturer at the exact place in the Markdown source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from diapo.deck.blocks import Block
from diapo.errors import DiapoWarning, Location


class DemoKind(str, Enum):
    """What a demo block does."""

    RUN = "run"  # ```bash demo   : shell step in the deck's session
    FILE = "file"  # ```yaml file=x : written to the run's work directory before any step
    APPLY = "apply"  # ```yaml apply  : server-side applied through the Python client


@dataclass
class Note:
    """A presenter note: an HTML comment that is not a directive."""

    text: str
    location: Location


@dataclass
class Image:
    """A Markdown image with its Marp keywords parsed out of the alt text."""

    src: str
    alt: str  # alt text with Marp keywords removed
    location: Location
    width: str | None = None  # CSS length, e.g. "350px"
    height: str | None = None
    background: bool = False  # `bg`
    split: str | None = None  # "left" / "right" for `bg left` / `bg right`
    split_size: str | None = None  # "40%" in `bg left:40%`
    size: str | None = None  # contain / cover / fit / auto / "N%"
    vertical: bool = False
    filters: dict[str, str] = field(default_factory=dict)  # blur -> "10px", sepia -> "1", ...
    title: str | None = None
    nested: bool = False  # in another image's alt text (markdown-it draws it as alt text)


@dataclass(frozen=True)
class Reference:
    """A link reference definition (`[label]: url "title"`): Marp reads the whole deck at once,
    so a definition serves every slide (the first of a label wins)."""

    url: str  # unescaped, without its angle brackets (markdown-it's destination)
    title: str | None  # unescaped, without its quotes
    location: Location


@dataclass
class Fence:
    """A fenced code block: language, attributes after it, and its text."""

    lang: str
    info: str  # the whole info string, as written
    attrs: dict[str, str | bool]  # attributes after the language, in order; flags map to True
    text: str
    location: Location  # line of the opening fence
    end_line: int  # line of the closing fence
    shown: bool = True  # False: a hidden demo's (or its expect block's), left out of `content`
    pairs: tuple[tuple[str, str | bool], ...] = ()  # every attribute in order, repeats too
    marker: str = "```"  # the opening run of backticks or tildes


@dataclass
class Expect:
    """The expected output of the previous demo step (an `expect` fence)."""

    text: str
    match: str  # how it is compared with the output: a mode of `diapo.demo.match.MATCHERS`
    location: Location  # opening fence of the expect block
    end_line: int  # closing fence of the expect block (for `verify --update`)


@dataclass
class Demo:
    """One demo step, from a tagged fence (see the demo-tag language in design.md)."""

    id: str  # `demo=ID`, or generated as "<slide>-<k>" (k counts demo blocks of the slide)
    kind: DemoKind
    lang: str
    code: str
    location: Location
    slide: int  # 1-based slide number
    fence: Fence
    path: str | None = None  # `file=PATH`
    expect: Expect | None = None
    exit: int = 0
    timeout: float | None = None  # None: the configured default
    wait: list[str] = field(default_factory=list)  # e.g. ["deployment/whoami Available"]
    only: str | None = None  # "live" / "ci"
    needs: str | None = None  # "node"
    hidden: bool = False
    warn: list[str] = field(default_factory=list)  # accepted warnings (substrings), `warn=`
    interactive: bool = False  # reads the keyboard: stdin and window size in class
    input: str | None = None  # `input=PATH`: fed as stdin in verification (implies interactive)


@dataclass
class Slide:
    """One slide of a deck, with its effective directives (inherited local + spot)."""

    index: int  # 0-based position in the deck
    location: Location  # first line of the slide's source
    end_line: int
    source: str  # the slide's raw Markdown, as written
    content: str  # Markdown to render: directive comments and notes removed
    directives: dict[str, Any]  # effective local and spot directives (Marp's names)
    notes: list[Note] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    fences: list[Fence] = field(default_factory=list)
    demos: list[Demo] = field(default_factory=list)
    fragments: int = 0  # number of fragmented list items (`*` bullets, `1)` lists)
    title: str | None = None  # text of the first heading
    page: int | None = None  # pagination number Marp shows (None: not paginated)
    total: int = 0  # pagination total Marp computes
    # The slide's blocks from the deck's one block scan (0-based deck lines), read again by the
    # site instead of parsing the slide's blocks a second time.
    blocks: list[Block] = field(default_factory=list, repr=False, compare=False)
    # What `content` leaves out of the source: deck line ranges [start, end) (0-based) cut or
    # rewritten, and for each rewritten block, its start and the line (from its start) where
    # each line it keeps begins (`source_line`).
    content_cuts: tuple[tuple[int, int], ...] = field(default=(), repr=False, compare=False)
    content_kept: tuple[tuple[int, tuple[int, ...]], ...] = field(default=(), repr=False,
                                                                  compare=False)

    @property
    def number(self) -> int:
        """1-based slide number, as in `#N` deep links."""
        return self.index + 1

    @property
    def paginate(self) -> bool:
        return self.page is not None

    def source_lines(self) -> list[str]:
        """The slide's source lines, split where the parser splits them (on `\\n` only)."""
        return self.source.split("\n")[:-1]

    def source_line(self, index: int) -> int:
        """The deck line (1-based) of line `index` (0-based) of `content`."""
        source = self.location.line - 1  # 0-based deck line of content line `position`
        position = 0
        rewritten = dict(self.content_kept)
        for start, end in self.content_cuts:
            if index < position + start - source:  # in the lines kept before this cut
                break
            position += start - source
            kept = rewritten.get(start, ())
            if index < position + len(kept):  # in a rewritten block
                return start + kept[index - position] + 1
            position += len(kept)
            source = max(source, end)
        return source + index - position + 1


@dataclass
class Deck:
    """A parsed Marp deck."""

    path: Path
    name: str  # path relative to docs/ without `.md`, with "/" (e.g. "kubernetes")
    source: str
    front_matter: dict[str, Any]
    directives: dict[str, Any]  # global directives (theme, size, lang, title, ...)
    slides: list[Slide]
    warnings: list[DiapoWarning] = field(default_factory=list)
    directive_lines: dict[str, int] = field(default_factory=dict)  # global -> line in effect
    # Link reference definitions by label, normalized as markdown-it compares them.
    references: dict[str, Reference] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The `title` directive, else the first heading, else the file name."""
        if self.directives.get("title"):
            return str(self.directives["title"])
        for slide in self.slides:
            if slide.title:
                return slide.title
        return self.name

    @property
    def description(self) -> str | None:
        value = self.directives.get("description")
        return str(value) if value else None

    @property
    def demos(self) -> list[Demo]:
        """All demo steps of the deck, in source order."""
        return [demo for slide in self.slides for demo in slide.demos]

    def demo(self, demo_id: str) -> Demo:
        """The demo with this id (KeyError if none)."""
        for demo in self.demos:
            if demo.id == demo_id:
                return demo
        raise KeyError(demo_id)
