"""`studio conversations replay PROJECT [--since DATE] [--procedure P] [--model M] [--json]`

Runs each imported conversation's customer turns through today's procedures and lists
where today differs from production: the procedure routed, the outcome, handoffs that
would now be resolved (and the reverse), the first turn whose reply differs in substance
(offline: the facts it states, numbers and references; with --model or a model in
studio.yaml: judged by that model, or by model.judge when set). Each divergence names its turn and trace event; the latest
replay is kept in the library for the Conversations screen.

`--compare [REV_A REV_B]` replays the same conversations through two versions
(default: the approved revision against the working files; a version is `working`,
`approved` (production's approvals), an environment, PROCEDURE@REVISION (a bare
revision applies to --procedure), or another project folder) and lists the conversations whose
routing, outcome, handoff or stated facts would change.

Exit 0 when nothing diverges (or changes), 1 when something does, 2 on bad input or when
a conversation could not be replayed or judged (a model that failed is an error, never a
divergence).
"""
from __future__ import annotations

import json
import sys

from studio.core.progress import Progress
from studio.flywheel.replay import KIND_LABELS, KINDS
from studio.flywheel.store import Filter
from studio.runtime.options import RunOptions

from .conv_common import ProgressLine
from .conv_revisions import APPROVED, WORKING, RevisionError, load_revision
from .library_common import add_project_arg, error, load, open_library
from .model_flags import ENGINE_HELP, add_model_flags


def add_arguments(p) -> None:
    add_project_arg(p)
    p.add_argument("--since", metavar="DATE", help="only conversations started on or after DATE "
                                                   "(YYYY-MM-DD or ISO time)")
    p.add_argument("--procedure", metavar="P", help="only conversations production routed to P")
    p.add_argument("--limit", type=int, metavar="N", help="at most N conversations")
    p.add_argument("--compare", nargs="*", metavar="REV",
                   help="shadow replay: REV_A REV_B (default: approved working)")
    add_model_flags(p, model_help=ENGINE_HELP)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress output")


def main(args) -> int:
    if args.compare is not None and len(args.compare) not in (0, 2):
        return error("--compare takes two versions (REV_A REV_B) or none "
                     f"(= {APPROVED} {WORKING})")
    project = load(args.project, simulations=False)
    if project is None:
        return 2
    library = open_library(args.project, quiet=True)
    if library is None:
        return 2
    flt = Filter(since=args.since, procedure=args.procedure, limit=args.limit)
    options = RunOptions(model=args.model, api_base=args.api_base)
    progress = Progress(ProgressLine("replaying", quiet=args.quiet or args.json))
    try:
        if args.compare is not None:
            return _compare(args, library, flt, options, progress)
        from studio.flywheel.replay_all import replay_library
        summary = replay_library(project, library, flt, options=options, progress=progress)
    finally:
        library.close()
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2))
    else:
        for result in summary.results:
            print(f"{result.conversation_id}  [production {result.production_procedure or '-'}"
                  f" / today {result.triggered or '-'}]")
            for d in result.divergences:
                where = ", ".join(x for x in (f"turn {d.turn}" if d.turn else "",
                                              f"trace #{d.trace_index}" if d.trace_index is not None
                                              else "") if x)
                print(f"    {KIND_LABELS[d.kind]}: {d.message}" + (f" ({where})" if where else ""))
        kinds = ", ".join(f"{KIND_LABELS[k]} {summary.by_kind[k]}" for k in KINDS if summary.by_kind[k])
        print(f"{summary.replayed} conversations replayed ({summary.engine}): {summary.diverged} "
              f"diverged" + (f" ({kinds})" if kinds else "") + f", {summary.errors} could not be replayed")
        if summary.total == 0:
            print("no conversations match: `studio conversations import PROJECT FILE` brings some in",
                  file=sys.stderr)
    return 2 if summary.errors else 1 if summary.diverged else 0


def _compare(args, library, flt, options, progress) -> int:
    from studio.flywheel.compare import compare_library
    rev_a, rev_b = args.compare or [APPROVED, WORKING]
    notices: list[str] = []
    try:
        project_a, project_b = (load_revision(args.project, rev, procedure=args.procedure,
                                              library=library, notices=notices)
                                for rev in (rev_a, rev_b))
    except RevisionError as exc:
        return error(str(exc))
    for notice in dict.fromkeys(notices):
        print(notice, file=sys.stderr)
    summary = compare_library(project_a, project_b, library, flt, options=options, progress=progress)
    if args.json:
        print(json.dumps(summary.to_dict(rev_a, rev_b), indent=2))
    else:
        for change in summary.changed:
            print(f"{change.conversation_id}: " + "; ".join(c.text() for c in change.changes))
        print(f"{summary.compared} conversations replayed through {rev_a} and {rev_b}: "
              f"{len(summary.changed)} would change")
    return 1 if summary.changed else 0
