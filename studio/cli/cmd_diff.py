"""`studio diff PROJECT PROCEDURE [REV_A [REV_B]]`: what changed, by step id and field
(steps added, removed and moved; each changed field old -> new), in the procedure and in
everything it uses. Default: the latest approval against the working files; one revision:
it against the working files. A revision is `working`, an environment name (its approved
revision) or a unique prefix of a stored one (see `studio revisions`). Comments and
formatting are not changes."""
from __future__ import annotations

from studio.govern.diff_text import format_semantic_diff
from studio.govern.revisions import (WORKING, RevisionNotFound, default_base, label_of,
                                     load_snapshot, resolve_revision)
from studio.govern.semantic_diff import diff_snapshots

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
        proc = args.procedure
        try:
            if args.revisions:
                old = resolve_revision(project, proc, args.revisions[0], lib)
                old_label = label_of(project, proc, old)
            else:
                old, old_label = default_base(project, proc, lib)
            new = resolve_revision(project, proc, args.revisions[1] if len(args.revisions) > 1
                                   else WORKING, lib)
            old_snap = load_snapshot(project, proc, old, lib) if old else None
            new_snap = load_snapshot(project, proc, new, lib)
        except RevisionNotFound as exc:
            return str(exc)
        diff = diff_snapshots(old_snap, new_snap, procedure=proc, old_revision=old,
                              new_revision=new)
        return diff, old_label, label_of(project, proc, new)

    found, failed = read_library(args, work)
    if failed is not None:
        return failed
    if isinstance(found, str):
        return error(found)
    diff, old_label, new_label = found
    if args.json:
        print_json("diff/v1", diff.to_dict() | {"from_label": old_label, "to_label": new_label})
    else:
        print(format_semantic_diff(diff, old_label, new_label))
    return 0
