"""Fixture decks for the engine tests: Markdown written to disk and the matching Deck model.

The deck parser is tested on its own; these tests build the model next to the Markdown they
write (same lines, same attributes), so an engine test fails only for an engine reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from diapo.deck.model import Deck, Demo, DemoKind, Expect, Fence, Slide
from diapo.errors import at


@dataclass
class Step:
    """One demo block (and its `expect` block) of a fixture deck."""

    code: str
    kind: DemoKind = DemoKind.RUN
    id: str | None = None
    expect: str | None = None
    match: str = "ellipsis"
    exit: int = 0
    timeout: float | None = None
    wait: list[str] = field(default_factory=list)
    only: str | None = None
    needs: str | None = None
    path: str | None = None  # file=PATH

    def info(self) -> str:
        lang = {DemoKind.RUN: "bash", DemoKind.FILE: "yaml", DemoKind.APPLY: "yaml"}[self.kind]
        attrs = {DemoKind.RUN: ["demo" + (f"={self.id}" if self.id else "")],
                 DemoKind.FILE: [f"file={self.path}"], DemoKind.APPLY: ["apply"]}[self.kind]
        if self.exit:
            attrs.append(f"exit={self.exit}")
        if self.timeout:
            attrs.append(f"timeout={self.timeout:g}")
        attrs += [f'wait="{w}"' for w in self.wait]
        if self.only:
            attrs.append(f"only={self.only}")
        if self.needs:
            attrs.append(f"needs={self.needs}")
        return " ".join([lang, *attrs])


def write_deck(docs: Path, name: str, slides: list[list[Step]]) -> Deck:
    """Write `docs/<name>.md` with one slide per list of steps; return its Deck model."""
    path = docs / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["---", "marp: true", "---", ""]
    model: list[Slide] = []
    for index, steps in enumerate(slides):
        if index:
            lines += ["---", ""]
        start = len(lines) + 1
        lines += [f"# Diapo {index + 1}", ""]
        demos: list[Demo] = []
        for k, step in enumerate(steps, 1):
            fence_line = len(lines) + 1
            lines += [f"```{step.info()}", *step.code.rstrip("\n").split("\n"), "```"]
            fence = Fence(step.info().split()[0], step.info(), {}, step.code,
                          at(path, fence_line), len(lines))
            expect = None
            if step.expect is not None:
                expect_line = len(lines) + 1
                info = "text expect" + (f" match={step.match}" if step.match != "ellipsis"
                                        else "")
                body = step.expect.rstrip("\n").split("\n") if step.expect else []
                lines += [f"```{info}", *body, "```"]
                expect = Expect(step.expect, step.match, at(path, expect_line),
                                len(lines))
            lines.append("")
            demos.append(Demo(
                id=step.id or f"{index + 1}-{k}", kind=step.kind, lang=fence.lang,
                code=step.code, location=at(path, fence_line), slide=index + 1, fence=fence,
                path=step.path, expect=expect, exit=step.exit, timeout=step.timeout,
                wait=list(step.wait), only=step.only, needs=step.needs,
            ))
        model.append(Slide(index=index, location=at(path, start), end_line=len(lines),
                           source="", content="", directives={}, demos=demos,
                           title=f"Diapo {index + 1}"))
    text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return Deck(path=path, name=name, source=text, front_matter={"marp": True},
                directives={}, slides=model)
