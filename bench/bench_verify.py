"""Wall time of `invoke verify` on N generated decks, sequential (--parallel 1) vs parallel
(--parallel N), against the local control plane (started for the bench if it is not running).

Each deck is a small real lecture: a ConfigMap created with kubectl, a Deployment applied and
waited for (`deployment/web Available`), a table expectation on its pods, and the cleanup of
its namespace. The sequential run is the baseline.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from rich.console import Console

from diapo.cluster import local
from diapo.demo import verify

DECKS = 4
DECK = """\
---
marp: true
---

# Déploiement {n}

```bash demo
kubectl create configmap reglages --from-literal=deck={n} -o name
```
```text expect
configmap/reglages
```

```yaml apply wait="deployment/web Available"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: traefik/whoami}}]
```

```bash demo
kubectl get pods -l app=web
```
```text expect match=table
NAME                   READY   STATUS    RESTARTS   AGE
web-7c5ddbdf54-4xkzj   1/1     Running   0          5s
web-7c5ddbdf54-9qv2z   1/1     Running   0          5s
```
"""


def _project(root: Path) -> Path:
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: banc\ndocs_dir: docs\nplugins:\n"
                                     "  - diapo:\n      contexts: [diapo-local]\n")
    for n in range(1, DECKS + 1):
        (root / "docs" / f"deck{n}.md").write_text(DECK.format(n=n), encoding="utf-8")
    return root


def _verify(root: Path, parallel: int) -> float:
    started = time.perf_counter()
    with open(os.devnull, "w") as sink:
        code = verify.run([], verify.Options(parallel=parallel), root=root,
                          console=Console(file=sink))
    if code != 0:
        raise RuntimeError(f"verify failed on the generated decks (parallel={parallel})")
    return time.perf_counter() - started


def main() -> None:
    """Print the wall times and the speed-up of the parallel run."""
    with local.shared() as cluster, tempfile.TemporaryDirectory(prefix="bench-verify-") as tmp:
        previous = os.environ.get("KUBECONFIG")
        os.environ["KUBECONFIG"] = str(cluster.kubeconfig)
        try:
            root = _project(Path(tmp))
            sequential = _verify(root, 1)
            parallel = _verify(root, DECKS)
        finally:
            if previous is None:
                os.environ.pop("KUBECONFIG", None)
            else:
                os.environ["KUBECONFIG"] = previous
    print(f"verify, {DECKS} decks × 3 demos, sequential (baseline): {sequential:.1f} s")
    print(f"verify, {DECKS} decks × 3 demos, --parallel {DECKS}:         {parallel:.1f} s "
          f"({sequential / parallel:.2f}x faster, {os.cpu_count()} CPU)")


if __name__ == "__main__":
    main()
