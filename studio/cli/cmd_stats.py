"""`studio stats PROJECT`: per procedure how often it triggered, resolved, handed off or
ended unresolved, turns, durations, tokens and cost; `--history` for one point per run."""
from __future__ import annotations

import json

from studio.library.stats import format_stats, history, run_stats

from .library_common import add_report_args, read_library


def register(subparsers) -> None:
    p = subparsers.add_parser("stats", help="per-procedure numbers of the last run and over time",
                              description=__doc__)
    add_report_args(p, "a run id (default: the latest run)")
    p.add_argument("--history", type=int, nargs="?", const=20, metavar="N",
                   help="also the last N runs, one point per run (default 20)")
    p.set_defaults(func=main)


def main(args) -> int:
    found, failed = read_library(args, lambda library: (
        run_stats(library, args.run), history(library, args.history) if args.history else []))
    if failed is not None:
        return failed
    stats, points = found
    if args.json:
        data = {"run": stats.to_dict()}
        if args.history:
            data["history"] = [p.to_dict() for p in points]
        print(json.dumps(data, indent=2))
        return 0
    print(format_stats(stats))
    if points:
        print()
        print("over time (run: passed/total, p50 ms):")
        for p in points:
            t = p.total
            print(f"  {p.run_id:>5} {p.started[:19]}  {t.passed}/{t.triggered}  "
                  f"{'-' if t.p50_duration_ms is None else f'{t.p50_duration_ms:.1f}'}")
    return 0
