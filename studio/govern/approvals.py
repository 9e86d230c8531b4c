"""Approval files: `approvals/<environment>/<procedure-id>.yaml` (schema approval/v1).

They live in the project, beside what they approve, so they travel with git and
review. A procedure is approved for an environment while its current revision
equals the approved one; after an edit it is "changed since approval".
"""
from __future__ import annotations

import getpass
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import Field

from studio.core.base import Model
from studio.core.ids import Id
from studio.core.problems import Problem
from studio.core.project import Project, load_model
from studio.core.user_settings import user_name
from studio.core.yaml_io import dump_yaml, atomic_write

APPROVALS_DIR = "approvals"
APPROVED, CHANGED, NEVER = "approved", "changed since approval", "never approved"


class Evidence(Model):
    run: int | None = None
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    simulations: list[str] = Field(default_factory=list)   # names, so an export can bundle them


class Approval(Model):
    schema_: Literal["approval/v1"] = Field(default="approval/v1", alias="schema")
    procedure: Id
    revision: str = Field(pattern=r"^[0-9a-f]{64}$")
    environment: Id
    approved_by: str = ""
    approved_at: str = ""
    comment: str | None = None
    evidence: Evidence = Field(default_factory=Evidence)

    def to_file_data(self) -> dict:
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        data["evidence"] = {k: v for k, v in data["evidence"].items() if v or k != "simulations"}
        return data


def approval_rel(environment: str, procedure_id: str) -> str:
    return f"{APPROVALS_DIR}/{environment}/{procedure_id}.yaml"


def read_approval(project: Project, procedure_id: str,
                  environment: str) -> tuple[Approval | None, list[Problem]]:
    """The approval file, or None when there is none; a broken file is None plus its problems."""
    rel = approval_rel(environment, procedure_id)
    path = Path(project.root) / rel
    if not path.is_file():
        return None, []
    approval, _, problems = load_model(Approval, path, rel)
    if approval is not None and (approval.procedure != procedure_id
                                 or approval.environment != environment):
        problems = problems + [Problem(code="approval", file=rel, line=1, message=(
            f"this file approves {approval.procedure} for {approval.environment}, but its place "
            f"says {procedure_id} for {environment}"), hint="move it or fix its fields")]
        approval = None
    return approval, [p for p in problems if p.severity.value == "error"]


def approved_revision(project: Project | Path | str, procedure_id: str,
                      environment: str) -> str | None:
    """The revision of `procedure_id` approved for `environment`, or None."""
    if not isinstance(project, Project):
        project = Project(root=Path(project))
    approval, _ = read_approval(project, procedure_id, environment)
    return approval.revision if approval else None


def approval_state(current: str | None, approved: str | None) -> str:
    if approved is None:
        return NEVER
    return APPROVED if current == approved else CHANGED


def current_user() -> str:
    """Who approves when the caller does not say: STUDIO_USER, else the name in the
    user's settings (`user: {name: ...}`), else the OS user."""
    try:
        return os.environ.get("STUDIO_USER") or user_name() or getpass.getuser()
    except (KeyError, OSError):      # no user database entry (some containers)
        return "unknown"


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def write_approval(project: Project, approval: Approval) -> Path:
    path = Path(project.root) / approval_rel(approval.environment, approval.procedure)
    atomic_write(path, dump_yaml(approval.to_file_data()))
    return path


def environment_problem(project: Project, environment: str) -> str | None:
    envs = project.settings.environments
    if environment not in envs:
        return (f"unknown environment {environment!r}: studio.yaml `environments` lists "
                f"{', '.join(envs)}")
    return None
