"""`studio revisions PROJECT PROCEDURE`: every revision of a procedure the library kept
(each one that was run or approved), when it was first seen, its latest run's result and
the environments it is approved for; the working files' revision is marked."""
from __future__ import annotations

from studio.govern.revisions import revision_history

from .govern_common import load_checked, print_json, procedure_problem
from .library_common import add_project_arg, add_read_only_arg, error, read_library


def register(subparsers) -> None:
    p = subparsers.add_parser("revisions", help="a procedure's revisions and their results",
                              description=__doc__)
    add_project_arg(p)
    p.add_argument("procedure", metavar="PROCEDURE", help="the procedure id")
    p.add_argument("--json", action="store_true", help="print JSON")
    add_read_only_arg(p)
    p.set_defaults(func=main)


def main(args) -> int:
    project = load_checked(args.project)
    if project is None:
        return 2
    problem = procedure_problem(project, args.procedure)
    if problem:
        return error(problem)
    history, failed = read_library(args, lambda lib: revision_history(project, lib, args.procedure))
    if failed is not None:
        return failed
    if args.json:
        print_json("revisions/v1", {"procedure": args.procedure,
                                    "revisions": [h.to_dict() for h in history]})
        return 0
    for info in history:
        if info.latest_run is None:
            result = "never run"
        else:
            result = (f"run {info.latest_run}: {info.latest_status} ({info.passed} passed, "
                      f"{info.failed} failed, {info.errors} errors)")
        marks = (["working files"] if info.working else []) + \
            [f"approved for {env}" for env in info.approved_for or []]
        seen = (info.first_seen or "not run or approved yet")[:19].replace("T", " ")
        print(f"{info.revision[:12]}  {seen:<19}  {result}"
              + (f"  [{', '.join(marks)}]" if marks else ""))
    return 0
