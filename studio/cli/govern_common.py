"""Shared by the review commands (revisions, diff, approve, status, export): the project
loaded, checked for files that do not load, and the procedure argument checked."""
from __future__ import annotations

import json
import sys
from typing import Any

from studio.core.project import Project

from .library_common import error, load


def load_checked(root: str) -> Project | None:
    """The project, or None after printing why not; files that do not load are named (a
    revision of a broken file would describe something other than what is on disk)."""
    project = load(root, simulations=False)
    if project is None:
        return None
    broken = [p for p in project.load_problems if p.severity.value == "error"]
    if broken:
        for problem in broken:
            print(problem.format(), file=sys.stderr)
        error(f"{len(broken)} file(s) of {root} do not load: fix them first "
              f"(`studio validate {root}`)")
        return None
    return project


def procedure_problem(project: Project, procedure_id: str) -> str | None:
    if procedure_id in project.procedures:
        return None
    known = ", ".join(sorted(project.procedures)) or "none"
    return f"there is no procedure {procedure_id!r} in {project.root} (procedures: {known})"


def print_json(schema: str, data: dict[str, Any]) -> None:
    print(json.dumps({"schema": schema} | data, indent=2, ensure_ascii=False))
