"""Administration of VMs (ssh on each machine) versus Kubernetes (kubectl against one API)."""

from pathlib import Path

from diagrams import Cluster, Edge
from diagrams.k8s.controlplane import APIServer
from diagrams.k8s.infra import Node
from diagrams.onprem.client import User
from diagrams.onprem.compute import Server

from _common import diagram, zone

OUTPUT = "img/admin-vm-vs-k8s.drawio.png"


def draw(path: Path) -> None:
    with diagram(path, direction="TB", nodesep="0.5", ranksep="1.0"):
        with Cluster("VM : ssh sur chaque machine", graph_attr=zone("#fdf1e3")):
            admin_vm = User("Admin")
            for i in (1, 2, 3):
                admin_vm >> Edge(label="ssh") >> Server(f"VM {i}")
        with Cluster("K8S : kubectl vers une API", graph_attr=zone("#eef3fb")):
            admin_k8s = User("Admin")
            api = APIServer("API")
            admin_k8s >> Edge(label="kubectl") >> api
            for i in (1, 2, 3):
                api >> Edge(style="dashed") >> Node(f"noeud {i}")
