"""Shared style for the deck's diagrams (drawn with the `diagrams` package and Graphviz).

Every diagram module exposes `OUTPUT` (the PNG path relative to docs/, as the deck writes it)
and `draw(path)`, which renders that PNG. `render.py` runs them all.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from diagrams import Diagram

# DejaVu ships with Debian (fonts-dejavu-core): the same glyphs on every machine.
FONT = "DejaVu Sans"

# Labels are wider than the icons (diagrams draws them under a fixed-size node): generous
# separations and padding keep them from overlapping each other or being cropped.
GRAPH = {
    "fontname": FONT,
    "fontsize": "22",
    "pad": "0.7",
    "nodesep": "1.0",
    "ranksep": "1.3",
    "bgcolor": "white",
    "dpi": "110",
}
# Icon at the top of the node box, label under it (diagrams grows the box per label line).
NODE = {"fontname": FONT, "fontsize": "15", "imagepos": "tc"}
EDGE = {"fontname": FONT, "fontsize": "13", "color": "#4a5a70"}
# Clusters (namespaces, nodes, zones): light fills keep the icons readable on a slide.
CLUSTER = {"fontname": FONT, "fontsize": "16", "labeljust": "l", "style": "rounded,filled"}


def zone(color: str) -> dict[str, str]:
    """Attributes of a cluster filled with `color` (graph_attr of `diagrams.Cluster`)."""
    return {**CLUSTER, "bgcolor": color, "pencolor": "#7d8ca3"}


@contextmanager
def diagram(path: Path, direction: str = "LR", **graph: str) -> Iterator[Diagram]:
    """A `Diagram` rendered to `path` (a .png path) with the deck's style."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    stem = str(path)[: -len(".png")] if str(path).endswith(".png") else str(path)
    with Diagram(
        "",
        filename=stem,
        outformat="png",
        show=False,
        direction=direction,
        graph_attr={**GRAPH, **graph},
        node_attr=NODE,
        edge_attr=EDGE,
    ) as d:
        yield d
