"""`studio suggest PROJECT PROCEDURE [--model M] [--write]`: suggested simulations.

Offline (the default) walks the procedure's branches and prints one simulation
per path, with the branch coverage they reach and what could not be satisfied.
With --model, a model also proposes realistic edge cases (wrong order number,
a customer who changes their mind, an angry customer...). Every suggestion is
validated before it is shown; --write saves them under simulations/.
Exit 0 on success, 2 on errors (a model that fails still leaves the branch
generator's suggestions).
"""
from __future__ import annotations

import sys
from pathlib import Path

from .model_flags import add_model_flags, load_model_project, settings_from_args


def register(subparsers) -> None:
    p = subparsers.add_parser("suggest", help="suggest simulations that cover a procedure's branches",
                              description=__doc__)
    p.add_argument("project", metavar="PROJECT", help="the project folder")
    p.add_argument("procedure", metavar="PROCEDURE", help="the procedure id")
    add_model_flags(p, model_help="also ask this model for edge cases")
    p.add_argument("--count", type=int, default=4, metavar="N", help="edge cases to ask the model for")
    p.add_argument("--write", action="store_true", help="save the suggestions under simulations/")
    p.add_argument("--quiet", "-q", action="store_true", help="print only the summary")
    p.set_defaults(func=main)


def main(args) -> int:
    from studio.core.yaml_io import model_to_yaml
    from studio.simulate.suggest import suggest_simulations

    project = load_model_project(args.project)
    if project is None:
        return 2
    root = project.root
    if args.procedure not in project.procedures:
        known = ", ".join(sorted(project.procedures)) or "none"
        print(f"error: unknown procedure '{args.procedure}' (known: {known})", file=sys.stderr)
        return 2
    report = suggest_simulations(project, args.procedure)
    suggestions = [(s.key, s.simulation) for s in report.suggestions]
    problems = list(report.problems)
    model_error = None
    if args.model and args.model != "offline":
        from studio.llm.errors import ModelError
        from studio.simulate.suggest_model import suggest_edge_cases
        try:
            edge = suggest_edge_cases(project, args.procedure, count=args.count,
                                      settings=settings_from_args(project, args),
                                      examples=[s for _, s in suggestions[:2]])
        except ModelError as exc:      # the branch suggestions are still good: keep them
            model_error = exc
        else:
            suggestions += [(e.key, e.simulation) for e in edge.accepted]
            problems += edge.problems
    if not args.quiet:
        for key, simulation in suggestions:
            print(f"# {key}.yaml")
            print(model_to_yaml(simulation))
    covered, total = len(report.covered_branches), len(report.branches)
    print(f"{len(suggestions)} suggested simulation(s) for '{args.procedure}'; branch coverage "
          f"{covered}/{total}" + (f" ({100 * covered / total:.0f}%)" if total else ""),
          file=sys.stderr)
    for unreached in report.unreached:
        conditions = "; ".join(unreached.conditions) or "-"
        print(f"  not reached: {unreached.target}: {unreached.reason} (conditions: {conditions})",
              file=sys.stderr)
    for target, name in getattr(report, "reached_by_saved", {}).items():
        print(f"  reached by the saved simulation '{name}': {target}", file=sys.stderr)
    for problem in problems:
        print(f"  note: {problem}", file=sys.stderr)
    if args.write:
        for key, simulation in suggestions:
            path = project.save_simulation(_free_key(project, root, key), simulation)
            print(f"wrote {path.relative_to(root)}", file=sys.stderr)
    if model_error is not None:
        print(f"error: the model could not suggest edge cases: {model_error}; only the branch "
              f"generator's suggestions are above" + (" (and written)" if args.write else ""),
              file=sys.stderr)
        return 2
    return 0


def _free_key(project, root: Path, key: str) -> str:
    """Never overwrite: suggested-x-1 becomes suggested-x-1-2 when taken."""
    candidate, n = key, 1
    while candidate in project.simulations or (root / "simulations" / f"{candidate}.yaml").exists():
        n += 1
        candidate = f"{key}-{n}"
    return candidate
