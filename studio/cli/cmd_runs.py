"""`studio runs ...`: run history: list, show one run, diff two runs, merge shards."""
from __future__ import annotations

import json
import sys

from studio.govern.regression import regression_causes
from studio.library.diff import diff_runs, format_diff
from studio.library.records import aggregate_status

from .library_common import (add_project_arg, add_report_args, error, load, open_library,
                             read_library)
from .output import print_json


DIFF_HELP = ("Regressions (passed before, failing now), fixes, still failing, and which "
             "expectations changed. By default each simulation of the latest run (or RUN) is "
             "compared with its own previous result, whichever run made it, so a run of only "
             "the failures is compared fairly. A B compares two whole runs.")


MERGE_HELP = ("Store the results of several `studio run-all --shard K/N --json FILE` runs (a CI "
              "matrix) as one run of this project's library, so `runs diff`, `coverage` and "
              "`stats` read it as if it had run in one place. Exit 0 when every simulation "
              "passed, 1 on failures, 2 on errors or when the shards overlap or ran different "
              "revisions.")


def register(subparsers) -> None:
    p = subparsers.add_parser("runs", help="run history: list, show, diff", description=__doc__)
    sub = p.add_subparsers(dest="runs_command", metavar="ACTION")

    lst = sub.add_parser("list", help="list runs, newest first")
    add_report_args(lst)
    lst.add_argument("--limit", type=int, default=20, metavar="N", help="at most N runs (default 20)")
    lst.set_defaults(func=cmd_list)

    show = sub.add_parser("show", help="show one run's results")
    add_report_args(show)
    show.add_argument("run", metavar="RUN", type=int, help="the run id (`studio runs list` shows them)")
    show.set_defaults(func=cmd_show)

    diff = sub.add_parser(
        "diff", help="what changed: the latest run (or RUN) against each simulation's previous "
                     "result, or run A against run B", description=DIFF_HELP)
    add_report_args(diff)
    diff.add_argument("runs", metavar="RUN", type=int, nargs="*",
                      help="none: the latest run; one: that run; two (A B): run A against run B")
    diff.set_defaults(func=cmd_diff)

    merge = sub.add_parser(
        "merge", help="fold the --json results of `run-all --shard K/N` runs into one run",
        description=MERGE_HELP)
    add_project_arg(merge)
    merge.add_argument("files", metavar="FILE", nargs="+", help="the shards' run-all --json files")
    merge.set_defaults(func=cmd_merge)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def cmd_list(args) -> int:
    runs, failed = read_library(args, lambda library: library.runs(limit=args.limit))
    if failed is not None:
        return failed
    if args.json:
        print_json("runs/v1", {"runs": [r.to_dict() for r in runs]})
        return 0
    if not runs:
        print("no runs yet", file=sys.stderr)
    for r in runs:
        print(f"{r.id:>5}  {r.started[:19]}  {r.status:<11} {r.engine or '-':<10} "
              f"{r.passed:>4} passed {r.failed:>4} failed {r.errors:>4} errors"
              + (f" {r.skipped:>4} skipped" if r.skipped else "") +
              f"  ({r.done}/{r.total}{f', repeat {r.repeat}' if r.repeat > 1 else ''})")
    return 0


def cmd_show(args) -> int:
    def fetch(library):
        run = library.require_run(args.run)
        return run, library.results(run.id, light=not args.json)

    found, failed = read_library(args, fetch)
    if failed is not None:
        return failed
    run, records = found
    if args.json:
        print_json("run/v1", run.to_dict() | {"results": [
            {"repeat_index": r.repeat_index} | r.result.model_dump(mode="json") for r in records]})
        return 0
    print(f"run {run.id}: {run.status}, started {run.started}, engine {run.engine}, "
          f"{run.passed} passed, {run.failed} failed, {run.errors} errors"
          + (f", {run.skipped} skipped" if run.skipped else "") + f" of {run.total}")
    if run.filters:
        print("filters: " + json.dumps(run.filters))
    grouped: dict[str, list] = {}
    for r in records:
        grouped.setdefault(r.simulation, []).append(r)
    for name, recs in grouped.items():
        verdict = aggregate_status([r.status for r in recs])
        first = next((r for r in recs if r.status != "passed"), recs[0]).result
        extra = f" x{len(recs)}" if len(recs) > 1 else ""
        print(f"  {verdict:<7} {name}{extra}  [{first.procedure or '-'}] "
              f"{first.outcome or '-'}, {first.turns} turns, {first.duration_ms:.0f} ms")
        if first.error:
            print(f"      error: {first.error}")
        for e in first.failed_expectations:
            print(f"      {e.type}: {e.message}")
    missing = len({tuple(p) for p in run.planned}) - len(records)
    if missing > 0:
        print(f"  {missing} planned simulation run(s) have no result"
              + (" (`studio run-all PROJECT --resume`)" if run.status != "complete" else ""))
    return 0


def cmd_diff(args) -> int:
    if len(args.runs) > 2:
        return error("give at most two run ids: RUN, or A B")
    a, b = ([None] + args.runs if len(args.runs) == 1 else args.runs + [None, None])[:2]
    def work(library):
        found = diff_runs(library, a, b)
        return found, regression_causes(library, found)   # the edit behind each regression
    found, failed = read_library(args, work)
    if failed is not None:
        return failed
    diff, causes = found
    if args.json:
        print_json("run-diff/v1", diff.to_dict() | {"causes": causes}, default=str)
    else:
        print(format_diff(diff))
        for name, cause in causes.items():
            print(f"{name}: caused by the edit: {cause}")
    return 1 if diff.has_regressions else 0


def cmd_merge(args) -> int:
    from pathlib import Path

    from studio.library import LibraryError
    from studio.library.shards import merge_runs
    project = load(args.project, simulations=False)
    library = open_library(args.project) if project is not None else None
    if library is None:
        return 2
    try:
        run_id = merge_runs(library, [Path(f) for f in args.files], project)
        run = library.require_run(run_id)
        verdicts: dict[str, list[str]] = {}
        for row in library.query("SELECT simulation, status FROM results WHERE run_id = ?",
                                 [run_id]):
            verdicts.setdefault(row["simulation"], []).append(row["status"])
    except LibraryError as exc:
        return error(str(exc))
    finally:
        library.close()
    counts = {v: 0 for v in ("passed", "failed", "error", "skipped")}
    for statuses in verdicts.values():
        counts[aggregate_status(statuses)] += 1
    print(f"run {run.id} ({run.status}, {run.engine}): merged {len(args.files)} file(s), "
          f"{len(verdicts)} simulations: {counts['passed']} passed, {counts['failed']} failed, "
          f"{counts['error']} errors" + (f", {counts['skipped']} skipped" if counts["skipped"]
                                          else ""))
    if run.status != "complete":
        print(f"a shard's run was {run.status}: its missing results are not in the merged run",
              file=sys.stderr)
    return 2 if counts["error"] or run.status == "interrupted" else \
        1 if counts["failed"] or run.status == "cancelled" else 0
