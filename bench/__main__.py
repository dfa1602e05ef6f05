"""Run the benchmarks: `python -m bench [FILTER]` (what `invoke bench` does).

Every `bench/bench_*.py` module defines `main()`, which measures a baseline in the same run and
prints its figures as ratios to it. A filter keeps the modules whose name contains it.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """Run the selected benchmark modules in name order."""
    wanted = argv[0] if argv else ""
    names = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    selected = [n for n in names if wanted in n]
    if not selected:
        print(f"no benchmark matches {wanted!r} (have: {', '.join(names) or 'none'})")
        return 1
    for name in selected:
        print(f"== {name}")
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
