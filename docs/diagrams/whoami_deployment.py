"""A Deployment `whoami`: its ReplicaSet keeps three identical, stateless Pods running."""

from pathlib import Path

from diagrams import Cluster, Edge
from diagrams.k8s.compute import Deployment, Pod, ReplicaSet

from _common import diagram, zone

OUTPUT = "schema/whoami-deployment.png"


def draw(path: Path) -> None:
    with diagram(path):
        deploy = Deployment("Deployment\nwhoami\n(replicas: 3)")
        with Cluster("Namespace default", graph_attr=zone("#eef3fb")):
            rs = ReplicaSet("ReplicaSet\nwhoami-5d8c…")
            pods = [Pod(f"Pod\nwhoami-…-{s}") for s in ("x7k2p", "q9wzr", "m4tbn")]
        deploy >> Edge(label="crée") >> rs
        for pod in pods:
            rs >> Edge(label="maintient", style="dashed") >> pod
