"""`studio validate PATH [--json]`: every problem of a project, for people or tools."""
from __future__ import annotations

from itertools import groupby
from pathlib import Path

from studio.core.problems import Problem, Severity, has_errors
from studio.core.project import load_project
from studio.core.validate import validate_project

from .output import print_json


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "validate", help="check a project and list its problems",
        description="Check a project folder. Exit code 0: no errors (warnings allowed); "
                    "1: errors found (a folder without studio.yaml is one); 2: the path is not a folder.")
    parser.add_argument("path", type=Path, help="the project folder (it holds studio.yaml)")
    parser.add_argument("--json", action="store_true", help="print the problems as a JSON list")
    parser.set_defaults(func=run)


def run(args) -> int:
    root: Path = args.path
    if not root.is_dir():
        message = f"{root} is not a folder"
        if args.json:
            print_json("problems/v1", {"problems": [Problem(code="io", message=message).model_dump(mode="json")]})
        else:
            print(f"error: {message}; give the path of a project folder (it holds studio.yaml)")
        return 2
    project = load_project(root)
    problems = validate_project(project)
    if args.json:
        print_json("problems/v1", {"problems": [p.model_dump(mode="json") for p in problems]})
    else:
        print(format_report(problems, project))
    return 1 if has_errors(problems) else 0


def format_report(problems: list[Problem], project) -> str:
    lines: list[str] = []
    for file, group in groupby(problems, key=lambda p: p.file or "<project>"):
        if lines:
            lines.append("")
        for problem in group:
            lines.append(problem.format())
    lines.append(("" if not lines else "\n") + summary(problems, project))
    return "\n".join(lines).lstrip("\n")


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def summary(problems: list[Problem], project) -> str:
    counts = {s: sum(1 for p in problems if p.severity == s) for s in Severity}
    what = ", ".join([_count(len(project.procedures), "procedure"),
                      _count(len(project.connectors), "connector"),
                      _count(len(project.knowledge), "article"),
                      _count(len(project.simulations), "simulation")])
    if not problems:
        return f"{project.name}: no problems ({what})"
    parts = [_count(counts[Severity.error], "error"), _count(counts[Severity.warning], "warning")]
    if counts[Severity.info]:
        parts.append(_count(counts[Severity.info], "note"))
    files = _count(len({p.file for p in problems}), "file")
    return f"{project.name}: {', '.join(parts)} in {files} ({what})"
