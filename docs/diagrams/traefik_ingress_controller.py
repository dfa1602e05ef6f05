"""Traefik as an Ingress Controller: it watches Ingress objects and routes HTTP to Services."""

from pathlib import Path

from diagrams import Cluster, Edge
from diagrams.k8s.compute import Pod
from diagrams.k8s.controlplane import APIServer
from diagrams.k8s.network import Ingress, Service
from diagrams.onprem.client import User
from diagrams.onprem.network import Traefik

from _common import diagram, zone

OUTPUT = "schema/traefik-ingress-controller.png"


def draw(path: Path) -> None:
    with diagram(path, direction="LR"):
        user = User("Navigateur")
        with Cluster("Cluster Kubernetes (K3S)", graph_attr=zone("#f4f6f9")):
            api = APIServer("API Kubernetes")
            with Cluster("Namespace kube-system", graph_attr=zone("#fdf1e3")):
                lb = Service("Service traefik\nLoadBalancer :80 :443")
                traefik = Traefik("Traefik\n(Ingress Controller)")
            with Cluster("Namespace default", graph_attr=zone("#eef3fb")):
                ingress = Ingress("Ingress whoami\nwhoami.dev.localhost")
                svc = Service("Service whoami")
                pod = Pod("Pods whoami")
        user >> Edge(label="HTTP(S)") >> lb >> traefik
        traefik >> Edge(label="surveille les Ingress", style="dashed") >> api
        api - Edge(style="dotted") - ingress
        traefik >> Edge(label="Host: whoami.dev.localhost", color="#1b7f3b") >> svc >> pod
