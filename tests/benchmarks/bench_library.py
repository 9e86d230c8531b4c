"""Benchmark: the library's reports on 20,000 simulations x 3 runs, through the CLI.

Times `runs list`, `runs diff`, `coverage`, `stats` and `run-all --failed` as a user
runs them (fresh process each, bytecode cached as in an installed app), on distinct
conversations (bench_kit.distinct_library). The first run is a real `studio run-all`; runs 2 and
3 copy its rows in SQL (a real run of 20,000 takes minutes and adds nothing to what
is measured: the queries over 60,000 results), with 0.5% of run 3 turned failed so
the diff has regressions to list and --failed has 100 simulations to re-run.

    python tests/benchmarks/bench_library.py [--count 20000]
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_kit import (distinct_library, fresh_project, print_table, row, save_library,  # noqa: E402
                       studio, warm_bytecode)

GOAL_S = 1.0


def copy_runs(root: Path, extra: int, fail_every: int) -> int:
    """Runs 2..extra+1 as copies of run 1; the last with every `fail_every`-th result failed."""
    conn = sqlite3.connect(root / "library.sqlite")
    cols = [r[1] for r in conn.execute("PRAGMA table_info(results)") if r[1] not in ("id",)]
    run_cols = [r[1] for r in conn.execute("PRAGMA table_info(runs)") if r[1] != "id"]
    listed = ", ".join(c for c in cols if c != "run_id")
    failed = 0
    for offset in range(1, extra + 1):
        run_id = 1 + offset
        conn.execute(f"INSERT INTO runs (id, {', '.join(run_cols)}) SELECT ?, "
                     f"{', '.join(run_cols)} FROM runs WHERE id = 1", [run_id])
        conn.execute(f"INSERT INTO results (run_id, {listed}) SELECT ?, {listed} FROM results "
                     "WHERE run_id = 1", [run_id])
        if offset == extra:
            cur = conn.execute("UPDATE results SET status = 'failed' WHERE run_id = ? AND "
                               "id % ? = 0", [run_id, fail_every])
            failed = cur.rowcount
    conn.commit()
    conn.close()
    return failed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20000)
    args = parser.parse_args()
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        warm_bytecode()
        root = fresh_project(Path(tmp))
        t0 = time.perf_counter()
        save_library(root, distinct_library(args.count, failing=0)[0])
        first = studio("run-all", str(root), "-q", sample_memory=False)
        failed = copy_runs(root, 2, 200)
        print(f"library: {args.count} simulations x 3 runs ({first.stdout.strip()}; runs 2-3 "
              f"copied, {failed} of run 3 failed), built in {time.perf_counter() - t0:.0f} s")
        timings = {}
        for label, argv in (("runs list", ["runs", "list", str(root)]),
                            ("runs diff", ["runs", "diff", str(root)]),
                            ("coverage", ["coverage", str(root)]),
                            ("stats", ["stats", str(root)])):
            timed = studio(*argv, sample_memory=False)
            timings[label] = timed
            print(f"{label}: {timed.wall:.2f} s wall, {timed.cpu_s:.2f} s CPU (exit {timed.code})")
            lines.append(row(f"`studio {label}` on {args.count:,} x 3 runs",
                             f"{timed.wall:.2f} s ({timed.cpu_s:.2f} s CPU)", f"< {GOAL_S:g} s",
                             timed.wall < GOAL_S))
        rerun = studio("run-all", str(root), "--failed", "-q", sample_memory=False)
        print(f"run-all --failed: {rerun.wall:.2f} s wall ({rerun.stdout.strip()}); the full run "
              f"took {first.wall:.2f} s")
        share = failed / args.count
        lines.append(row(f"`run-all --failed` re-running {failed} of {args.count:,}",
                         f"{rerun.wall:.2f} s vs {first.wall:.2f} s for all "
                         f"({rerun.wall / first.wall:.1%} of the time for {share:.1%} of the work)",
                         "proportional to what it re-runs",
                         rerun.wall < first.wall * max(share * 5, 0.1)))
    print_table(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
