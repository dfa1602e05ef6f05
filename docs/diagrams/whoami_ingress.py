"""An Ingress exposes the Service `whoami` on http://whoami.dev.localhost."""

from pathlib import Path

from diagrams import Cluster, Edge
from diagrams.k8s.compute import Pod
from diagrams.k8s.network import Ingress, Service
from diagrams.onprem.client import User

from _common import diagram, zone

OUTPUT = "schema/whoami-ingress.png"


def draw(path: Path) -> None:
    with diagram(path, direction="LR"):
        user = User("Navigateur")
        with Cluster("Namespace default", graph_attr=zone("#eef3fb")):
            ingress = Ingress("Ingress whoami\n(host, path: /)")
            svc = Service("Service whoami\n(port 80)")
            pods = [Pod(f"Pod whoami\n…-{s}") for s in ("x7k2p", "q9wzr")]
        user >> Edge(label="http://whoami.dev.localhost") >> ingress >> Edge(label="backend") >> svc
        for pod in pods:
            svc >> Edge(style="dashed") >> pod
