"""A StatefulSet `postgres`: each Pod has a stable name and its own volume claim."""

from pathlib import Path

from diagrams import Cluster, Edge
from diagrams.k8s.compute import Pod, StatefulSet
from diagrams.k8s.storage import PV, PVC

from _common import diagram, zone

OUTPUT = "schema/postgres-statefulset.png"


def draw(path: Path) -> None:
    with diagram(path):
        sts = StatefulSet("StatefulSet\npostgres")
        with Cluster("Namespace default", graph_attr=zone("#eef3fb")):
            for i in range(2):
                with Cluster(f"Instance {i} : nom et stockage stables", graph_attr=zone("#ffffff")):
                    pod = Pod(f"Pod\npostgres-{i}")
                    claim = PVC(f"PVC\ndata-postgres-{i}")
                    volume = PV(f"PV\n(disque {i})")
                    pod >> Edge(label="monte") >> claim >> Edge(label="lié à") >> volume
                sts >> Edge(label="crée", style="dashed") >> pod
