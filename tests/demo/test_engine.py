"""The engine against the real local control plane and the real kubectl."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from diapo.cluster.client import Cluster
from diapo.deck.model import DemoKind
from diapo.demo import engine
from diapo.demo.engine import DeckRun, RunOptions
from diapo.demo.report import FAILED, PASSED, SKIPPED
from diapo.project import Project
from tests.demo.conftest import write_project
from tests.demo.decks import Step, write_deck

pytestmark = pytest.mark.cluster

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: traefik/whoami}]
"""


def deck_run(project: Path, cluster, deck, **options) -> DeckRun:
    return DeckRun(deck, RunOptions(kubeconfig=str(cluster.kubeconfig), context=cluster.context,
                                    **options), Project(project))


def run_all(run: DeckRun) -> list:
    return [run.run_step(demo) for demo in run.deck.demos]


def test_session_state_exit_codes_and_expect(project: Path, cluster):
    deck = write_deck(project / "docs", "bases", [[
        Step('NOM=monde; mkdir -p rep && cd rep'),
        Step('echo "bonjour $NOM"; basename "$PWD"', expect="bonjour monde\nrep"),
        Step("kubectl get configmap absente", exit=1,
             expect='Error from server (NotFound): configmaps "absente" not found'),
        Step("echo un; false; echo deux"),
    ]])
    with deck_run(project, cluster, deck) as run:
        results = run_all(run)
    assert [r.status for r in results] == [PASSED, PASSED, PASSED, FAILED]
    assert results[3].exit_code == 1
    assert results[3].output == "un\n"
    assert results[3].reason == "code de sortie 1, attendu 0"


def test_expect_mismatch_reports_diff_and_diagnostics(project: Path, cluster):
    deck = write_deck(project / "docs", "diff", [[
        Step("kubectl create configmap reglages --from-literal=mode=prod -o name",
             expect="configmap/parametres"),
    ]])
    with deck_run(project, cluster, deck) as run:
        (result,) = run_all(run)
    assert result.status == FAILED
    assert result.diff.splitlines()[2:] == ["@@ ligne 1 de la sortie @@",
                                            "-configmap/parametres", "+configmap/reglages"]
    assert result.diagnostics.startswith("docs/diff.md:7 (diapo 1, démo 1-1)\n$ kubectl create")


def test_bad_blocks_fail_their_step_with_file_and_line(project: Path, cluster):
    deck = write_deck(project / "docs", "mauvais", [[
        Step("echo x", match="regex", expect="(non fermée"),
        Step("kind: ConfigMap\nmetadata: [oups\n", kind=DemoKind.APPLY),
    ]])
    with deck_run(project, cluster, deck) as run:
        regex, yaml_block = run_all(run)
    assert regex.status == yaml_block.status == FAILED
    assert regex.reason.startswith("expression régulière invalide dans expect")
    assert regex.reason.endswith(f"({deck.demos[0].expect.location})")
    assert yaml_block.reason.startswith("YAML invalide")
    assert f"mauvais.md:{deck.demos[1].location.line + 3}" in yaml_block.reason


def test_file_blocks_and_demo_files_then_kubectl_apply(project: Path, cluster, kube: Cluster):
    (project / "demos" / "fichiers").mkdir(parents=True)
    (project / "demos" / "fichiers" / "lisez-moi.txt").write_text("copié\n")
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: depuis-fichier\n" \
               "data:\n  cle: valeur\n"
    deck = write_deck(project / "docs", "fichiers", [[
        Step(manifest, kind=DemoKind.FILE, path="manifests/cm.yaml"),
        Step("cat lisez-moi.txt\nkubectl apply -f manifests/cm.yaml",
             expect="copié\nconfigmap/depuis-fichier created"),
        Step("kubectl get configmap depuis-fichier -o jsonpath='{.data.cle}'", expect="valeur"),
    ]])
    with deck_run(project, cluster, deck) as run:
        results = run_all(run)
        namespace = run.namespace
    assert [r.status for r in results] == [PASSED] * 3, [r.diagnostics for r in results]
    assert kube.get(kube.resource("namespaces"), namespace) is None


def test_apply_block_with_waits_and_table_expect(project: Path, cluster):
    job = ("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: pi\nspec:\n  template:\n"
           "    spec:\n      restartPolicy: Never\n"
           "      containers: [{name: pi, image: perl, command: [perl, -e, '1']}]\n")
    deck = write_deck(project / "docs", "apply", [[
        Step(DEPLOYMENT, kind=DemoKind.APPLY, wait=["deployment/web Available"],
             expect="deployment/web serverside-applied"),
        Step("kubectl get pods -l app=web", match="table", expect=(
            "NAME                   READY   STATUS    RESTARTS   AGE\n"
            "web-7c5ddbdf54-4xkzj   1/1     Running   0          10s\n"
            "web-7c5ddbdf54-9qv2z   1/1     Running   0          10s")),
        Step(job, kind=DemoKind.APPLY, wait=["job/pi Complete"]),
    ]])
    with deck_run(project, cluster, deck) as run:
        results = run_all(run)
    assert [r.status for r in results] == [PASSED] * 3, [r.diagnostics for r in results]


def test_wait_timeout_fails_with_events_and_describe(tmp_path: Path, cluster):
    project = write_project(tmp_path / "p", wait_timeout=3)
    stuck = DEPLOYMENT.replace("      containers:",
                               "      nodeSelector: {disque: inexistant}\n      containers:")
    deck = write_deck(project / "docs", "bloque", [[
        Step(stuck, kind=DemoKind.APPLY, wait=["deployment/web Available"]),
    ]])
    started = time.monotonic()
    with deck_run(project, cluster, deck) as run:
        (result,) = run_all(run)
    assert result.status == FAILED
    assert time.monotonic() - started < 30
    assert "wait='deployment/web Available': pas atteint en 3 s" in result.reason
    assert "FailedScheduling" in result.diagnostics
    assert "kubectl describe deployment/web:" in result.diagnostics
    assert "kubectl describe pod/web-" in result.diagnostics


def test_step_timeout_kills_everything_in_time(project: Path, cluster):
    deck = write_deck(project / "docs", "lent", [[Step("sleep 600", timeout=2)]])
    with deck_run(project, cluster, deck) as run:
        started = time.monotonic()
        (result,) = run_all(run)
        elapsed = time.monotonic() - started
        pgid = run._session._groups[-1]
    assert result.status == FAILED and result.exit_code == 124
    assert "délai dépassé (2 s)" in result.reason
    assert elapsed < 3
    from diapo.demo.session import group_alive
    assert not group_alive(pgid)


def test_objects_outside_the_namespace_are_tracked_and_removed(project: Path, cluster,
                                                              kube: Cluster):
    suffix = engine._run_id()
    deck = write_deck(project / "docs", "dehors", [[
        Step(f"kubectl create namespace extra-{suffix}\n"
             f"kubectl -n extra-{suffix} create configmap dedans --from-literal=a=b\n"
             f"kubectl create clusterrole lecteur-{suffix} --verb=get --resource=pods\n"
             f"kubectl -n default create configmap dehors-{suffix} --from-literal=x=y"),
        Step(f"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n"
             f"  name: applique-{suffix}\nrules: []\n", kind=DemoKind.APPLY),
    ]])
    with deck_run(project, cluster, deck) as run:
        assert [r.status for r in run_all(run)] == [PASSED, PASSED]
        manager = run.field_manager
    assert run.cleanup_errors == []
    assert kube.get(kube.resource("namespaces"), f"extra-{suffix}") is None
    assert kube.get(kube.resource("clusterroles"), f"lecteur-{suffix}") is None
    assert kube.get(kube.resource("clusterroles"), f"applique-{suffix}") is None
    assert kube.get(kube.resource("configmaps"), f"dehors-{suffix}", "default") is None
    assert kube.managed_by(manager) == []


def test_kubectl_commands_work_through_the_field_manager_wrapper(project: Path, cluster,
                                                                kube: Cluster):
    suffix = engine._run_id()
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: reglages\ndata:\n  a: b\n"
    deck = write_deck(project / "docs", "enveloppe", [[
        Step(cm, kind=DemoKind.FILE, path="cm.yaml"),
        Step("kubectl apply -f cm.yaml && kubectl apply view-last-applied configmap/reglages",
             expect="configmap/reglages created\n...name: reglages..."),
        Step("kubectl create deployment web --image=nginx -- sleep 3600\n"
             "kubectl set image deployment/web nginx=nginx:1.27\n"
             "kubectl label configmap reglages niveau=1\n"
             "kubectl annotate configmap reglages x=y\n"
             "kubectl patch configmap reglages -p '{\"data\":{\"c\":\"d\"}}'\n"
             "kubectl --field-manager=moi create configmap perso --from-literal=k=v\n"
             f"kubectl -n default run seul-{suffix} --image=busybox --restart=Never -- sleep 1",
             expect="deployment.apps/web created\ndeployment.apps/web image updated\n"
                    "configmap/reglages labeled\nconfigmap/reglages annotated\n"
                    "configmap/reglages patched\nconfigmap/perso created\n"
                    f"pod/seul-{suffix} created"),
        Step("kubectl get deploy web -o jsonpath='{.spec.template.spec.containers[0].command}'",
             expect='["sleep","3600"]'),
    ]])
    with deck_run(project, cluster, deck) as run:
        results = run_all(run)
        assert [r.status for r in results] == [PASSED] * 4, [r.diagnostics for r in results]
        mine = kube.get(kube.resource("configmaps"), "perso", run.namespace)
        assert [f["manager"] for f in mine["metadata"]["managedFields"]] == ["moi"]
    assert kube.get(kube.resource("pods"), f"seul-{suffix}", "default") is None


def test_two_decks_in_parallel_do_not_see_each_other(project: Path, cluster):
    barrier = threading.Barrier(2, timeout=60)
    decks = [write_deck(project / "docs", f"deck{i}", [[
        Step(f"kubectl create configmap commun --from-literal=qui=deck{i}"),
        Step("kubectl get configmaps -o name --selector='!x' | grep -v kube-root-ca",
             expect="configmap/commun"),
        Step("kubectl get configmap commun -o jsonpath='{.data.qui}'", expect=f"deck{i}"),
    ]]) for i in (1, 2)]
    results: dict[str, list] = {}

    def one(deck) -> None:
        with deck_run(project, cluster, deck) as run:
            outcome = [run.run_step(deck.demos[0])]
            barrier.wait()  # both decks have created their `commun` before either looks
            outcome += [run.run_step(d) for d in deck.demos[1:]]
            results[deck.name] = (run.namespace, outcome)

    threads = [threading.Thread(target=one, args=(deck,)) for deck in decks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    (ns1, r1), (ns2, r2) = results["deck1"], results["deck2"]
    assert ns1 != ns2
    assert [r.status for r in r1 + r2] == [PASSED] * 6, [r.diagnostics for r in r1 + r2]


def test_keep_leaves_namespace_and_work_dir(project: Path, cluster, kube: Cluster):
    deck = write_deck(project / "docs", "garde", [[Step("kubectl create configmap reste")]])
    with deck_run(project, cluster, deck, keep=True) as run:
        run_all(run)
    try:
        assert kube.get(kube.resource("configmaps"), "reste", run.namespace) is not None
        assert run.work_dir.is_dir()
    finally:
        kube.delete(run._run_ns)


def test_skip_reasons_by_mode_and_cluster(project: Path, cluster):
    deck = write_deck(project / "docs", "sauts", [[
        Step("echo cours", only="live"), Step("echo ci", only="ci"),
        Step("kubectl logs deploy/web", needs="node"),
    ]])
    with deck_run(project, cluster, deck) as run:
        assert run.simulated  # the local cluster's nodes are kwok nodes
        results = run_all(run)
        assert [r.status for r in results] == [SKIPPED, PASSED, SKIPPED]
        assert results[0].reason == "réservée au cours (only=live)"
        assert "needs=node" in results[2].reason
    with deck_run(project, cluster, deck, mode="live", simulated=False) as run:
        assert run.skip_reason(deck.demos[1]) == "réservée à la vérification (only=ci)"
        assert run.skip_reason(deck.demos[0]) is None


def test_live_mode_runs_in_place_and_reset_removes_what_it_created(project: Path, cluster,
                                                                   kube: Cluster):
    suffix = engine._run_id()
    node = kube.nodes()[0]["metadata"]["name"]
    deck = write_deck(project / "docs", "cours", [[
        Step(f"kubectl create configmap live-{suffix} --from-literal=a=b\n"
             f"kubectl create namespace live-{suffix}\n"
             f"kubectl label node {node} diapo-essai-{suffix}=oui"),
    ]])
    with deck_run(project, cluster, deck, mode="live") as run:
        assert run.namespace == "default"
        assert [r.status for r in run_all(run)] == [PASSED]
    # Live runs leave their objects for the lecture; reset removes them, not the node.
    assert kube.get(kube.resource("configmaps"), f"live-{suffix}", "default") is not None
    removed = engine.reset(deck, Project(project), kubeconfig=str(cluster.kubeconfig),
                           context=cluster.context)
    try:
        assert sorted(removed) == sorted([f"configmap/live-{suffix} (namespace default)",
                                          f"namespace/live-{suffix}"])
        assert kube.get(kube.resource("configmaps"), f"live-{suffix}", "default") is None
        assert kube.get(kube.resource("nodes"), node) is not None
    finally:
        kube.request("PATCH", f"/api/v1/nodes/{node}",
                     body={"metadata": {"labels": {f"diapo-essai-{suffix}": None}}},
                     content_type="application/merge-patch+json")
