"""Fingerprints: each kind of edit un-verifies exactly the demos it affects, and no other."""

from __future__ import annotations

from pathlib import Path

import pytest

from diapo.deck import parse
from diapo.demo.fingerprint import deck_fingerprints, used_files
from tests.demo.conftest import write_project

DECK = '''\
---
marp: true
---

# Nœuds

```bash demo=nodes
kubectl get nodes
```
```text expect
NAME     STATUS
...
```

---

# Fichier

```yaml file=k8s/config.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: reglages
data:
  couleur: bleu
```

```bash demo=pod wait="pod/whoami Ready"
kubectl apply -f whoami-pod.yaml
```
```text expect
pod/whoami created
```

---

# Déploiement

```bash demo=deploy wait="deployment/web Available"
kubectl apply -f web-deployment.yaml
```
```text expect
deployment.apps/web created
```

```bash demo=conf
kubectl apply -f k8s/config.yaml
```

```bash demo=gone exit=1
kubectl get pod absent
```
```text expect match=ellipsis
Error from server (NotFound): ...
```

```bash demo=slow timeout=30
echo fin
```
```text expect
fin
```

```bash demo=class only=live
kubectl edit deployment/web
```
'''

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: whoami\nspec:\n  containers: []\n"
DEPLOYMENT = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
              "  replicas: 2\n")
EVERY = ["nodes", "2-1", "pod", "deploy", "conf", "gone", "slow", "class"]


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = write_project(tmp_path / "cours")
    (root / "docs" / "cours.md").write_text(DECK, encoding="utf-8")
    files = root / "demos" / "cours"
    files.mkdir(parents=True)
    (files / "whoami-pod.yaml").write_text(POD, encoding="utf-8")
    (files / "web-deployment.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    return root


def prints(root: Path) -> dict[str, str]:
    return deck_fingerprints(parse(root / "docs" / "cours.md", name="cours"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def changed_by(root: Path, path: str, old: str, new: str) -> list[str]:
    before = prints(root)
    assert list(before) == EVERY
    edit(root / path, old, new)
    after = prints(root)
    return [demo for demo in before if before[demo] != after[demo]]


# `class` (only=live) is not run in verification, but comes after: in class it depends on them.
LATER_THAN_POD = ["pod", "deploy", "conf", "gone", "slow", "class"]

EDITS = {
    "replicas in a demos/ manifest": (
        "demos/cours/web-deployment.yaml", "replicas: 2", "replicas: 5",
        ["deploy", "conf", "gone", "slow", "class"]),
    "a manifest of an earlier step": (
        "demos/cours/whoami-pod.yaml", "name: whoami", "name: whoami2", LATER_THAN_POD),
    "an expect line": ("docs/cours.md", "pod/whoami created", "pod/whoami configured", ["pod"]),
    "exit=": ("docs/cours.md", "demo=gone exit=1", "demo=gone exit=2", ["gone"]),
    "wait=": ("docs/cours.md", 'wait="pod/whoami Ready"', 'wait="pod/whoami Initialized"',
              LATER_THAN_POD),
    # a step killed at its timeout leaves another state: the later steps depend on it
    "timeout=": ("docs/cours.md", "timeout=30", "timeout=45", ["slow", "class"]),
    "match mode": ("docs/cours.md", "expect match=ellipsis", "expect match=regex", ["gone"]),
    "a file= block": ("docs/cours.md", "couleur: bleu", "couleur: rouge",
                      ["2-1", "conf", "gone", "slow", "class"]),
    "an earlier step's command": ("docs/cours.md", "kubectl get nodes\n",
                                  "kubectl get nodes -o wide\n", EVERY[:1] + EVERY[2:]),
    "a lecture-only step": ("docs/cours.md", "kubectl edit deployment/web",
                            "kubectl edit deployment/api", ["class"]),
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_each_edit_unverifies_exactly_the_demos_it_affects(course: Path, kind: str):
    path, old, new, expected = EDITS[kind]
    assert changed_by(course, path, old, new) == expected


def test_fingerprints_are_stable_and_ignore_prose(course: Path):
    before = prints(course)
    assert prints(course) == before
    edit(course / "docs" / "cours.md", "# Déploiement", "# Le déploiement, enfin")
    assert prints(course) == before  # a title is not what a demo proves


def test_a_file_no_step_names_counts_for_every_shell_step(course: Path):
    before = prints(course)
    (course / "demos" / "cours" / "notes.txt").write_text("lu par un glob\n", encoding="utf-8")
    after = prints(course)
    assert [d for d in before if before[d] != after[d]] == [
        "nodes", "pod", "deploy", "conf", "gone", "slow", "class"]


def test_configured_default_timeout_counts_for_steps_without_their_own(course: Path):
    before = prints(course)
    edit(course / "mkdocs.yml", "timeout: 30\n      wait", "timeout: 31\n      wait")
    after = prints(course)
    # `slow` has its own timeout, but the steps before it do not
    assert [d for d in before if before[d] != after[d]] == EVERY[:1] + EVERY[2:]


def test_used_files_names_paths_directories_and_globs():
    paths = ["a.yaml", "k8s/b.yaml", "k8s/c.yml", "other/d.txt"]
    assert used_files("kubectl apply -f a.yaml", paths) == {"a.yaml"}
    assert used_files("kubectl apply -f ./k8s/", paths) == {"k8s/b.yaml", "k8s/c.yml"}
    assert used_files("kubectl apply --filename=k8s/*.yml", paths) == {"k8s/c.yml"}
    assert used_files("cd other && cat d.txt", paths) == {"other/d.txt"}
    assert used_files("kubectl apply -f .", paths) == set(paths)
    assert used_files("kubectl get pods", paths) == set()


SMALL = '''\
# Petit

```bash demo=avant
echo avant
```

```yaml apply
apiVersion: v1
kind: ConfigMap
metadata:
  name: reglages
data:
  couleur: bleu
```

```bash demo=ep warn="is deprecated"
kubectl get endpoints
```

```bash demo=script
sh prepare.sh
```

```bash demo=fin
cat reglages.txt
```
'''


@pytest.mark.parametrize(("old", "new", "path", "expected"), [
    # an apply block is a step's effect: it and the later steps
    ("couleur: bleu", "couleur: rouge", "docs/petit.md", ["apply", "ep", "script", "fin"]),
    # warn= is how a step is judged: that step only
    ('warn="is deprecated"', 'warn="v1 Endpoints"', "docs/petit.md", ["ep"]),
    # a file read by a script: the script's step (and those after), not only the one naming it
    ("bleu", "vert", "demos/petit/reglages.txt", ["script", "fin"]),
])
def test_apply_blocks_warn_and_files_read_by_a_script(tmp_path: Path, old, new, path, expected):
    root = write_project(tmp_path / "cours")
    (root / "docs" / "petit.md").write_text(SMALL, encoding="utf-8")
    (root / "demos" / "petit").mkdir(parents=True)
    (root / "demos" / "petit" / "prepare.sh").write_text(
        "kubectl create configmap c --from-file=reglages.txt\n", encoding="utf-8")
    (root / "demos" / "petit" / "reglages.txt").write_text("bleu\n", encoding="utf-8")
    deck = parse(root / "docs" / "petit.md", name="petit")
    names = {d.id: "apply" if d.kind.value == "apply" else d.id for d in deck.demos}
    before = deck_fingerprints(deck)
    edit(root / path, old, new)
    after = deck_fingerprints(parse(root / "docs" / "petit.md", name="petit"))
    assert [names[d] for d in before if before[d] != after[d]] == expected
