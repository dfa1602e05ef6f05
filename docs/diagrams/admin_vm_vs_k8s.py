"""Administration of VMs (ssh on each machine) versus Kubernetes (kubectl against one API)."""

from pathlib import Path

from diagrams import Cluster, Edge
from diagrams.k8s.controlplane import APIServer
from diagrams.k8s.infra import Node
from diagrams.onprem.client import User
from diagrams.onprem.compute import Server
from diagrams.onprem.container import Docker

from _common import EDGE, NODE, diagram, zone

OUTPUT = "img/admin-vm-vs-k8s.drawio.png"

# Shown at 350 px high in a half-slide column: larger type than the other diagrams, and taller
# nodes (the icon keeps its width) so that the label stays under the icon.
BIG = {"fontsize": "24"}
TALL = {"height": "1.9", "imagepos": "tc"}


def draw(path: Path) -> None:
    with diagram(path, direction="TB", nodesep="0.4", ranksep="0.7") as d:
        d.dot.node_attr.update({**NODE, **BIG})
        d.dot.edge_attr.update({**EDGE, "fontsize": "20"})
        with Cluster("VM : ssh", graph_attr=zone("#fdf1e3") | BIG):
            admin_vm = User("Admin", **TALL)
            for i in (1, 2):
                vm = Server(f"VM {i}", **TALL)
                admin_vm >> Edge(label="ssh") >> vm
                vm >> Edge(style="dotted") >> Docker("appli", **TALL)
        with Cluster("K8S : kubectl", graph_attr=zone("#eef3fb") | BIG):
            admin_k8s = User("Admin", **TALL)
            api = APIServer("API", **TALL)
            admin_k8s >> Edge(label="kubectl") >> api
            for i in (1, 2):
                api >> Edge(style="dashed") >> Node(f"noeud {i}", **TALL)
