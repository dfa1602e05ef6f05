"""Traefik as an Ingress Controller: it reads the Ingress objects and routes HTTP to Services."""

from pathlib import Path

from diagrams import Cluster, Edge
from diagrams.k8s.compute import Pod
from diagrams.k8s.network import Ingress, Service
from diagrams.onprem.client import User
from diagrams.onprem.network import Traefik

from _common import diagram, zone

OUTPUT = "schema/traefik-ingress-controller.png"


def draw(path: Path) -> None:
    with diagram(path, direction="LR", nodesep="0.5"):
        user = User("Navigateur")
        with Cluster("Cluster K3S", graph_attr=zone("#f4f6f9")):
            with Cluster("kube-system", graph_attr=zone("#fdf1e3")):
                lb = Service("Service\ntraefik")
                traefik = Traefik("Traefik")
            with Cluster("default", graph_attr=zone("#eef3fb")):
                ingress = Ingress("Ingress\nwhoami")
                svc = Service("Service\nwhoami")
                pod = Pod("Pods\nwhoami")
        user >> Edge(label="HTTP(S)") >> lb >> traefik
        traefik >> Edge(label="lit", style="dashed") >> ingress
        traefik >> Edge(label="whoami.dev.localhost", color="#1b7f3b") >> svc >> pod
