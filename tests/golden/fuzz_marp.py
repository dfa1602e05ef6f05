"""Differential fuzzing of diapo's deck parser against marp-core itself (needs Node).

    cd tests/golden && npm ci && python fuzz_marp.py [--seed N] [--count N]

Random decks built from tricky fragments (directives of every scope, notes, headings,
containers, fences, tables, images, `$$` maths) are rendered by marp-core (`batch.mjs`) and
parsed by diapo; the slides' `data-*` attributes and notes must agree. A mismatch is printed with the
deck; turn it into a fixture (fixtures/*.md, then `node render.mjs`) when fixing it.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from diapo.deck import parse  # noqa: E402 - after the sys.path line
from diapo.deck.attributes import section_attributes  # noqa: E402 - after the sys.path line
from diapo.errors import DeckError  # noqa: E402 - after the sys.path line

FRAGMENTS = [
    "---", "***", "- - -", "", "", "# Titre", "## Sous", "### H3", "texte", "Setext", "===",
    "<!-- note -->", "<!-- paginate: true -->", "<!-- paginate: hold -->",
    "<!-- _paginate: skip -->", "<!-- _paginate: false -->", "<!-- _class: lead -->",
    "<!-- class: a -->", "<!-- class: [x, y] -->", "<!-- header: 'En-tête: x' -->",
    "<!-- footer: pied -->", "<!-- _footer: '' -->", '<!-- footer: "a: b" -->',
    "<!-- headingDivider: 2 -->", "<!-- headingDivider: [1, 3] -->",
    "<!-- backgroundColor: red -->", "<!-- _color: blue -->",
    "<!-- _backgroundImage: url(x.png) -->", "<!--\nheader: >\n  plié\n-->",
    "<!--\nnote multi\nligne\n-->", "<!-- Note: a -->", "<!-- pagnate: x -->",
    "<!-- paginate: false\nclass: z -->", "<!-- a: [unclosed -->", "<!-- prettier-ignore -->",
    "<!-- theme: cours -->", "<!-- lang: fr -->", "<!-- size: 4:3 -->", "<!-- marp: true -->",
    "<!-- title: T -->", "x <!-- inline --> y", "text\n<!-- after para -->",
    "`<!-- code -->`", "## <!-- fit --> Fit", "<!-- _header: h -->",
    "* a", "* a\n  * b", "1) b", "1. x\n2. y", "- c", "- <!-- li -->", "\t- tab",
    "> q", "> <!-- note q -->", "> a\n> ---", "    code", "```\n---\n```",
    "~~~\n<!-- in code -->\n~~~", "| a | b |\n|---|---|\n| 1 | 2 |", "<div>", "</div>",
    "<details>\n\n<!-- in details -->\n\n</details>", "![bg](a.png)", "![bg left:30%](b.png)",
    "[r]: a.png", "[r]: <b c.png> 'T'", "  [bg]: d.png", "![bg][r]", "![w:20 sepia][r]", "![bg]",
    "[lien][r]", "<style>\nh1 { color: red; }\n</style>", "<style scoped>h2 { margin: 0; }</style>",
    "$$", "$$\nx\n$$", "$$ a $$", "$$ a $$ b", "texte\n$$\ny\n$$", "$$\n\n---\n\n$$",
    "$$\n<!-- _class: m -->\n$$", "$$\n# T\n$$", "$$$$", "  $$\n  w\n  $$", "- $$\n  v\n  $$",
    "> $$", "- $$", "- $$\n  a", "$$ | a\n--|--", "> $$\nlazy", "1. $$\n   k",
]
HEADS = [
    "", "---\npaginate: true\n---\n", "---\nheadingDivider: 2\nclass: fm\n---\n",
    "---\n_class: t\nfooter: f\n---\n", "---\npaginate: skip\n_paginate: true\n---\n",
    "---\nheadingDivider: [1,3]\n---\n",
]


def decks(seed: int, count: int) -> list[str]:
    """`count` random decks."""
    rng = random.Random(seed)
    return [rng.choice(HEADS) + "\n".join(rng.choice(FRAGMENTS)
                                          for _ in range(rng.randint(1, 16))) + "\n"
            for _ in range(count)]


def main() -> int:
    """Compare diapo with marp-core on random decks; exit 1 on any mismatch."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    texts = decks(args.seed, args.count)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as tmp:
        json.dump(texts, tmp)
    out = subprocess.run(["node", str(HERE / "batch.mjs"), tmp.name], cwd=HERE,
                         capture_output=True, text=True, check=True).stdout
    Path(tmp.name).unlink()
    mismatches = 0
    for text, marp in zip(texts, json.loads(out)):
        try:
            deck = parse("fuzz.md", text=text)
        except DeckError:
            continue  # diapo rejects what Marp silently ignores
        ours = [section_attributes(deck, s) for s in deck.slides]
        notes = [[n.text for n in s.notes] for s in deck.slides]
        if ours != marp["secs"] or notes != marp["comments"]:
            mismatches += 1
            print(f"--- mismatch\n{text}\n  diapo:     {ours} {notes}\n"
                  f"  marp-core: {marp['secs']} {marp['comments']}")
    print(f"{mismatches} mismatches in {len(texts)} decks")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
