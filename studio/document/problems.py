"""The project's problems for the problems panel and the step badges."""
from __future__ import annotations

from studio.core.problems import Problem
from studio.core.project import Project


def project_problems(project: Project) -> list[Problem]:
    from studio.core.validate import validate_project
    try:
        return validate_project(project)
    except Exception as exc:   # a validator bug must not take the editor down
        return list(project.load_problems) + [Problem(code="internal",
                                                      message=f"validation failed: {exc}")]
