"""A Kubernetes hosting zone: each element to configure maps onto a standard object."""

from pathlib import Path

from diagrams import Cluster, Edge
from diagrams.k8s.compute import Deployment, StatefulSet
from diagrams.k8s.network import Ingress, NetworkPolicy, Service
from diagrams.k8s.podconfig import ConfigMap, Secret
from diagrams.k8s.storage import PVC, StorageClass
from diagrams.onprem.client import Users
from diagrams.onprem.network import Traefik

from _common import diagram, zone

OUTPUT = "img/archi-hebergement-k8s.drawio.png"


def draw(path: Path) -> None:
    with diagram(path, direction="LR", nodesep="0.7", ranksep="1.0"):
        users = Users("Utilisateurs")
        with Cluster("Cluster Kubernetes", graph_attr=zone("#f4f6f9")):
            with Cluster("Services techniques (PlatOps)", graph_attr=zone("#fdf1e3")):
                lb = Service("LoadBalancer")
                ingress_controller = Traefik("Ingress\nController")
                storage = StorageClass("StorageClass")
            with Cluster("Namespace applicatif (AppOps)", graph_attr=zone("#eef3fb")):
                ingress = Ingress("Ingress\n(reverse proxy)")
                svc = Service("Service")
                app = Deployment("Deployment\n(sans état)")
                db = StatefulSet("StatefulSet\n(avec état)")
                config = ConfigMap("ConfigMap")
                secret = Secret("Secret")
                claim = PVC("PVC")
                policy = NetworkPolicy("NetworkPolicy\n(pare-feu)")
        users >> Edge(label="HTTPS") >> lb >> ingress_controller
        ingress_controller >> Edge(style="dashed") >> ingress >> svc >> app >> db
        config >> Edge(style="dotted") >> app
        secret >> Edge(style="dotted") >> app
        db >> Edge(style="dotted") >> claim
        storage >> Edge(style="dotted", label="provisionne") >> claim
        policy >> Edge(style="dotted", label="filtre") >> db
