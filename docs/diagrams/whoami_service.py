"""A Service `whoami`: one stable address in the cluster in front of the Pods."""

from pathlib import Path

from diagrams import Cluster, Edge
from diagrams.k8s.compute import Pod
from diagrams.k8s.network import Service

from _common import diagram, zone

OUTPUT = "schema/whoami-service.png"


def draw(path: Path) -> None:
    with diagram(path):
        client = Pod("Pod client\n(curl)")
        with Cluster("Namespace default", graph_attr=zone("#eef3fb")):
            svc = Service("Service whoami\n(ClusterIP)")
            pods = [Pod(f"Pod\nwhoami-…-{s}") for s in ("x7k2p", "q9wzr", "m4tbn")]
        client >> Edge(label="http://whoami") >> svc
        for pod in pods:
            svc >> Edge(label=":80", style="dashed") >> pod
