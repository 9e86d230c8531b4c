"""`studio status PROJECT`: per procedure and environment, approved / changed since
approval / never approved, with the latest run of its simulations."""
from __future__ import annotations

from studio.govern.status import format_status, project_status

from .govern_common import load_checked, print_json
from .library_common import add_project_arg, add_read_only_arg, read_library


def register(subparsers) -> None:
    p = subparsers.add_parser("status", help="approval state of each procedure per environment",
                              description=__doc__)
    add_project_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    add_read_only_arg(p)
    p.set_defaults(func=main)


def main(args) -> int:
    project = load_checked(args.project)
    if project is None:
        return 2
    report, failed = read_library(args, lambda lib: project_status(project, lib))
    if failed is not None:
        return failed
    if args.json:
        print_json("status/v1", {"project": project.name} | report.to_dict())
    else:
        print(format_status(report))
    return 2 if report.problems else 0
