"""Deck parse throughput (slides per second) on a generated 2,000-slide course.

The baseline, measured in the same run, is marp-core's own markdown parse of the same deck
(`tests/golden/parse_speed.mjs`) when `node` and `tests/golden/node_modules` are present;
otherwise the figure is printed against the 10,000 slides/s floor only, and says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from diapo.deck import parse

SLIDES = 2000
FLOOR = 10000.0  # the issue "One parse, one model"
GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden"

_SLIDE = """\
## Partie {part} : notion {i}

<!-- _class: {cls} -->

Kubernetes offre une **API déclarative** : on décrit l'état voulu, le cluster converge.
Voir [la documentation](https://kubernetes.io/docs/) et [la diapositive suivante](#{nxt}).

* premier point {i}
* second point avec `code`
* troisième point

![h:300px](img/schema-{i}.png)

```bash demo
kubectl get pods -n demo-{i}
```
```text expect
NAME      READY   STATUS    RESTARTS   AGE
web-...   1/1     Running   0          ...
```

| objet | rôle |
|-------|------|
| Pod | unité d'exécution |

<!-- Note : insister sur la différence entre Pod et Deployment ({i}). -->
"""


def course(slides: int = SLIDES) -> str:
    """A course deck shaped like the real ones: directives, lists, images, demos, notes."""
    head = ("---\ntheme: default\npaginate: true\nheader: Cours Kubernetes\n"
            "footer: ENSG - 2025\n---\n\n")
    parts = [_SLIDE.format(part=i // 50 + 1, i=i, cls="lead" if i % 10 == 0 else "normal",
                           nxt=i + 2) for i in range(slides)]
    return head + "\n---\n\n".join(parts)


def _diapo_rate(path: Path, budget: float = 2.0) -> tuple[float, float, int]:
    """(slides per wall second, slides per CPU second, slides) over `budget` seconds."""
    deck = parse(path)  # warm-up (regex compilation, imports)
    runs, start, cpu = 0, time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - start) < budget or runs < 3:
        deck = parse(path)
        runs += 1
    cpu = time.process_time() - cpu
    slides = len(deck.slides)
    return slides * runs / elapsed, slides * runs / cpu, slides


def _marp_rate(path: Path, budget: float = 2.0) -> float | None:
    node = shutil.which("node")
    if node is None or not (GOLDEN / "node_modules" / "@marp-team" / "marp-core").is_dir():
        return None
    out = subprocess.run([node, str(GOLDEN / "parse_speed.mjs"), str(path), str(budget)],
                         cwd=GOLDEN, capture_output=True, text=True, timeout=120, check=True)
    data = json.loads(out.stdout)
    return data["slides"] * data["runs"] / data["seconds"]


def main() -> None:
    """Print diapo's parse rate, its ratio to marp-core's and to the floor."""
    text = course()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cours.md"
        path.write_text(text, encoding="utf-8")
        rate, cpu_rate, slides = _diapo_rate(path)
        marp = _marp_rate(path)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"deck: {slides} slides, {len(text.encode()):,} bytes; load average {load:.1f} "
          f"on {os.cpu_count()} CPUs")
    print(f"diapo parse: {rate:,.0f} slides/s wall ({rate / FLOOR:.2f}x the {FLOOR:,.0f} "
          f"slides/s floor), {cpu_rate:,.0f} slides/s of CPU ({cpu_rate / FLOOR:.2f}x)")
    if marp is None:
        print("marp-core parse: not measured (needs node and tests/golden/node_modules: "
              "cd tests/golden && npm ci)")
    else:
        print(f"marp-core parse (baseline, wall): {marp:,.0f} slides/s; "
              f"diapo/marp-core ratio: {rate / marp:.2f}")


if __name__ == "__main__":
    main()
