"""`studio coverage PROJECT`: share of steps and branches the last run exercised, per procedure."""
from __future__ import annotations

import json

from studio.library.coverage_report import coverage_report, format_coverage

from .library_common import add_project_arg, add_read_only_arg, load, read_library


def register(subparsers) -> None:
    p = subparsers.add_parser("coverage", help="steps and branches no simulation exercised",
                              description=__doc__)
    add_project_arg(p)
    p.add_argument("--run", type=int, metavar="RUN", help="a run id (default: the latest run)")
    p.add_argument("--json", action="store_true", help="print JSON")
    add_read_only_arg(p)
    p.set_defaults(func=main)


def main(args) -> int:
    project = load(args.project, simulations=False)
    if project is None:
        return 2
    report, failed = read_library(args, lambda library: coverage_report(project, library, args.run))
    if failed is not None:
        return failed
    print(json.dumps(report.to_dict(), indent=2) if args.json else format_coverage(report))
    return 0
