"""Offline engine throughput over every sample simulation (no storage).

Run: /work/venv/bin/python tests/benchmarks/bench_offline_engine.py [ROUNDS] [THREADS]
Prints simulations per second, serial and with a thread pool like run-all's.
"""
from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))   # the checkout this file is in, installed or not

from studio.core.project import load_project  # noqa: E402
from studio.simulate.runner import run_simulation  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[2] / "sample_projects"


def workload() -> list[tuple[object, object]]:
    items = []
    for root in sorted(SAMPLES.iterdir()):
        if (root / "studio.yaml").is_file():
            project = load_project(root)
            items += [(project, sim) for sim in project.simulations.values()]
    return items


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    items = workload()
    for project, sim in items:          # warm up: sandbox worker, caches
        run_simulation(project, sim)
    jobs = items * rounds
    started = time.perf_counter()
    statuses = [run_simulation(p, s).status for p, s in jobs]
    serial = time.perf_counter() - started
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda job: run_simulation(*job).status, jobs))
    pooled = time.perf_counter() - started
    print(f"{len(jobs)} simulations ({len(items)} distinct, {statuses.count('passed')} passed)")
    print(f"serial:     {len(jobs) / serial:8.0f} simulations/s ({serial * 1000 / len(jobs):.2f} ms each)")
    print(f"{threads} threads: {len(jobs) / pooled:8.0f} simulations/s")


if __name__ == "__main__":
    main()
