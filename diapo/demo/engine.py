"""The demo engine: one run of one deck, shared by `invoke verify` and the lecture mode.

A `DeckRun` owns a work directory (the deck's `demos/<deck>/` files and its `file=` blocks),
one shell session (`diapo.demo.session`) and, in verification ("ci" mode), a namespace of its
own reached through a temporary kubeconfig whose context defaults to it.

What the demos create outside that namespace is found through the field manager: `kubectl`
on the session's PATH is a thin wrapper that adds `--field-manager=<the run's>` to the
commands that write objects (create, apply, run, expose, label, ...), and `apply` blocks use
the same manager. Cleanup lists the objects carrying it, created since the run began, and
deletes them in reverse order of creation, then the run's namespace; it runs on failure and
on Ctrl-C too. In the lecture ("live") mode the manager is fixed per deck, so `reset()` can
remove what the deck created, even from another process, at any later time.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from kubernetes.client.rest import ApiException

from diapo.cluster.client import Cluster, ObjectRef, write_kubeconfig
from diapo.cluster.ready import is_ready
from diapo.config import DiapoConfig
from diapo.deck.model import Deck, Demo, DemoKind, Expect
from diapo.demo import match as match_mod, probe
from diapo.demo.report import FAILED, PASSED, SKIPPED, WARNED, DemoResult
from diapo.demo.session import Session
from diapo.errors import DeckError, DiapoError
from diapo.project import Project

CI, LIVE = "ci", "live"
INTERRUPTED = "interrompue (Ctrl-C)"  # the reason of a step the lecturer stopped
MANAGED_BY = {"app.kubernetes.io/managed-by": "diapo"}
OWNER_ANNOTATION = "diapo/owner"  # "<host>/<pid>" of the process that runs the deck
DELETE_TIMEOUT = 60.0  # seconds to wait for deleted namespaces to be gone
REPORT_LINES = 500  # lines of a step's output kept in its result (the tail)
DIAGNOSTIC_TIMEOUT = 10.0  # seconds for each `kubectl` diagnostic command
LIVE_MARGIN = timedelta(seconds=60)  # clock skew allowance for the lecture's start time
# What kubectl prints for each warning of the API server (k8s.io/client-go WarningHandler).
WARNING_LINE = re.compile(r"^Warning: (.+?)[ \t]*$", re.M)
_WARNING_LINES = re.compile(r"^Warning: .*(?:\n|$)", re.M)
# kubectl commands that write objects and accept --field-manager.
_WRITERS = "apply|create|run|expose|label|annotate|patch|replace|set|autoscale|edit|taint"
# Global kubectl flags that take their value as the next argument.
_VALUE_FLAGS = ("-n|--namespace|--context|--kubeconfig|-s|--server|--cluster|--user|--token|"
                "--as|--as-group|--as-uid|--request-timeout|--cache-dir|--certificate-authority|"
                "--client-certificate|--client-key|--tls-server-name|--username|--password|"
                "--profile|--profile-output|-v|--v|--vmodule|--log-file|--log-dir")
KUBECTL_WRAPPER = r"""#!/bin/bash
# diapo: kubectl with the demo run's --field-manager, so that cleanup finds what it created.
__real=%(real)s
__args=("$@"); __i=0; __n=${#__args[@]}
while (( __i < __n )); do
  case ${__args[__i]} in
    %(value_flags)s) __i=$((__i + 2));;
    -*) __i=$((__i + 1));;
    *) break;;
  esac
done
if (( __i < __n )) && [[ -n $DIAPO_FIELD_MANAGER ]]; then
  case "${__args[__i]} ${__args[__i+1]-}" in
    "apply view-last-applied"|"apply edit-last-applied"|"apply set-last-applied") ;;
    %(writers_glob)s)
      case " $* " in *" --field-manager"*) ;; *)
        # Before a `--` (which starts the container command of `run` / `create`).
        __j=$__i
        while (( __j < __n )) && [[ ${__args[__j]} != -- ]]; do __j=$((__j + 1)); done
        __args=("${__args[@]:0:__j}" "--field-manager=$DIAPO_FIELD_MANAGER" "${__args[@]:__j}");;
      esac;;
  esac
fi
exec "$__real" "${__args[@]}"
"""


@dataclass(frozen=True)
class RunOptions:
    """How one deck runs: its mode, its cluster, and what `verify` asked to keep or rewrite."""

    mode: str = CI  # CI (its own namespace, removed after) or LIVE (where the slides say)
    kubeconfig: str | None = None  # None: $KUBECONFIG or ~/.kube/config
    context: str | None = None  # None: the kubeconfig's current context
    keep: bool = False  # leave the namespace and the work directory (debugging)
    update: bool = False  # a differing `expect` passes; its new text goes to `updates`
    simulated: bool | None = None  # kwok's nodes; None: asked of the cluster


class DeckRun:
    """One run of one deck: work dir, one shell session, isolation, cleanup (context manager).

    `mode` is "ci" (verification: a namespace of its own, everything it created removed at
    the end unless `keep`) or "live" (the lecture: steps run where the slides say; `reset()`
    removes what they created). With `update`, a step whose output differs from its `expect`
    block passes and the new output is collected in `updates` (for `verify --update`).
    """

    def __init__(self, deck: Deck, options: RunOptions | None = None,
                 project: Project | None = None):
        options = options or RunOptions()
        if options.mode not in (CI, LIVE):
            raise ValueError(f"mode must be {CI!r} or {LIVE!r}, not {options.mode!r}")
        self.deck = deck
        self.mode = options.mode
        self.keep = options.keep
        self.update = options.update
        self._kubeconfig = options.kubeconfig
        self._context = options.context
        self._simulated = options.simulated
        self.project = project or Project.find()
        self.run_id = _run_id()
        self.namespace: str | None = None  # where steps run (ci: the run's own namespace)
        self.cluster: Cluster | None = None
        self.cluster_version: str = ""
        self.base_dir: Path | None = None  # holds work/ and the session's private state
        self.work_dir: Path | None = None
        self.kubeconfig_path: Path | None = None  # the temporary one the steps use
        self.field_manager = live_manager(deck) if self.mode == LIVE else f"diapo-{self.run_id}"
        self.created: list[ObjectRef] = []  # what `apply` blocks created, in order
        self.updates: list[tuple[Expect, str]] = []  # (expect block, actual output)
        self.cleanup_errors: list[str] = []
        self._run_ns: ObjectRef | None = None
        self._session: Session | None = None
        self._interrupted = threading.Event()

    # ------------------------------------------------------------------ lifecycle

    @property
    def config(self) -> DiapoConfig:
        return self.project.config

    @property
    def root(self) -> Path:
        return self.project.root

    def __enter__(self) -> DeckRun:
        try:
            self._setup()
        except BaseException:
            self._cleanup()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        shield = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if shield else None
        try:
            self._cleanup()
        finally:
            if shield:
                signal.signal(signal.SIGINT, previous)

    def _setup(self) -> None:
        config = self.config
        slug = deck_slug(self.deck.name)
        self.base_dir = Path(tempfile.mkdtemp(prefix=f"diapo-{slug[:30]}-{self.run_id}-"))
        self.work_dir = self.base_dir / "work"
        self.work_dir.mkdir()
        self._write_files(config)
        state_dir = self.base_dir / "session"
        env = dict(os.environ)
        needs_cluster = any(d.kind in (DemoKind.RUN, DemoKind.APPLY) for d in self.deck.demos)
        if needs_cluster:
            self.cluster = Cluster(self._kubeconfig, self._context)
            self.cluster_version = self.cluster.probe()
            if self.mode == CI:
                name = run_namespace(self.deck.name, self.run_id)
                self._run_ns = self.cluster.create_namespace(
                    name, {**MANAGED_BY, "diapo/deck": slug[:63].strip("-"),
                           "diapo/run": self.run_id},
                    {OWNER_ANNOTATION: f"{socket.gethostname()}/{os.getpid()}"})
                self.namespace = name
                self.cluster.resources()  # discovery now: a Ctrl-C's cleanup cannot wait
            else:
                self.namespace = self.cluster.namespace
                _remember_live_start(self.root, self.deck)
            config_copy = dict(self.cluster.config)
            config_copy["contexts"] = [
                {"name": self.cluster.context,
                 "context": {**self.cluster.config["contexts"][0]["context"],
                             "namespace": self.namespace}}
            ]
            self.kubeconfig_path = write_kubeconfig(config_copy, self.base_dir / "kubeconfig")
            env["KUBECONFIG"] = str(self.kubeconfig_path)
            env["DIAPO_FIELD_MANAGER"] = self.field_manager
            env["DIAPO_NAMESPACE"] = self.namespace
        self._session = Session(self.work_dir, state_dir, env)
        real = kubectl_for(self.cluster_version)
        if real and needs_cluster:
            wrapper = state_dir / "bin" / "kubectl"
            wrapper.write_text(KUBECTL_WRAPPER % {
                "real": _shell_quote(real), "value_flags": _VALUE_FLAGS,
                "writers_glob": "|".join(f'"{w} "*' for w in _WRITERS.split("|")),
            }, encoding="utf-8")
            wrapper.chmod(0o755)

    def _write_files(self, config: DiapoConfig) -> None:
        """demos/<deck>/ first, then the deck's `file=` blocks (which win)."""
        assert self.work_dir is not None
        source = self.root / config.demos_dir / self.deck.name
        if source.is_dir():
            shutil.copytree(source, self.work_dir, dirs_exist_ok=True)
        for demo in self.deck.demos:
            if demo.kind is not DemoKind.FILE or not demo.path:
                continue
            target = (self.work_dir / demo.path).resolve()
            if not target.is_relative_to(self.work_dir.resolve()):
                raise DeckError(f"file={demo.path}: chemin hors du répertoire de travail",
                                demo.location)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(demo.code if demo.code.endswith("\n") or not demo.code
                              else demo.code + "\n", encoding="utf-8")

    def _cleanup(self) -> None:
        """Undo the run in reverse order: background processes, objects, namespace, files."""
        if self._session is not None:
            self._session.close()
        if self.keep:
            return
        # After a Ctrl-C, the interrupter asks for the deletions of every run at once.
        if self.mode == CI and self.cluster is not None and self._run_ns is not None \
                and not self._interrupted.is_set():
            self._delete_created()
        if self.cluster is not None:
            self.cluster.close()
        if self.base_dir is not None:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def stop_now(self) -> None:
        """Ctrl-C in verification: stop this run's processes and remove its files at once;
        the interrupter asks for the deletion of its objects (`verify._ask_deletions`)."""
        self._interrupted.set()
        if self._session is not None:
            self._session.close()
        if not self.keep and self.base_dir is not None:  # the process exits right after
            shutil.rmtree(self.base_dir, ignore_errors=True)

    @property
    def run_namespace(self) -> ObjectRef | None:
        """The run's own namespace (verification), once created."""
        return self._run_ns

    def _delete_created(self) -> None:
        assert self.cluster is not None and self._run_ns is not None
        try:
            tracked = self.cluster.managed_by(self.field_manager, since=self._run_ns.created,
                                              skip_namespaces={self._run_ns.name})
        except (DiapoError, ApiException) as exc:  # still delete what is known
            self.cleanup_errors.append(f"objets créés hors du namespace: {exc}")
            tracked = []
        objects = sorted(set(tracked) | {r for r in self.created
                                         if r.namespace != self._run_ns.name})
        gone: list[ObjectRef] = []
        # The run is over: no pod needs a graceful stop. All namespaces at once, since the
        # namespace controller waits 5 s before it deletes one: those waits overlap too.
        names = [r.name for r in [self._run_ns, *objects] if r.kind == "Namespace"]
        for name, error in self.cluster.empty_namespaces(names).items():
            self.cleanup_errors.append(f"arrêt des pods de namespace/{name}: {error}")
        for ref in reversed([self._run_ns, *objects]):
            try:
                if self.cluster.delete(ref) and ref.kind == "Namespace":
                    gone.append(ref)
            except (DiapoError, ApiException) as exc:
                self.cleanup_errors.append(f"suppression de {ref}: {exc}")
        for ref in gone:  # deleting a namespace is asynchronous: wait until it is gone
            try:
                self.cluster.wait(f"namespace/{ref.name} Deleted", namespace="",
                                  timeout=DELETE_TIMEOUT)
            except (DiapoError, ApiException) as exc:
                self.cleanup_errors.append(str(exc))

    # ------------------------------------------------------------------ steps

    @property
    def simulated(self) -> bool:
        """Whether the cluster's nodes are simulated (kwok): `needs=node` steps are skipped."""
        if self._simulated is None:
            self._simulated = bool(self.cluster and self.cluster.simulated())
        return self._simulated

    def skip_reason(self, demo: Demo) -> str | None:
        """Why this step is not run in this mode on this cluster (None: it runs)."""
        if demo.only == "live" and self.mode == CI:
            if demo.interactive:
                return "interactive: il faut une personne au clavier (only=live)"
            return "réservée au cours (only=live)"
        if demo.only == "ci" and self.mode == LIVE:
            return "réservée à la vérification (only=ci)"
        if demo.needs == "node" and self.simulated:
            return "nécessite de vrais conteneurs (needs=node), cluster simulé"
        return None

    def run_step(self, demo: Demo, *, on_output: Callable[[bytes], None] | None = None,
                 pty: bool = False) -> DemoResult:
        """Run one demo step and judge it: exit code, `expect` block, `wait=` conditions."""
        result = DemoResult(id=demo.id, slide=demo.slide, line=demo.location.line,
                            kind=demo.kind.value, status=PASSED, command=demo.code)
        reason = self.skip_reason(demo)
        if reason:
            result.status, result.reason = SKIPPED, reason
            return result
        started = time.monotonic()
        waits: list[str] = []
        try:
            if demo.kind is DemoKind.RUN:
                self._run_shell(demo, result, on_output, pty)
            elif demo.kind is DemoKind.APPLY:
                self._run_apply(demo, result, on_output)
            if result.status == PASSED:
                for spec in demo.wait:
                    waits.append(spec)
                    self._wait(spec, result.warnings)
        except DiapoError as exc:  # a cluster or demo problem, or a bad block (regex, YAML)
            where_ = f" ({exc.location})" if isinstance(exc, DeckError) and exc.location else ""
            result.status, result.reason = FAILED, exc.message + where_
        except ApiException as exc:
            result.status, result.reason = FAILED, f"API Kubernetes: {exc.status} {exc.reason}"
        self._judge_warnings(demo, result)
        result.duration = round(time.monotonic() - started, 3)
        if result.status == FAILED and not self._interrupted.is_set():
            result.diagnostics = self.diagnostics(demo, result, waits)
        result.output = _tail(result.output, REPORT_LINES) if result.output else ""
        return result

    def _judge_warnings(self, demo: Demo, result: DemoResult) -> None:
        """In verification, a passing step with a warning its fence does not accept
        (`warn="..."`) is "avertissement": its proof must say so."""
        if self.mode != CI or result.status != PASSED:
            return
        unexpected = [w for w in result.warnings if not any(a in w for a in demo.warn)]
        if unexpected:
            result.status = WARNED
            more = f" (et {len(unexpected) - 1} autre(s))" if len(unexpected) > 1 else ""
            result.reason = f"avertissement : {unexpected[0]}{more}"

    def interrupt(self) -> None:
        """SIGINT to the running step's process group only (the lecturer's Ctrl-C)."""
        self._interrupted.set()
        if self._session is not None:
            self._session.interrupt()

    def _run_shell(self, demo: Demo, result: DemoResult,
                   on_output: Callable[[bytes], None] | None, pty: bool) -> None:
        assert self._session is not None
        timeout = demo.timeout or self.config.timeout
        stdin = None
        if demo.interactive and self.mode == CI:
            pty = False  # verification: stdin closed, or the scripted `input=` file
            if demo.input:
                stdin = self._input_file(demo)
        outcome = self._session.run(demo.code, timeout=timeout, on_output=on_output, pty=pty,
                                    interactive=demo.interactive, stdin=stdin)
        result.output = match_mod.clean_output(outcome.output)
        result.warnings = WARNING_LINE.findall(result.output)
        result.exit_code = outcome.exit_code
        if outcome.timed_out:
            result.status = FAILED
            result.reason = f"délai dépassé ({timeout:g} s): processus arrêtés"
        elif outcome.interrupted:
            result.status, result.reason = FAILED, INTERRUPTED
        elif outcome.exit_code != demo.exit:
            result.status = FAILED
            result.reason = f"code de sortie {outcome.exit_code}, attendu {demo.exit}"
        elif demo.expect is not None:
            self._check_expect(demo.expect, result)

    def _input_file(self, demo: Demo) -> Path:
        """The `input=` file of an interactive step, in the run's work directory."""
        assert self.work_dir is not None and demo.input
        path = (self.work_dir / demo.input).resolve()
        if not path.is_relative_to(self.work_dir.resolve()) or not path.is_file():
            raise DeckError(f"input={demo.input}: fichier introuvable (ni dans demos/"
                            f"{self.deck.name}/ ni écrit par un bloc file=)", demo.location)
        return path

    @property
    def session(self) -> Session | None:
        """The run's shell session (keys, window size and the `!` shell of the lecture)."""
        return self._session

    def shell(self, *, on_output: Callable[[bytes], None] | None = None,
              timeout: float = 3600) -> int:
        """The lecturer's `!`: a free interactive shell in the session's namespace and work
        directory, on the session's pty, until `exit`; returns its exit code."""
        assert self._session is not None
        outcome = self._session.run("", timeout=timeout, on_output=on_output, pty=True,
                                    interactive=True, shell=True)
        return outcome.exit_code

    def _check_expect(self, expect: Expect, result: DemoResult) -> None:
        # Warnings are judged on their own (warn=): not part of the expected output, unless
        # the lecturer wrote them in the expect block.
        output = result.output
        if result.warnings and "Warning:" not in expect.text:
            output = _WARNING_LINES.sub("", output)
        verdict = match_mod.match(expect, output)
        if verdict.ok:
            return
        new_text = match_mod.updated_text(expect, output) if self.update else None
        if new_text is not None:
            self.updates.append((expect, new_text))
            result.reason = "bloc expect mis à jour"
            return
        result.status, result.diff = FAILED, verdict.diff
        result.reason = f"sortie différente du bloc expect (match={expect.match})"

    def _run_apply(self, demo: Demo, result: DemoResult,
                   on_output: Callable[[bytes], None] | None) -> None:
        assert self.cluster is not None and self.namespace is not None
        try:
            documents = [d for d in yaml.safe_load_all(demo.code) if d is not None]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = demo.location.line + 1 + (mark.line if mark else 0)
            raise DeckError(f"YAML invalide: {getattr(exc, 'problem', exc)}",
                            type(demo.location)(demo.location.path, line)) from None
        refs = self.cluster.apply(documents, namespace=self.namespace,
                                  field_manager=self.field_manager, warnings=result.warnings)
        self.created.extend(refs)
        lines = [f"{r.kind.lower()}/{r.name} serverside-applied" for r in refs]
        result.output = "\n".join(lines) + ("\n" if lines else "")
        result.exit_code = 0
        if on_output is not None:
            on_output(result.output.encode())
        if demo.expect is not None:
            self._check_expect(demo.expect, result)

    def _wait(self, spec: str, warnings: list[str]) -> None:
        if probe.is_url(spec):  # on simulated nodes nothing serves it: like needs=node
            if not self.simulated:
                probe.wait_http(spec, timeout=self.config.wait_timeout)
            return
        assert self.cluster is not None and self.namespace is not None
        self.cluster.wait(spec, namespace=self.namespace, timeout=self.config.wait_timeout,
                          warnings=warnings)

    # ------------------------------------------------------------------ diagnostics

    def diagnostics(self, demo: Demo, result: DemoResult, waits: list[str]) -> str:
        """What a lecturer needs to fix a failed step: where, what ran, why, and the
        namespace's events plus a `describe` of the objects that are not healthy."""
        parts = [f"{where(demo, self.root)} (diapo {demo.slide}, démo {demo.id})",
                 f"$ {demo.code.strip()}"]
        if result.reason:
            parts.append(f"échec: {result.reason}")
        if result.diff:
            parts.append(result.diff)
        if self.cluster is None or self.kubeconfig_path is None or self.namespace is None:
            return "\n".join(parts)
        events = self._kubectl("get", "events", "--sort-by=.lastTimestamp")
        if events.strip():
            parts += [f"événements du namespace {self.namespace}:", events.rstrip()]
        for target in [w.split()[0] for w in waits if not probe.is_url(w)] + self._unhealthy():
            described = self._kubectl("describe", target)
            if described.strip():
                parts += [f"kubectl describe {target}:", _tail(described.rstrip(), 60)]
        return "\n".join(parts)

    def _unhealthy(self) -> list[str]:
        """Pods of the namespace that are neither running ready nor done."""
        listing = self._kubectl("get", "pods", "-o", "json")
        try:
            pods = json.loads(listing).get("items", [])
        except ValueError:
            return []
        bad = []
        for pod in pods:
            status = pod.get("status") or {}
            if status.get("phase") != "Succeeded" and not is_ready(pod):
                bad.append(f"pod/{pod['metadata']['name']}")
        return bad[:5]

    def _kubectl(self, *args: str) -> str:
        real = kubectl_for(self.cluster_version)
        if not real:
            return ""
        try:
            done = subprocess.run(
                [real, "--kubeconfig", str(self.kubeconfig_path), "-n", str(self.namespace),
                 *args], capture_output=True, text=True, timeout=DIAGNOSTIC_TIMEOUT,
            )
        except (subprocess.TimeoutExpired, OSError):
            return ""
        return done.stdout if done.returncode == 0 else ""


def kubectl_for(server_version: str) -> str | None:
    """The kubectl the steps use: the one diapo built for the server's version (cached with
    its control plane, same minor: within the supported skew), else the one on PATH."""
    from diapo.cluster import binaries

    built = binaries.kubectl_for(server_version.strip()) if server_version.strip() else None
    return str(built) if built else shutil.which("kubectl")


# ---------------------------------------------------------------------- orphans


def remove_orphans(cluster: Cluster) -> list[str]:
    """Clean up after runs whose process died without cleaning (SIGKILL, crash, power cut).

    A run namespace is an orphan when its owner annotation names this host and a process that
    no longer exists; its namespace and what its field manager created elsewhere are deleted.
    Runs of other machines are left alone (their owner may be alive). Returns what was removed.
    """
    host = socket.gethostname()
    removed: list[str] = []
    selector = ",".join(f"{k}={v}" for k, v in MANAGED_BY.items()) + ",diapo/run"
    for namespace in cluster.namespaces(selector):
        meta = namespace["metadata"]
        owner = (meta.get("annotations") or {}).get(OWNER_ANNOTATION, "")
        owner_host, _, pid = owner.rpartition("/")
        if owner_host != host or not pid.isdigit() or _alive(int(pid)) or \
                namespace.get("status", {}).get("phase") == "Terminating":
            continue
        run_ns = ObjectRef(meta["creationTimestamp"], "Namespace", meta["name"],
                           plural="namespaces")
        tracked = cluster.managed_by(f"diapo-{meta['labels']['diapo/run']}",
                                     since=run_ns.created, skip_namespaces={run_ns.name})
        for ref in reversed([run_ns, *tracked]):
            if cluster.delete(ref):
                removed.append(str(ref))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ---------------------------------------------------------------------- lecture reset


def live_manager(deck: Deck) -> str:
    """The field manager of a deck's demos in the lecture mode (stable across runs)."""
    return f"diapo-live-{deck_slug(deck.name)}"[:128]


def reset(deck: Deck, project: Project, *, kubeconfig: str | None = None,
          context: str | None = None) -> list[str]:
    """Remove what the deck's demos created in the lecture mode; returns what was deleted.

    Objects are those written by the deck's live field manager and created since the first
    lecture run not yet reset (with a margin for clock skew), newest first.
    """
    root = project.root
    cluster = Cluster(kubeconfig, context)
    try:
        cluster.probe()
        since = _live_start(root, deck)
        objects = cluster.managed_by(live_manager(deck), since=since)
        removed = [str(ref) for ref in reversed(objects) if cluster.delete(ref)]
    finally:
        cluster.close()
    _live_state(root, deck).unlink(missing_ok=True)
    return removed


def _live_state(root: Path, deck: Deck) -> Path:
    return root / ".diapo" / "live" / f"{deck_slug(deck.name)}.json"


def _remember_live_start(root: Path, deck: Deck) -> None:
    path = _live_state(root, deck)
    if path.is_file():
        return  # keep the first start: everything since then belongs to the deck
    path.parent.mkdir(parents=True, exist_ok=True)
    start = datetime.now(UTC) - LIVE_MARGIN
    path.write_text(json.dumps({"deck": deck.name, "since": start.strftime(
        "%Y-%m-%dT%H:%M:%SZ")}) + "\n", encoding="utf-8")


def _live_start(root: Path, deck: Deck) -> str | None:
    try:
        return json.loads(_live_state(root, deck).read_text(encoding="utf-8"))["since"]
    except (OSError, ValueError, KeyError):
        return None


# ---------------------------------------------------------------------- names


def deck_slug(name: str) -> str:
    """A deck name as a DNS label part (`annexe/k8s/stockage` -> `annexe-k8s-stockage`)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "deck"


def run_namespace(deck_name: str, run_id: str) -> str:
    """`diapo-<deck>-<run>`, within the 63 characters of a namespace name."""
    slug = deck_slug(deck_name)[: 63 - len("diapo--") - len(run_id)].strip("-")
    return f"diapo-{slug}-{run_id}"


def where(demo: Demo, root: Path | None = None) -> str:
    """`file:line` of a demo, the file relative to the project root (or cwd) when inside it."""
    path = Path(demo.location.path)
    for base in (root, Path.cwd()):
        if base is not None:
            try:
                return f"{path.resolve().relative_to(base.resolve())}:{demo.location.line}"
            except ValueError:
                pass
    return str(demo.location)


def _run_id() -> str:
    alphabet = "bcdfghjklmnpqrstvwxz2456789"  # no vowels: no words in generated names
    return "".join(secrets.choice(alphabet) for _ in range(5))


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _tail(text: str, lines: int) -> str:
    kept = text.split("\n")
    return text if len(kept) <= lines else "\n".join(["[...]", *kept[-lines:]])
