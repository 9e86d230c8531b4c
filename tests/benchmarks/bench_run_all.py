"""Benchmark: run-all over a 1,000-simulation library, offline, results stored.

Builds the library in a temporary copy of a sample project from variations of
its simulations (renamed copies; every other one with its connector fixture
numbers and customer script changed, so conversations differ), then times
`run_all` end to end, including every result committed to SQLite.
Target (DESIGN.md section 5): under 5 s wall on a 2-core machine.

    /work/venv/bin/python tests/benchmarks/bench_run_all.py [--sample food-delivery]
        [--count 1000] [--concurrency 4]
"""
from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from studio.core.project import load_project  # noqa: E402
from studio.core.simulation import Simulation  # noqa: E402
from studio.library import Library  # noqa: E402
from studio.library.run_all import run_all  # noqa: E402


def _vary(value, i: int):
    """Nudge numbers in a fixture so the variant is a different conversation."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return type(value)(value + (i % 7)) if value else value
    if isinstance(value, dict):
        return {k: _vary(v, i) for k, v in value.items()}
    if isinstance(value, list):
        return [_vary(v, i) for v in value]
    return value


def variants(base: list[Simulation], count: int) -> list[Simulation]:
    out = []
    for i in range(count):
        sim = base[i % len(base)]
        data = sim.to_data()
        data["name"] = f"{sim.name} #{i}"
        data["tags"] = list(sim.tags) + [f"batch-{i % 10}"]
        if i % 2:
            data.setdefault("fixtures", {})["connectors"] = _vary(
                data.get("fixtures", {}).get("connectors", {}), i)
            script = data.get("customer", {}).get("script", [])
            if script and isinstance(script[0], str):
                script[0] = script[0] + " please"
        out.append(Simulation.model_validate(data))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", default="food-delivery")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / args.sample
        shutil.copytree(ROOT / "sample_projects" / args.sample, root,
                        ignore=shutil.ignore_patterns("library.sqlite*"))
        project = load_project(root)
        base = list(project.simulations.values())
        t0 = time.perf_counter()
        with Library.open(root, sync=False) as lib:
            lib.save_simulations(variants(base, args.count))
        build = time.perf_counter() - t0

        t0 = time.perf_counter()
        lib = Library.open(root, sync=False)
        opened = time.perf_counter() - t0
        project = load_project(root)
        t0 = time.perf_counter()
        summary = run_all(project, lib, concurrency=args.concurrency)
        wall = time.perf_counter() - t0
        lib.close()
        conn = sqlite3.connect(root / "library.sqlite")
        stored = conn.execute("SELECT count(*) FROM results").fetchone()[0]
        conn.close()
        print(f"library: {args.count} simulations over {len(project.procedures)} procedures "
              f"of {args.sample}, built in {build:.2f} s, opened in {opened * 1000:.0f} ms")
        print(f"run-all: {summary.done} run, {summary.passed} passed, {summary.failed} failed, "
              f"{summary.errors} errors; {stored} results stored")
        print(f"run-all wall time: {wall:.2f} s ({wall / max(1, summary.done) * 1000:.1f} ms per "
              f"simulation, concurrency {args.concurrency}; target < 5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
