"""Benchmark: `studio run-all` over 1,000 distinct conversations, offline, through the CLI
(a fresh process: start-up, worker start, every result committed, exit), and its peak
memory at 1,000 / 5,000 / 20,000 simulations.

The library is 1,000 different conversations (no two specs alike but for the name):
the sample's simulations with their order numbers made unique and their fixture
numbers nudged, each checked beforehand to keep its verdict; 2% fail on purpose, as
a real library has a few. The run with `--concurrency 1` (one worker) beside the
default shows how much every core adds. Memory counts the CLI process and all its
workers at once, on distinct conversations too. Bytecode is cached, as in an
installed app (bench_kit.user_env).

    python tests/benchmarks/bench_run_all.py [--count 1000] [--memory 1000,5000,20000]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_kit import (distinct_library, fresh_project, print_table, row,  # noqa: E402
                       save_library, studio, warm_bytecode)

GOAL_WALL_S = 1.5
GOAL_MEMORY_RATIO = 1.5


def reset(root: Path) -> None:
    """The library without results, so every timed run starts alike."""
    import sqlite3
    conn = sqlite3.connect(root / "library.sqlite")
    conn.execute("DELETE FROM results")
    conn.execute("DELETE FROM runs")
    conn.commit()
    conn.execute("VACUUM")
    conn.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (median)")
    parser.add_argument("--memory", default="1000,5000,20000",
                        help="library sizes for peak memory ('' to skip)")
    args = parser.parse_args()
    lines = []
    warm_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        root = fresh_project(Path(tmp))
        t0 = time.perf_counter()
        sims, info = distinct_library(args.count)
        save_library(root, sims)
        print(f"library: {len(sims)} distinct conversations from {info['bases']} scenarios, "
              f"{info['failing']} failing on purpose, {info['dropped']} variants dropped "
              f"(they changed verdict), built in {time.perf_counter() - t0:.1f} s")
        walls, one_walls, cpus, last = [], [], [], None
        for _ in range(args.repeats):           # paired: one worker, then every core
            reset(root)
            one = studio("run-all", str(root), "-q", "--concurrency", "1")
            reset(root)
            last = studio("run-all", str(root), "-q")
            one_walls.append(one.wall)
            walls.append(last.wall)
            cpus.append(last.cpu_s)
        wall, one_wall = statistics.median(walls), statistics.median(one_walls)
        print(f"run-all: {last.stdout.strip().splitlines()[-1]} (exit {last.code})")
        print(f"wall incl. start-up, median of {args.repeats}: {wall:.2f} s every core "
              f"(runs: {', '.join(f'{w:.2f}' for w in walls)}), {one_wall:.2f} s one worker; "
              f"speed-up {one_wall / wall:.2f}x; CPU {statistics.median(cpus):.2f} s "
              f"= {statistics.median(cpus) / wall:.2f} cores busy on average")
        lines.append(row(f"offline run-all, {len(sims)} simulations, wall incl. start-up",
                         f"{wall:.2f} s, {one_wall / wall:.2f}x one worker's speed",
                         f"< {GOAL_WALL_S} s, every core", wall < GOAL_WALL_S))

    sizes = [int(s) for s in args.memory.split(",") if s.strip()]
    peaks = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = fresh_project(Path(tmp))
            save_library(root, distinct_library(size)[0])
            timed = studio("run-all", str(root), "-q")
            peaks[size] = timed
            print(f"memory at {size}: peak {timed.peak_total_mb:.0f} MB all processes "
                  f"({timed.peak_main_mb:.0f} MB the CLI itself), {timed.wall:.1f} s, "
                  f"exit {timed.code}: {timed.stdout.strip().splitlines()[-1]}")
    if len(peaks) > 1:
        small, large = min(peaks), max(peaks)
        ratio = peaks[large].peak_total_mb / peaks[small].peak_total_mb
        lines.append(row(f"peak memory, {' / '.join(f'{s:,}' for s in peaks)} simulations",
                         " / ".join(f"{t.peak_total_mb:.0f} MB" for t in peaks.values())
                         + f" ({ratio:.2f}x)",
                         f"{large:,} within {GOAL_MEMORY_RATIO}x of {small:,}",
                         ratio <= GOAL_MEMORY_RATIO))
    print_table(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
