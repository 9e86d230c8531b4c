"""`studio conversations report PROJECT [--json] [--html FILE]`

Per procedure and per week: triggered, resolved, handed off, unresolved; completion
(resolved or handed off) and success (resolved) rates; average handle time in turns
and minutes; CSAT; failure modes by step (from the latest replay); the top unmatched
requests clustered by similarity with counts and example openers (with a model,
--model or studio.yaml, each cluster is named). `--draft N` drafts a
procedure for unmatched cluster N through `studio draft` (needs a model; `--out FILE`
writes it, never over an existing file unless --force).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from studio.core.yaml_io import atomic_write
from studio.flywheel.report import build_report
from studio.flywheel.report_html import num, pct, render_html
from studio.flywheel.store import Filter

from .library_common import add_project_arg, add_read_only_arg, error, load, read_library
from .model_flags import add_model_flags


def add_arguments(p) -> None:
    add_project_arg(p)
    p.add_argument("--since", metavar="DATE", help="only conversations started on or after DATE")
    p.add_argument("--procedure", metavar="P", help="only conversations production routed to P")
    p.add_argument("--top", type=int, default=10, metavar="N", help="unmatched clusters to show")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--html", metavar="FILE", help="write the report as an HTML page ('-' = stdout)")
    p.add_argument("--draft", type=int, metavar="N", help="draft a procedure for unmatched cluster N")
    p.add_argument("--out", metavar="FILE", help="with --draft: write the procedure YAML here")
    p.add_argument("--force", action="store_true", help="with --draft: let --out replace a file")
    add_model_flags(p)
    add_read_only_arg(p)


def main(args) -> int:
    project = load(args.project, simulations=False)
    if project is None:
        return 2
    flt = Filter(since=args.since, procedure=args.procedure)
    report, failed = read_library(args, lambda library: build_report(library, flt))
    if failed is not None:
        return failed
    if args.draft is not None:
        return _draft(args, project, report)
    named = _name_clusters(args, project, report)
    data = report.to_dict(top=args.top)
    if args.html:
        page = render_html(data, project.name)
        if args.html == "-":
            sys.stdout.write(page)
            return 0
        atomic_write(Path(args.html), page)
        print(f"wrote {args.html}", file=sys.stderr)
    if args.json:
        print(json.dumps(data, indent=2))
    elif not args.html:
        print_text(data)
    return 0 if named else 2


def _name_clusters(args, project, report) -> bool:
    """With a model (--model or studio.yaml), name the clusters shown; False after a
    model failure (the report is still printed, its clusters unnamed)."""
    from .model_flags import settings_from_args
    settings = settings_from_args(project, args)
    if settings.is_offline or not report.clusters:
        return True
    from studio.flywheel.cluster_names import name_clusters
    from studio.llm.errors import ModelError
    try:
        name_clusters(report.clusters[:args.top], settings)
    except ModelError as exc:
        print(f"error: the clusters could not be named: {exc}", file=sys.stderr)
        return False
    return True


def print_text(data: dict) -> None:
    print(f"{data['total']} conversations, {data['period']['from'] or '-'} to "
          f"{data['period']['to'] or '-'}")
    print(f"  {'procedure':<24} {'trig':>6} {'resolv':>6} {'handoff':>7} {'unres':>6} "
          f"{'compl':>6} {'succ':>6} {'turns':>6} {'min':>6} {'CSAT':>5}")
    for p in data["procedures"]:
        print(f"  {p['procedure'][:24]:<24} {p['triggered']:>6} {p['resolved']:>6} {p['handoff']:>7} "
              f"{p['unresolved']:>6} {pct(p['completion_rate']):>6} {pct(p['success_rate']):>6} "
              f"{num(p['avg_turns']):>6} {num(p['avg_minutes']):>6} {num(p['csat']):>5}")
    print("by week (triggered/resolved/handed off/unresolved):")
    for w in data["weeks"]:
        print(f"  {w['week'] or '-':<10} {w['procedure'][:24]:<24} {w['triggered']}/{w['resolved']}/"
              f"{w['handoff']}/{w['unresolved']}")
    modes = data["failure_modes"]
    if modes["steps"]:
        print(f"failure modes (today's replay of {modes['replayed']} conversations):")
        for m in modes["steps"]:
            print(f"  {m['count']:>6}  {m['outcome']:<10} at {m['step']}")
    else:
        print("failure modes: no replay yet (`studio conversations replay PROJECT`)")
    print(f"top unmatched requests ({data['unmatched']['total']} conversations):")
    for n, c in enumerate(data["unmatched"]["clusters"], start=1):
        print(f"  {n:>2}. {c['count']:>5}  " + (f"{c['name']}: " if c.get("name") else "") + c["label"] +
              (f"  (also: {'; '.join(c['examples'][1:3])})" if len(c["examples"]) > 1 else ""))
    if data["unmatched"]["clusters"]:
        print("draft a procedure for cluster N: studio conversations report PROJECT --draft N "
              "--out FILE (needs a model)")


def _draft(args, project, report) -> int:
    from . import cmd_draft
    from .model_flags import settings_from_args
    if settings_from_args(project, args).is_offline:
        return error("drafting a procedure needs a model: pass --model (e.g. openai/gpt-4o-mini) "
                     "or set model.name in studio.yaml")
    if not 1 <= args.draft <= len(report.clusters):
        return error(f"no cluster {args.draft}: the report has {len(report.clusters)} unmatched "
                     "clusters (numbered from 1)")
    cluster = report.clusters[args.draft - 1]
    print(f"drafting a procedure for: {cluster.label} ({cluster.count} conversations)",
          file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        outline = Path(tmp) / "outline.txt"
        outline.write_text(cluster.outline(), encoding="utf-8")
        return cmd_draft.main(argparse.Namespace(project=args.project, outline=str(outline),
                                                 out=args.out, force=args.force, model=args.model,
                                                 api_base=args.api_base))
