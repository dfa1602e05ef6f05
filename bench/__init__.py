"""diapo's benchmarks: each `bench/bench_*.py` module exposes `main() -> None`."""
