"""The ENSG logo of the slides' header: a plain wordmark drawn with Graphviz (HTML label)."""

from pathlib import Path

import graphviz

from _common import FONT

OUTPUT = "img/logo-ensg.png"

LABEL = f"""<
<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">
  <TR><TD><FONT FACE="{FONT} Bold" POINT-SIZE="34" COLOR="white"><B>ENSG</B></FONT></TD></TR>
  <TR><TD><FONT FACE="{FONT}" POINT-SIZE="9" COLOR="#cfe3f5">GÉOMATIQUE</FONT></TD></TR>
</TABLE>>"""


def draw(path: Path) -> None:
    graph = graphviz.Graph(format="png", graph_attr={"bgcolor": "transparent", "pad": "0.05",
                                                     "dpi": "96"})
    graph.node("logo", label=LABEL, shape="box", style="rounded,filled", fillcolor="#0b4f8a",
               color="#0b4f8a", margin="0.12,0.04")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(graph.pipe())
