"""`studio draft PROJECT --outline FILE [--out FILE] [--model M]`: draft a procedure
from an outline or SOP with a model, validated (one repair round).

Prints the YAML (or writes it to --out, never over an existing file unless
--force). Exit 0 with a valid draft, 1 when the
draft still has problems (the model's text and the problems are shown, nothing
is written), 2 on errors (no model, model failure, unreadable outline).
"""
from __future__ import annotations

import sys
from pathlib import Path

from .model_flags import add_model_flags, load_model_project, settings_from_args


def register(subparsers) -> None:
    p = subparsers.add_parser("draft", help="draft a procedure from an outline or SOP with a model",
                              description=__doc__)
    p.add_argument("project", metavar="PROJECT", help="the project folder")
    p.add_argument("--outline", required=True, metavar="FILE", help="text file with the outline or SOP ('-' for stdin)")
    p.add_argument("--out", metavar="FILE", help="write the procedure YAML here")
    p.add_argument("--force", action="store_true", help="let --out replace an existing file")
    add_model_flags(p)
    p.set_defaults(func=main)


def main(args) -> int:
    from studio.core.yaml_io import atomic_write
    from studio.llm.draft import draft_procedure
    from studio.llm.errors import ModelError

    project = load_model_project(args.project)
    if project is None:
        return 2
    try:
        outline = sys.stdin.read() if args.outline == "-" else Path(args.outline).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot read the outline: {exc}", file=sys.stderr)
        return 2
    if args.out and Path(args.out).exists() and not args.force:
        print(f"error: {args.out} exists; choose another --out, or add --force to replace it",
              file=sys.stderr)
        return 2
    settings = settings_from_args(project, args)
    if settings.is_offline:
        print("error: drafting needs a model: pass --model (e.g. openai/gpt-4o-mini) or set "
              "model.name in studio.yaml", file=sys.stderr)
        return 2
    try:
        result = draft_procedure(project, outline, settings=settings)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for problem in result.problems:
        print(problem.format(), file=sys.stderr)
    if not result.ok:
        print(result.text)
        print("error: the draft still has problems after one repair round; the model's text is "
              "above, fix it by hand", file=sys.stderr)
        return 1
    if result.procedure is not None and result.procedure.id in project.procedures:
        print(f"warning: the project already has a procedure '{result.procedure.id}'; "
              "rename the draft's id before adding it", file=sys.stderr)
    if args.out:
        atomic_write(Path(args.out), result.text)
        print(f"wrote {args.out}" + (" (after one repair round)" if result.repaired else ""),
              file=sys.stderr)
    else:
        print(result.text, end="")
    return 0
