"""`studio approve PROJECT PROCEDURE`: approve the working revision for an environment
(default: the first of studio.yaml `environments`), writing
approvals/<environment>/<procedure>.yaml. Refused, with every reason, unless each
simulation that exercises the procedure passed in a run of exactly this revision and,
for a later environment, the revision is approved for the one before it."""
from __future__ import annotations

import sys

from studio.govern.approve import ApprovalInputError, approve, default_environment
from studio.library import LibraryError

from .govern_common import load_checked, print_json
from .library_common import add_project_arg, error, open_library


def register(subparsers) -> None:
    p = subparsers.add_parser("approve", help="approve a procedure for an environment",
                              description=__doc__)
    add_project_arg(p)
    p.add_argument("procedure", metavar="PROCEDURE", help="the procedure id")
    p.add_argument("--environment", metavar="ENV",
                   help="default: the first of studio.yaml `environments` (staging)")
    p.add_argument("--comment", metavar="TEXT", help="why, for the reviewers after you")
    p.add_argument("--by", metavar="NAME", help="who approves (default: STUDIO_USER or the OS user)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=main)


def main(args) -> int:
    project = load_checked(args.project)
    if project is None:
        return 2
    environment = args.environment or default_environment(project)
    library = open_library(args.project, quiet=True)
    if library is None:
        return 2
    try:
        check, approval = approve(project, library, args.procedure, environment,
                                  comment=args.comment, approved_by=args.by)
    except ApprovalInputError as exc:
        return error(str(exc))
    except LibraryError as exc:
        return error(str(exc))
    finally:
        library.close()
    if args.json:
        print_json("approve/v1", check.to_dict() | {
            "approved": approval is not None,
            "file": f"approvals/{environment}/{args.procedure}.yaml" if approval else None})
        return 0 if approval else 1
    if approval is None:
        print(f"refused: {args.procedure} ({check.revision[:12]}) cannot be approved for "
              f"{environment}:", file=sys.stderr)
        for reason in check.reasons:
            print(f"  - {reason}", file=sys.stderr)
        return 1
    ev = check.evidence
    print(f"approved {args.procedure} {check.revision[:12]} for {environment} by "
          f"{approval.approved_by}: evidence run {ev.run}, {ev.passed} passed, {ev.failed} failed, "
          f"{ev.errors} errors, {ev.skipped} skipped -> approvals/{environment}/{args.procedure}.yaml")
    return 0
