"""Benchmark: run-all over a 1,000-simulation library, offline, results stored.

Builds the library in a temporary copy of a sample project from variations of
its simulations: renamed copies, and copies whose connector fixture numbers are
nudged and whose first customer line is reworded, so conversations differ. A
variation is used only when the engine says it keeps its simulation's verdict
(each distinct one is tried once beforehand): a nudged total can cross a
procedure's threshold or change the expected refund, and a library full of
simulations that contradict their own fixtures is not what a team keeps. A
small share (--failing, default 2%) is left failing on purpose, as a real
library has a few. Then times `run_all` end to end, every result committed to
SQLite. Target (DESIGN.md section 5): under 5 s wall on a 2-core machine.

    /work/venv/bin/python tests/benchmarks/bench_run_all.py [--sample food-delivery]
        [--count 1000] [--concurrency 4] [--failing 0.02]
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


NUDGES = range(1, 7)


def _vary(value, k: int):
    """Nudge the numbers in a fixture by k so the variant is a different conversation."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return type(value)(value + k) if value else value
    if isinstance(value, dict):
        return {key: _vary(v, k) for key, v in value.items()}
    if isinstance(value, list):
        return [_vary(v, k) for v in value]
    return value


def variation(sim: Simulation, k: int) -> Simulation:
    """k = 0: the first customer line reworded; k > 0: that and fixture numbers + k."""
    data = sim.to_data()
    if k:
        fixtures = data.setdefault("fixtures", {})
        fixtures["connectors"] = _vary(fixtures.get("connectors", {}), k)
    script = data.get("customer", {}).get("script", [])
    if script and isinstance(script[0], str):
        script[0] = script[0] + " please"
    return Simulation.model_validate(data)


def calibrate(project, base: list[Simulation]) -> dict[tuple[str, int], Simulation]:
    """Every distinct variation, run once: {(name, k): variation} of those that still pass."""
    from studio.simulate.runner import run_simulation
    kept = {}
    for sim in base:
        for k in [0, *NUDGES]:
            candidate = variation(sim, k)
            if run_simulation(project, candidate).status == "passed":
                kept[(sim.name, k)] = candidate
    return kept


def variants(base: list[Simulation], count: int, kept: dict[tuple[str, int], Simulation],
             failing: float = 0.0) -> tuple[list[Simulation], dict[str, int]]:
    """`count` renamed simulations: even ones plain copies, odd ones a variation that keeps
    its verdict (the nudge i % 6 + 1 when it does, else the nearest that does, else the
    reworded line alone), every 1/failing-th one a variation that fails."""
    every = round(1 / failing) if failing else 0
    out, kinds = [], {"copies": 0, "nudged": 0, "reworded": 0, "failing on purpose": 0}
    owed = 0                      # failing ones due but not yet placed (not every sim can fail)
    for i in range(count):
        sim = base[i % len(base)]
        chosen, kind = sim, "copies"
        owed += bool(every) and i % every == every - 1
        broken = [k for k in NUDGES if (sim.name, k) not in kept] if owed else []
        if broken:
            chosen, kind = variation(sim, broken[0]), "failing on purpose"
            owed -= 1
        elif i % 2:
            wanted = i % 6 + 1
            for k in sorted(NUDGES, key=lambda n: abs(n - wanted)):
                if (sim.name, k) in kept:
                    chosen, kind = kept[(sim.name, k)], "nudged"
                    break
            else:
                if (sim.name, 0) in kept:
                    chosen, kind = kept[(sim.name, 0)], "reworded"
        kinds[kind] += 1
        data = chosen.to_data()
        data["name"] = f"{sim.name} #{i}"
        data["tags"] = list(sim.tags) + [f"batch-{i % 10}"]
        out.append(Simulation.model_validate(data))
    return out, kinds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", default="food-delivery")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--failing", type=float, default=0.02,
                        help="share of simulations left failing on purpose (0 for none)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / args.sample
        shutil.copytree(ROOT / "sample_projects" / args.sample, root,
                        ignore=shutil.ignore_patterns("library.sqlite*"))
        project = load_project(root)
        base = list(project.simulations.values())
        t0 = time.perf_counter()
        kept = calibrate(project, base)
        calibration = time.perf_counter() - t0
        tried = len(base) * (len(NUDGES) + 1)
        t0 = time.perf_counter()
        sims, kinds = variants(base, args.count, kept, args.failing)
        with Library.open(root, sync=False) as lib:
            lib.save_simulations(sims)
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
        print(f"variations: {tried} tried in {calibration:.2f} s, {tried - len(kept)} dropped "
              "(they contradict their simulation's expectations); library: "
              + ", ".join(f"{n} {kind}" for kind, n in kinds.items()))
        print(f"run-all: {summary.done} run, {summary.passed} passed, {summary.failed} failed, "
              f"{summary.errors} errors; {stored} results stored")
        print(f"run-all wall time: {wall:.2f} s ({wall / max(1, summary.done) * 1000:.1f} ms per "
              f"simulation, concurrency {args.concurrency}; target < 5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
