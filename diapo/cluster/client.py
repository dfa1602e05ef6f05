"""Kubernetes access through the official `kubernetes` client, for the demo engine.

One `Cluster` per kubeconfig context: a short-timeout probe (the lecture mode must say
"unreachable" within seconds), discovery, server-side apply of YAML documents, waits on
conditions through watches, namespaces, and finding / deleting the objects a demo run created
(recognised by the field manager the run used).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import urllib3
import yaml
from kubernetes import client as k8s
from kubernetes.client.rest import ApiException
from kubernetes.config.config_exception import ConfigException
from kubernetes.config.kube_config import load_kube_config_from_dict
from kubernetes.watch.watch import iter_resp_lines

from diapo.cluster.ready import is_ready
from diapo.errors import ClusterError, DemoError, DiapoError

PROBE_TIMEOUT = 3.0  # seconds: connect + read of the version probe
REQUEST_TIMEOUT = 15.0  # seconds: ordinary API calls
KWOK_ANNOTATION = "kwok.x-k8s.io/node"
_METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
# Resources that are never demo objects, or cannot be listed and deleted as such.
_NOT_TRACKED = frozenset({"events", "bindings", "componentstatuses", "endpointslices",
                          "endpoints", "leases", "controllerrevisions", "tokenreviews"})
# Condition names that end a wait early: the object will not reach the wanted one.
_FAILED = ("Failed", "ReplicaFailure", "FailureTarget")


@dataclass(frozen=True)
class Resource:
    """An API resource from discovery (e.g. apps/v1 deployments)."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    singular: str = ""
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        """REST path of the collection, or of one object."""
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        return f"{base}/{name}" if name else base

    def names(self) -> set[str]:
        """Every name kubectl accepts for it: kind, plural, singular, short names."""
        lowered = {self.kind.lower(), self.plural, self.singular, *self.short_names}
        qualified = {f"{n}.{self.group}" for n in lowered if self.group}
        return lowered | qualified


@dataclass(frozen=True, order=True)
class ObjectRef:
    """One object on the cluster. Orders by creation time (ISO), so reverse order = undo."""

    created: str
    kind: str
    name: str
    namespace: str | None = None
    api_version: str = "v1"
    plural: str = ""

    def __str__(self) -> str:
        where = f" (namespace {self.namespace})" if self.namespace else ""
        return f"{self.kind.lower()}/{self.name}{where}"


# ---------------------------------------------------------------------- kubeconfig


def kubeconfig_paths(explicit: str | Path | None = None) -> list[Path]:
    """The kubeconfig files in effect: `explicit`, else $KUBECONFIG (a list), else
    ~/.kube/config."""
    if explicit:
        return [Path(explicit)]
    if os.environ.get("KUBECONFIG"):
        return [Path(p) for p in os.environ["KUBECONFIG"].split(os.pathsep) if p]
    return [Path.home() / ".kube" / "config"]


def resolve_config(kubeconfig: str | Path | None = None, context: str | None = None,
                   namespace: str | None = None) -> dict[str, Any]:
    """A self-contained kubeconfig (dict) with only `context` (default: the current one).

    Files are merged like kubectl does (first definition wins); relative certificate and token
    paths become absolute, so the result can be written anywhere. `namespace` overrides the
    context's namespace.
    """
    merged: dict[str, dict[str, Any]] = {"contexts": {}, "clusters": {}, "users": {}}
    current = None
    sources = kubeconfig_paths(kubeconfig)
    for path in sources:
        if not path.is_file():
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ClusterError(f"kubeconfig illisible: {exc}", None) from None
        current = current or data.get("current-context")
        for section in merged:
            for entry in data.get(section) or []:
                body = dict(entry.get(section[:-1]) or {})
                _absolutize(body, path.parent)
                merged[section].setdefault(entry.get("name"), body)
    name = context or current
    where = ", ".join(str(p) for p in sources)
    if not name:
        raise ClusterError(f"aucun contexte courant dans le kubeconfig ({where})",
                           hint="choisissez-en un avec --context ou kubectl config use-context")
    if name not in merged["contexts"]:
        raise ClusterError(f"contexte '{name}' introuvable dans le kubeconfig ({where})")
    ctx = dict(merged["contexts"][name])
    if namespace:
        ctx["namespace"] = namespace
    cluster, user = ctx.get("cluster"), ctx.get("user")
    if cluster not in merged["clusters"]:
        raise ClusterError(f"le contexte '{name}' désigne un cluster inconnu '{cluster}'")
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": name,
        "contexts": [{"name": name, "context": ctx}],
        "clusters": [{"name": cluster, "cluster": merged["clusters"][cluster]}],
        "users": [{"name": user, "user": merged["users"].get(user, {})}] if user else [],
    }


def write_kubeconfig(config: dict[str, Any], path: Path) -> Path:
    """Write a kubeconfig readable only by its owner (it holds credentials)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        yaml.safe_dump(config, handle, sort_keys=False)
    return path


def _absolutize(body: dict[str, Any], base: Path) -> None:
    for key in ("certificate-authority", "client-certificate", "client-key", "tokenFile"):
        value = body.get(key)
        if isinstance(value, str) and value and not os.path.isabs(value):
            body[key] = str((base / value).resolve())


# ---------------------------------------------------------------------- cluster


class Cluster:
    """One kubeconfig context, reached through the official Python client."""

    def __init__(self, kubeconfig: str | Path | None = None, context: str | None = None, *,
                 namespace: str | None = None):
        self.config = resolve_config(kubeconfig, context, namespace)
        ctx = self.config["contexts"][0]
        self.context: str = ctx["name"]
        self.namespace: str = ctx["context"].get("namespace") or "default"
        self.server: str = self.config["clusters"][0]["cluster"].get("server", "")
        configuration = k8s.Configuration()
        try:
            load_kube_config_from_dict(self.config, context=self.context,
                                       client_configuration=configuration,
                                       persist_config=False)
        except (ConfigException, OSError, ValueError) as exc:
            raise ClusterError(f"contexte '{self.context}' inutilisable: {exc}") from None
        configuration.retries = False  # fail fast: the probe must answer within seconds
        self.api = k8s.ApiClient(configuration)
        self._resources: list[Resource] | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        self.api.close()

    # ------------------------------------------------------------------ raw calls

    def request(self, method: str, path: str, *, query: dict[str, Any] | None = None,
                body: Any = None, content_type: str | None = None, accept: str | None = None,
                timeout: float | tuple[float, float] = REQUEST_TIMEOUT,
                stream: bool = False, warnings: list[str] | None = None) -> Any:
        """One API call; JSON in, decoded JSON out (or the raw response with `stream`).

        The server's `Warning` headers (deprecated API, unknown field, ...) are appended to
        `warnings` when given."""
        headers = {"Accept": accept or "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        if body is not None and not isinstance(body, str):
            headers.setdefault("Content-Type", "application/json")  # the client encodes it
        method, url, headers, body, _ = self.api.param_serialize(
            method, path, query_params=list((query or {}).items()), header_params=headers,
            body=body, auth_settings=["BearerToken"])
        try:
            response = self.api.call_api(method, url, header_params=headers, body=body,
                                         _request_timeout=timeout)
        except Exception as exc:  # urllib3: connection refused, timeout, TLS
            raise ClusterError(
                f"cluster injoignable ({self.server}, contexte {self.context}): "
                f"{_short(exc)}") from None
        if warnings is not None:
            warnings.extend(warning_messages(response.headers))
        if not 200 <= response.status < 300:
            response.read()
            raise ApiException(http_resp=response)
        if stream:
            return response.response
        data = response.read()
        return json.loads(data) if data else None

    def probe(self, timeout: float = PROBE_TIMEOUT) -> str:
        """The server's version (e.g. "v1.33.13"), or a `ClusterError` within `timeout` s."""
        try:
            info = self.request("GET", "/version", timeout=(timeout, timeout))
        except ApiException as exc:
            raise ClusterError(f"le cluster ({self.server}) refuse la connexion: "
                               f"{exc.status} {exc.reason}") from None
        return str(info.get("gitVersion", ""))

    # ------------------------------------------------------------------ discovery

    def resources(self) -> list[Resource]:
        """Every top-level resource the server serves (preferred version of each group)."""
        with self._lock:
            if self._resources is None:
                found = self._discover("", "v1")
                groups = self.request("GET", "/apis").get("groups", [])
                for group in groups:
                    preferred = group.get("preferredVersion", {}).get("version")
                    if preferred:
                        found += self._discover(group["name"], preferred)
                self._resources = found
            return self._resources

    def _discover(self, group: str, version: str) -> list[Resource]:
        path = f"/apis/{group}/{version}" if group else f"/api/{version}"
        try:
            listing = self.request("GET", path)
        except ApiException:  # an unavailable aggregated API must not break the rest
            return []
        return [
            Resource(group, version, r["kind"], r["name"], r["namespaced"],
                     r.get("singularName") or r["kind"].lower(),
                     tuple(r.get("shortNames") or ()), tuple(r.get("verbs") or ()))
            for r in listing.get("resources", []) if "/" not in r["name"]
        ]

    def resource(self, name: str, api_version: str | None = None) -> Resource:
        """The resource for a kind or any name kubectl accepts (`deploy`, `pods`, `Job`)."""
        wanted = name.lower()
        matches = [r for r in self.resources() if wanted in r.names() or
                   r.kind == name and (api_version is None or r.api_version == api_version)]
        if api_version:
            exact = [r for r in matches if r.api_version == api_version]
            if not exact:
                group = api_version.rpartition("/")[0]
                exact = [r for r in matches if r.group == group]
            matches = exact or matches
        if not matches:
            self._resources = None  # maybe a CRD created since: discover again once
            matches = [r for r in self.resources() if wanted in r.names()]
        if not matches:
            raise DemoError(f"type de ressource inconnu du cluster: {name}")
        # Core and apps first, as kubectl does for ambiguous short names.
        return sorted(matches, key=lambda r: (r.group not in ("", "apps"), r.group))[0]

    # ------------------------------------------------------------------ objects

    def get(self, resource: Resource, name: str, namespace: str | None = None
            ) -> dict[str, Any] | None:
        """The object, or None if it does not exist."""
        try:
            return self.request("GET", resource.path(namespace, name))
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise ClusterError(f"lecture de {resource.plural}/{name}: {_api_message(exc)}"
                               ) from None

    def apply(self, documents: list[dict[str, Any]], *, namespace: str, field_manager: str,
              warnings: list[str] | None = None) -> list[ObjectRef]:
        """Server-side apply each document (in order); namespaced ones default to `namespace`.
        The server's warnings are appended to `warnings` when given."""
        applied = []
        for doc in documents:
            if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
                raise DemoError("document YAML sans 'apiVersion' ou 'kind'")
            resource = self.resource(doc["kind"], doc["apiVersion"])
            meta = doc.setdefault("metadata", {})
            name = meta.get("name")
            if not name:
                raise DemoError(f"{doc['kind']} sans metadata.name")
            ns = (meta.get("namespace") or namespace) if resource.namespaced else None
            if ns:
                meta["namespace"] = ns
            try:
                result = self.request(
                    "PATCH", resource.path(ns, name), body=json.dumps(doc),
                    content_type="application/apply-patch+yaml",
                    query={"fieldManager": field_manager, "force": "true"},
                    warnings=warnings,
                )
            except ApiException as exc:
                raise DemoError(f"apply de {doc['kind']}/{name} refusé: {_api_message(exc)}"
                                ) from None
            applied.append(_ref(resource, result["metadata"]))
        return applied

    def delete(self, ref: ObjectRef) -> bool:
        """Delete an object (its dependents with it); False if it was already gone."""
        resource = self.resource(ref.plural or ref.kind, ref.api_version)
        try:
            self.request("DELETE", resource.path(ref.namespace, ref.name),
                         body={"propagationPolicy": "Background"})
            return True
        except ApiException as exc:
            if exc.status == 404:
                return False
            raise ClusterError(f"suppression de {ref}: {_api_message(exc)}") from None

    def stop_pods(self, namespace: str, grace_seconds: int = 1) -> None:
        """Ask every pod of `namespace` to stop within `grace_seconds` (a `sleep` run as PID 1
        ignores SIGTERM and would hold a namespace deletion for its whole 30 s grace)."""
        try:
            self.request("DELETE", f"/api/v1/namespaces/{namespace}/pods",
                         body={"gracePeriodSeconds": grace_seconds,
                               "propagationPolicy": "Background"})
        except ApiException as exc:
            if exc.status != 404:
                raise ClusterError(f"arrêt des pods de {namespace}: {_api_message(exc)}") from None

    def empty_namespaces(self, names: list[str], timeout: float = 15.0) -> dict[str, str]:
        """`empty_namespace` of each, at the same time; what failed, by namespace."""

        def empty(name: str) -> str | None:
            try:
                self.empty_namespace(name, timeout)
            except (DiapoError, ApiException, urllib3.exceptions.HTTPError) as exc:
                return str(exc)
            return None

        failed = _parallel(empty, names, workers=len(names) or 1)
        return {name: error for name, error in zip(names, failed) if error}

    def empty_namespace(self, namespace: str, timeout: float = 15.0) -> None:
        """Stop what runs in `namespace` before it is deleted: its controllers first (else
        they start new pods, with a 30 s grace each), then its pods within 1 s, then the
        claims their protection finalizer kept, until none is left (at most `timeout`). The
        namespace controller then removes the rest in one pass, without a retry."""
        for path in _WORKLOAD_PATHS:
            try:  # Orphan: the garbage collector would delete the pods with their own grace
                # (which the kubelet does not shorten later); a controller being deleted no
                # longer starts pods, so the pods are ours to stop.
                self.request("DELETE", path.format(ns=namespace),
                             body={"propagationPolicy": "Orphan"})
            except ApiException as exc:
                if exc.status not in (404, 405):
                    raise ClusterError(f"arrêt des contrôleurs de {namespace}: "
                                       f"{_api_message(exc)}") from None
        deadline = time.monotonic() + timeout
        # Asked again while some are left: a pod a controller started meanwhile goes too.
        for plural in ("pods", "persistentvolumeclaims"):
            path = f"/api/v1/namespaces/{namespace}/{plural}"
            while True:
                try:
                    if plural == "pods":
                        self.stop_pods(namespace)
                    else:
                        self.request("DELETE", path, body={"propagationPolicy": "Background"})
                    left = self.request("GET", path).get("items")
                except ApiException as exc:
                    if exc.status == 404:
                        return
                    raise ClusterError(f"{plural} de {namespace}: {_api_message(exc)}") from None
                if not left or time.monotonic() > deadline:
                    break
                time.sleep(0.2)

    def create_namespace(self, name: str, labels: dict[str, str] | None = None,
                         annotations: dict[str, str] | None = None) -> ObjectRef:
        """Create a namespace (an existing one is an error: runs never share one)."""
        body = {"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": name, "labels": labels or {},
                             "annotations": annotations or {}}}
        try:
            result = self.request("POST", "/api/v1/namespaces", body=body)
        except ApiException as exc:
            raise ClusterError(f"création du namespace {name}: {_api_message(exc)}") from None
        return ObjectRef(result["metadata"]["creationTimestamp"], "Namespace", name,
                         plural="namespaces")

    def namespaces(self, selector: str | None = None) -> list[dict[str, Any]]:
        """The namespaces (raw objects), optionally filtered by a label selector."""
        query = {"labelSelector": selector} if selector else None
        return self.request("GET", "/api/v1/namespaces", query=query).get("items") or []

    def nodes(self) -> list[dict[str, Any]]:
        """The cluster's nodes (raw objects)."""
        return self.request("GET", "/api/v1/nodes").get("items") or []

    def ready_nodes(self) -> list[str]:
        """Names of the nodes whose Ready condition is True."""
        return [n["metadata"]["name"] for n in self.nodes() if is_ready(n)]

    def simulated(self) -> bool:
        """Whether every node is simulated by kwok (no real containers run there)."""
        nodes = self.nodes()
        return bool(nodes) and all(
            KWOK_ANNOTATION in (n["metadata"].get("annotations") or {}) or
            (n["metadata"].get("labels") or {}).get("type") == "kwok"
            for n in nodes
        )

    # ------------------------------------------------------------------ tracking

    def managed_by(self, manager: str | set[str], *, since: str | None = None,
                   skip_namespaces: set[str] | frozenset[str] = frozenset(),
                   on_found: Any = None) -> list[ObjectRef]:
        """Objects (any kind, any namespace) that the field manager `manager` (or any of a
        set of managers) wrote, created at or after `since` (an RFC 3339 server time),
        oldest first. `on_found(refs)` is called with each kind's objects as soon as that
        kind is listed (namespaces first), from a listing thread.

        The time bound keeps objects that existed before and were only modified (a node
        labelled by a demo) out of the list.
        """
        bound = _parse_time(since) if since else None
        managers = {manager} if isinstance(manager, str) else set(manager)
        found: list[ObjectRef] = []
        kinds = sorted((r for r in self.resources()
                        if r.plural not in _NOT_TRACKED and {"list", "delete"} <= set(r.verbs)),
                       key=lambda r: r.plural != "namespaces")

        def list_kind(resource: Resource) -> list[ObjectRef]:
            try:
                listing = self.request("GET", resource.path(), accept=_METADATA_ONLY)
            except (ApiException, ClusterError):
                return []
            refs = []
            for item in (listing.get("items") or []):
                meta = item.get("metadata", {})
                if meta.get("namespace") in skip_namespaces:
                    continue
                if resource.plural == "namespaces" and meta.get("name") in skip_namespaces:
                    continue
                if not any(f.get("manager") in managers for f in meta.get("managedFields") or []):
                    continue
                if bound and _parse_time(meta.get("creationTimestamp")) < bound:
                    continue
                refs.append(_ref(resource, meta))
            if refs and on_found is not None:
                on_found(refs)
            return refs

        # The ~60 lists at once: a Ctrl-C must ask for every deletion within a second.
        for refs in _parallel(list_kind, kinds, workers=16):
            found += refs
        return sorted(found)

    # ------------------------------------------------------------------ waits

    def wait(self, spec: str, *, namespace: str, timeout: float,
             warnings: list[str] | None = None) -> str:
        """Wait through a watch for `KIND/NAME CONDITION` (e.g. `deployment/whoami Available`).

        CONDITION is a condition type that must be True, a `status.phase` (`Running`,
        `Succeeded`), or `Deleted`. Returns a one-line description of what was seen; raises
        `DemoError` on timeout or when the object reports a failure first. The server's
        warnings (a deprecated kind) are appended to `warnings` when given, once each.
        """
        target, _, condition = spec.strip().partition(" ")
        kind, _, name = target.partition("/")
        condition = condition.strip() or "Ready"
        if not name:
            raise DemoError(f"wait='{spec}': attendu TYPE/NOM CONDITION")
        resource = self.resource(kind)
        ns = namespace if resource.namespaced else None
        deadline = time.monotonic() + timeout
        last: dict[str, Any] | None = None
        while True:
            seen: list[str] = []
            listing = self.request("GET", resource.path(ns), warnings=seen,
                                   query={"fieldSelector": f"metadata.name={name}"})
            if warnings is not None:
                warnings.extend(w for w in seen if w not in warnings)
            items = (listing.get("items") or [])
            last = items[0] if items else None
            verdict = _verdict(last, condition)
            if verdict is not None:
                return _finish(verdict, spec, last)
            version = listing["metadata"]["resourceVersion"]
            # Watch from that version: no event is missed between the list and the watch.
            while (remaining := deadline - time.monotonic()) > 0:
                response = self.request(
                    "GET", resource.path(ns), stream=True,
                    timeout=(PROBE_TIMEOUT, remaining + 5),
                    query={"watch": "1", "fieldSelector": f"metadata.name={name}",
                           "resourceVersion": version,
                           "timeoutSeconds": str(max(1, int(remaining + 0.999)))},
                )
                try:
                    for line in _lines(response):
                        event = json.loads(line)
                        if event.get("type") == "ERROR":  # e.g. 410 Gone: list again
                            version = None
                            break
                        obj = event.get("object", {})
                        version = obj.get("metadata", {}).get("resourceVersion", version)
                        last = None if event["type"] == "DELETED" else obj
                        verdict = _verdict(last, condition)
                        if verdict is not None:
                            return _finish(verdict, spec, last)
                        if time.monotonic() > deadline:
                            break
                finally:
                    response.close()
                    response.release_conn()
                if version is None:
                    break
            else:
                state = _describe_state(last)
                raise DemoError(f"wait='{spec}': pas atteint en {timeout:g} s ({state})")


# Controllers that start pods, emptied before a namespace's pods are stopped.
_WORKLOAD_PATHS = tuple(
    f"/apis/{group}/namespaces/{{ns}}/{plural}" for group, plural in (
        ("apps/v1", "deployments"), ("apps/v1", "statefulsets"), ("apps/v1", "daemonsets"),
        ("apps/v1", "replicasets"), ("batch/v1", "cronjobs"), ("batch/v1", "jobs"))
) + ("/api/v1/namespaces/{ns}/replicationcontrollers",)


# ---------------------------------------------------------------------- helpers


def _lines(response: Any) -> Iterator[str]:
    """The watch stream's lines; a dropped or silent stream just ends (the caller re-lists)."""
    try:
        yield from iter_resp_lines(response)
    except (urllib3.exceptions.HTTPError, OSError):
        return


def _ref(resource: Resource, meta: dict[str, Any]) -> ObjectRef:
    return ObjectRef(meta.get("creationTimestamp") or "", resource.kind, meta["name"],
                     meta.get("namespace"), resource.api_version, resource.plural)


def _condition(obj: dict[str, Any], kind: str) -> str | None:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type", "").lower() == kind.lower():
            return cond.get("status")
    return None


def _verdict(obj: dict[str, Any] | None, condition: str) -> bool | None:
    """True: reached; False: failed for good; None: keep waiting."""
    if condition.lower() in ("deleted", "delete"):
        return True if obj is None else None
    if obj is None:
        return None
    if _condition(obj, condition) == "True":
        return True
    phase = (obj.get("status") or {}).get("phase")
    if phase and phase.lower() == condition.lower():
        return True
    if phase == "Failed" or any(_condition(obj, f) == "True" for f in _FAILED
                                if f.lower() != condition.lower()):
        return False
    return None


def _finish(ok: bool, spec: str, obj: dict[str, Any] | None) -> str:
    if not ok:
        raise DemoError(f"wait='{spec}': échec ({_describe_state(obj)})")
    return f"{spec}: atteint"


def _describe_state(obj: dict[str, Any] | None) -> str:
    if obj is None:
        return "l'objet n'existe pas"
    status = obj.get("status") or {}
    parts = [f"phase {status['phase']}"] if status.get("phase") else []
    for cond in status.get("conditions") or []:
        text = f"{cond.get('type')}={cond.get('status')}"
        if cond.get("reason"):
            text += f" ({cond['reason']})"
        parts.append(text)
    return ", ".join(parts) or "aucune condition"


def _parse_time(value: str | None) -> datetime:
    return datetime.fromisoformat((value or "1970-01-01T00:00:00Z").replace("Z", "+00:00"))


def _api_message(exc: ApiException) -> str:
    try:
        return json.loads(exc.body).get("message")  # type: ignore[arg-type]  # None: TypeError or f"{exc.status} {exc.reason}"
    except (TypeError, ValueError):
        return f"{exc.status} {exc.reason}"


def _short(exc: Exception) -> str:
    text = str(exc)
    reason = getattr(exc, "reason", None)
    if reason is not None:
        text = str(reason)
    return text.splitlines()[0][:200] if text else type(exc).__name__


def warning_messages(headers: Any) -> list[str]:
    """The texts of HTTP `Warning` headers (`299 - "message"`, RFC 7234) as the API sends."""
    values = headers.getlist("Warning") if hasattr(headers, "getlist") else (
        [headers["Warning"]] if headers and "Warning" in headers else [])
    messages = []
    for value in values:
        match = re.fullmatch(r'\s*\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)".*', value)
        messages.append(match.group(1).replace('\\"', '"') if match else value.strip())
    return messages


def _parallel(fn: Any, items: list[Any], *, workers: int) -> list[Any]:
    """`[fn(x) for x in items]` on up to `workers` daemon threads (an interpreter exiting
    after a Ctrl-C does not wait for them, unlike a ThreadPoolExecutor's)."""
    results: list[Any] = [None] * len(items)
    todo = iter(range(len(items)))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                index = next(todo, None)
            if index is None:
                return
            results[index] = fn(items[index])

    threads = [threading.Thread(target=work, daemon=True) for _ in range(min(workers,
                                                                              len(items)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
