"""Pre-flight of the lecture mode: does the API server of the chosen context answer?

The context itself is chosen and checked against `contexts` by `diapo.cluster.target`,
before the first demo. One short request (no client retries, a few seconds at most) gives
the server URL, its version and node readiness, or one line saying why not; `HealthWatch`
repeats it in the background while the lecture is idle and whenever a step fails.
"""

from __future__ import annotations

import socket
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import urllib3
from kubernetes.client.rest import ApiException

from diapo.cluster.client import Cluster
from diapo.cluster.ready import is_ready
from diapo.cluster.target import Target
from diapo.errors import ClusterError

PROBE_TIMEOUT = 2.0  # seconds per request: a dead server is reported within a few seconds
IDLE = 1.0  # seconds without a step before a background probe


@dataclass(frozen=True)
class Health:
    """What one probe of the API server found."""

    server: str
    version: str | None = None
    nodes_ready: int = 0
    nodes_total: int = 0
    error: str | None = None  # French, one line; None when the server answered

    @property
    def ok(self) -> bool:
        """The server answered."""
        return self.error is None


def _reason(exc: BaseException, timeout: float) -> str:
    """A short French reason for a failed request."""
    while isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        exc = exc.reason
    # NewConnectionError subclasses urllib3's ConnectTimeoutError: test it first.
    if isinstance(exc, urllib3.exceptions.NewConnectionError | ConnectionRefusedError):
        return "connexion refusée" if "refused" in str(exc).lower() else "connexion impossible"
    if isinstance(exc, (urllib3.exceptions.TimeoutError, socket.timeout, TimeoutError)):
        return f"pas de réponse en {timeout:g} s"
    if isinstance(exc, urllib3.exceptions.SSLError) or "SSL" in str(getattr(exc, "reason", "")):
        return "erreur TLS (certificat refusé)"
    if isinstance(exc, ApiException):
        return f"réponse HTTP {exc.status} {exc.reason or ''}".strip()
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def probe(target: Target, timeout: float = PROBE_TIMEOUT) -> Health:
    """Ask the API server its version and node readiness, in a few seconds at most."""
    try:
        cluster = Cluster(target.kubeconfig, target.context)
    except ClusterError as exc:
        return Health(server=target.server, error=exc.message)
    try:
        version = cluster.probe(timeout)
        nodes = cluster.request("GET", "/api/v1/nodes", timeout=(timeout, timeout))["items"]
    except (ClusterError, ApiException) as exc:
        # The client's error keeps the urllib3 one as its context: name the cause briefly.
        cause = exc.__context__ if isinstance(exc, ClusterError) and exc.__context__ else exc
        return Health(server=target.server, error=_reason(cause, timeout).splitlines()[0])
    finally:
        cluster.close()
    ready = sum(is_ready(node) for node in nodes or [])
    return Health(server=target.server, version=version, nodes_ready=ready,
                  nodes_total=len(nodes or []))


class HealthWatch:
    """Probes in the background while the lecturer talks, so a dead server is known before
    Enter is pressed (a step against a silent server would hang for kubectl's own timeout).

    A probe starts only after `idle` seconds without a step: its CPU time never competes with
    the step the lecturer just launched.
    """

    def __init__(self, target: Target, timeout: float = PROBE_TIMEOUT, idle: float = IDLE):
        self.target = target
        self.timeout = timeout
        self.idle = idle
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="diapo-probe")
        self._future: Future[Health | None] | None = None
        self._cancel = threading.Event()

    def start(self) -> None:
        """Probe once the lecturer has been idle for a while (unless a probe is pending)."""
        if self._future is None or self._future.done():
            self._cancel = threading.Event()
            self._future = self._pool.submit(self._probe_when_idle, self._cancel)

    def _probe_when_idle(self, cancel: threading.Event) -> Health | None:
        if cancel.wait(self.idle):
            return None  # a step started first: no probe this time
        return probe(self.target, self.timeout)

    def hold(self) -> None:
        """A step starts: a probe not yet begun is dropped."""
        self._cancel.set()

    def failed(self) -> bool:
        """Whether the latest probe has finished and found the server down (never waits)."""
        future = self._future
        if future is None or not future.done():
            return False
        health = future.result()
        return health is not None and not health.ok

    def close(self) -> None:
        """Drop a pending probe and let the worker thread go."""
        self._cancel.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
