"""`studio conversations to-sim PROJECT ID [--name NAME] [--yes]`

Turns an imported conversation into a regression simulation: its customer turns are the
script, connector outputs from the log are fixtures, and the expectations are captured
from today's run (procedure, outcome, visited steps, connector calls, notes). The
simulation is shown for review and saved to the library and simulations/ as YAML once
confirmed (--yes saves without asking). Exit 0 saved, 1 not saved, 2 errors.
"""
from __future__ import annotations

import sys

from studio.flywheel.store import get
from studio.flywheel.to_sim import CaptureError, capture, save_capture
from studio.library import LibraryError
from studio.runtime.options import RunOptions

from .library_common import add_project_arg, error, load, open_library
from .model_flags import ENGINE_HELP, add_model_flags


def add_arguments(p) -> None:
    add_project_arg(p)
    p.add_argument("id", metavar="ID", help="the conversation's id")
    p.add_argument("--name", metavar="NAME", help="the simulation's name (default: production ID)")
    p.add_argument("--yes", "-y", action="store_true", help="save without asking")
    add_model_flags(p, model_help=ENGINE_HELP)


def confirm(question: str) -> bool | None:
    """True/False from the terminal; None when there is no one to ask."""
    if not sys.stdin or not sys.stdin.isatty():
        return None
    print(question, end=" ", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def main(args) -> int:
    project = load(args.project)
    if project is None:
        return 2
    library = open_library(args.project, quiet=True)
    if library is None:
        return 2
    try:
        conv = get(library, args.id)
        if conv is None:
            return error(f"no conversation {args.id!r} in the library "
                         "(`studio conversations import` brings them in)")
        try:
            cap = capture(project, conv, name=args.name,
                          options=RunOptions(model=args.model, api_base=args.api_base))
        except CaptureError as exc:
            return error(str(exc))
        print(cap.yaml, end="")
        answer = True if args.yes else confirm(
            f"Save as simulations/{cap.key}.yaml and in the library? [y/N]")
        if answer is None:
            print("not saved: review the simulation above, then run again with --yes to save it",
                  file=sys.stderr)
            return 1
        if not answer:
            print("not saved", file=sys.stderr)
            return 1
        try:
            path = save_capture(project, library, cap)
        except LibraryError as exc:
            return error(str(exc))
        print(f"saved {path.relative_to(project.root)} (passes on today's procedures)",
              file=sys.stderr)
        return 0
    finally:
        library.close()
