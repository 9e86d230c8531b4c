"""`studio stats PROJECT`: per procedure how often it triggered, resolved, handed off or
ended unresolved, turns, durations, tokens and cost; `--history` for one point per run."""
from __future__ import annotations

from studio.library.stats import LOWER_BOUND_NOTE, format_stats, history, is_partial, num_text, run_stats

from .library_common import add_report_args, read_library
from .output import print_json


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
        print_json("stats/v1", data)
        return 0
    print(format_stats(stats))
    if points:
        print()
        print("over time, all procedures (`--json` has every procedure per run):")
        print(f"  {'run':>5} {'started':<19}  {'passed':>11} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'tokens':>8} {'cost':>8}")
        for p in points:
            t = p.total
            print(f"  {p.run_id:>5} {p.started[:19]:<19}  {f'{t.passed}/{t.triggered}':>11} "
                  f"{num_text(t.p50_duration_ms, '{:.1f}'):>8} {num_text(t.p95_duration_ms, '{:.1f}'):>8} "
                  f"{num_text(t.tokens, unknown=t.tokens_unknown):>8} "
                  f"{num_text(t.cost, '{:.4f}', t.cost_unknown):>8}")
        if any(is_partial(p.total) for p in points if p.total):
            print("  " + LOWER_BOUND_NOTE)
    return 0
