"""Addresses of the local cluster, in ranges no outside network holds and not private-range.

198.18.0.0/15 is reserved for benchmarking (RFC 2544) and 192.0.2.0/24 is TEST-NET-1 (RFC
5737): no router on the way out of this machine carries them, so nothing a demo sends to them
can reach another machine. The node address sits on a dummy interface of this machine.
"""

from __future__ import annotations

POD_CIDR = "198.18.0.0/16"
NODE_POD_CIDR = "198.18.0.0/24"  # the first /24 the controller-manager gives (one real node)
SERVICE_CIDR = "198.19.0.0/17"
API_SERVICE_IP = "198.19.0.1"  # first address of SERVICE_CIDR: Service `kubernetes`
DNS_SERVICE_IP = "198.19.0.10"  # Service `kube-dns` (CoreDNS, deployed by the add-ons)
LB_POOL = "198.19.128.0/24"  # LoadBalancer addresses, reachable from the machine
CLUSTER_RANGES = ("198.18.0.0/15", "192.0.2.0/24")  # every address the cluster uses
NODE_IP = "192.0.2.2"
NODE_PREFIX = 24
DUMMY_IF = "diapo0"  # holds NODE_IP
BRIDGE_IF = "diapocni0"  # the CNI bridge of the pods
CLUSTER_DOMAIN = "cluster.local"
