"""Safety checks of the lecture mode: which cluster we are about to touch, and is it there.

Two questions, asked before the first demo and again whenever a step fails:

- is the kubeconfig context one the course allows (`contexts` in the diapo plugin config)? A
  context that is not listed is refused unless `--context` names it and the lecturer types
  "oui": a lecture must never run against the wrong cluster by accident;
- does the API server answer? One short request (no client retries, a few seconds at most)
  gives the server URL, its version and node readiness, or one line saying why not.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import urllib3
from kubernetes.client.rest import ApiException

from diapo.cluster.client import Cluster, resolve_config
from diapo.cluster.ready import is_ready
from diapo.errors import ClusterError, Location

PROBE_TIMEOUT = 2.0  # seconds per request: a dead server is reported within a few seconds
IDLE = 1.0  # seconds without a step before a background probe


@dataclass(frozen=True)
class Target:
    """The kubeconfig context the lecture runs against."""

    context: str
    kubeconfig: str | None  # path; None: $KUBECONFIG or ~/.kube/config, as kubectl does
    server: str


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


def _config_location(config_path: str | Path) -> Location:
    """Where `contexts` is set in mkdocs.yml (line 1 when it is left at its default)."""
    path = Path(config_path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return Location(str(path), 1)
    line = next((n for n, text in enumerate(lines, 1) if re.match(r"\s*contexts\s*:", text)), 1)
    return Location(str(path), line)


def choose_target(
    allowed: list[str],
    *,
    requested: str | None,
    confirm: Callable[[str], str],
    config_path: str | Path,
    kubeconfig: str | None = None,
) -> Target:
    """The context to use, after the safety check; `ClusterError` when it is refused.

    `requested` is `--context`; without it the kubeconfig's current context is used.
    `confirm(question)` returns the lecturer's typed answer for a context that is not allowed.
    """
    config = resolve_config(kubeconfig, requested)  # ClusterError: unknown context, no file
    name = config["current-context"]
    server = config["clusters"][0]["cluster"].get("server", "")
    target = Target(context=name, kubeconfig=kubeconfig, server=server)
    if name in allowed:
        return target
    where = _config_location(config_path)
    listed = ", ".join(allowed) or "aucun"
    if requested is None:
        raise ClusterError(
            f"contexte « {name} » refusé: il n'est pas dans `contexts` (autorisés: {listed})",
            where,
            hint=f"ajoutez-le à `contexts`, ou passez --context {name} pour confirmer",
        )
    answer = confirm(
        f"Le contexte « {name} » ({server}) n'est pas dans `contexts` ({listed}).\n"
        "Tapez « oui » pour lancer les démos sur ce cluster: "
    )
    if answer.strip().lower() != "oui":
        raise ClusterError(f"contexte « {name} » refusé: non confirmé", where)
    return target


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
