"""`studio diff PROJECT PROCEDURE [REV_A [REV_B]]`: what changed, by step id and field
(steps added, removed and moved; each changed field old -> new), in the procedure and in
everything it uses. Default: the latest approval against the working files; one revision:
it against the working files. A revision is `working`, an environment name (its approved
revision) or a unique prefix of a stored one (see `studio revisions`). Comments and
formatting are not changes."""
from __future__ import annotations

from studio.govern.diff_text import format_semantic_diff
from studio.govern.compare import compare
from studio.govern.revisions import WORKING, RevisionNotFound

from .govern_common import load_checked, print_json, procedure_problem
from .library_common import add_project_arg, add_read_only_arg, error, read_library


def register(subparsers) -> None:
    p = subparsers.add_parser("diff", help="semantic diff between two revisions of a procedure",
                              description=__doc__)
    add_project_arg(p)
    p.add_argument("procedure", metavar="PROCEDURE", help="the procedure id")
    p.add_argument("revisions", metavar="REV", nargs="*",
                   help="none: latest approval vs working files; one: REV vs working; two: A vs B")
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
    if len(args.revisions) > 2:
        return error("give at most two revisions: REV_A [REV_B]")

    def work(lib):
        revs = list(args.revisions)
        try:
            return compare(project, lib, args.procedure, revs[0] if revs else None,
                           revs[1] if len(revs) > 1 else WORKING)
        except RevisionNotFound as exc:
            return str(exc)

    found, failed = read_library(args, work)
    if failed is not None:
        return failed
    if isinstance(found, str):
        return error(found)
    if args.json:
        print_json("diff/v1", found.diff.to_dict() | {"from_label": found.old_label,
                                                      "to_label": found.new_label})
    else:
        print(format_semantic_diff(found.diff, found.old_label, found.new_label))
    return 0
