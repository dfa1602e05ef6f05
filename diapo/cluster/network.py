"""Addresses of the local cluster, in ranges no outside network holds and not private-range.

198.18.0.0/15 is reserved for benchmarking (RFC 2544); the node's address, 203.0.113.2, is
in TEST-NET-3 (RFC 5737; TEST-NET-1, 192.0.2.0/24, is what some sandboxes give their own
interface). The benchmarking range is routed to the node's own interface, so an address no
rule has translated yet (a Service kube-proxy has not synced) is dropped on this machine
instead of following the default route out. The node address sits on that interface too, as
a /32: the rest of TEST-NET-3 stays where the machine routes it (some sandboxes reach their
package registries at a TEST-NET-3 address).
"""

from __future__ import annotations

POD_CIDR = "198.18.0.0/16"
NODE_POD_CIDR = "198.18.0.0/24"  # the first /24 the controller-manager gives (one real node)
SERVICE_CIDR = "198.19.0.0/17"
API_SERVICE_IP = "198.19.0.1"  # first address of SERVICE_CIDR: Service `kubernetes`
DNS_SERVICE_IP = "198.19.0.10"  # Service `kube-dns` (CoreDNS, deployed by the add-ons)
LB_POOL = "198.19.128.0/24"  # LoadBalancer addresses, reachable from the machine
CLUSTER_RANGES = ("198.18.0.0/15", "203.0.113.2/32")  # every address the cluster uses
ROUTED_HERE = "198.18.0.0/15"  # never out through the default route
NODE_IP = "203.0.113.2"
NODE_PREFIX = 32  # only the node's address: nothing else of TEST-NET-3 is taken
DUMMY_IF = "diapo0"  # holds NODE_IP
BRIDGE_IF = "diapocni0"  # the CNI bridge of the pods
CLUSTER_DOMAIN = "cluster.local"
