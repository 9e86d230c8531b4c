"""`studio coverage PROJECT`: per procedure, the share of steps and branches the library's
simulations exercise, from each simulation's latest result (whichever run made it, so
re-running only the failures does not hide the rest), or from one run with --run."""
from __future__ import annotations

from studio.library.coverage_report import coverage_report, format_coverage

from .library_common import add_report_args, load, read_library
from .output import print_json


def register(subparsers) -> None:
    p = subparsers.add_parser("coverage", help="steps and branches no simulation exercised",
                              description=__doc__)
    add_report_args(p, "only this run's results (default: each simulation's latest result)")
    p.set_defaults(func=main)


def main(args) -> int:
    project = load(args.project, simulations=False)
    if project is None:
        return 2
    report, failed = read_library(args, lambda library: coverage_report(project, library, args.run))
    if failed is not None:
        return failed
    if args.json:
        print_json("coverage/v1", report.to_dict())
    else:
        print(format_coverage(report))
    return 0
