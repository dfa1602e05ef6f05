"""Root conftest: the `cluster` session fixture and the `cluster` marker.

Tests that need Kubernetes either take the `cluster` fixture or carry `@pytest.mark.cluster`
(which then requests the fixture for them); either way they are marked, so
`pytest -m "not cluster"` runs everything else without starting a control plane.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from diapo.cluster import local


@pytest.fixture(scope="session")
def cluster() -> Iterator[local.LocalCluster]:
    """The local control plane (`diapo.cluster.local`), started once for the session.

    A cluster already running in the tests' state directory (another pytest session on the
    same checkout) is reused and left running; one this session started is stopped at its end,
    unless another session still uses it. Yields a `Cluster` with `.kubeconfig` (path),
    `.context` (`diapo-local`), `.server` (https URL) and `.version`.
    """
    # Simulated nodes (kwok) in a state directory of their own: the suite relies on kwok's
    # instant pods, and a cluster the user started (maybe with a real node) stays untouched.
    # tests/cluster/test_real_node.py runs real pods on a cluster of its own.
    os.environ.setdefault("DIAPO_CLUSTER_DIR", str(Path(__file__).resolve().parents[1] /
                                                   ".diapo" / "cluster-tests"))
    with local.shared(nodes=local.SIMULATED) as running:
        yield running


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marker <-> fixture: `cluster`-marked tests get the fixture, fixture users get the mark."""
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None:
            continue
        if item.get_closest_marker("cluster") is not None and "cluster" not in names:
            names.append("cluster")
        elif "cluster" in names and item.get_closest_marker("cluster") is None:
            item.add_marker(pytest.mark.cluster)
