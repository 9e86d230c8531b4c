"""Which version of the project a shadow replay runs.

- `working`: the files as they are;
- `approved`: every procedure at the revision approved for the last environment (the
  one production conversations come from), else as it is; an environment name the same
  for that environment;
- `PROCEDURE@REV`: the working files with that procedure at REV (a revision prefix, an
  environment, or `working`); a bare REV applies to `--procedure P`;
- a folder: another copy of the project.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

WORKING = "working"
APPROVED = "approved"


class RevisionError(Exception):
    pass


def load_revision(root: str | Path, spec: str, *, procedure: str | None = None,
                  library: Any = None, notices: list[str] | None = None) -> Any:
    """The project at `spec`; `notices` gets what the user should know about the choice
    (an approved version with nothing approved yet is the working files)."""
    from studio.core.project import load_project
    if spec == WORKING:
        return load_project(Path(root))
    if Path(spec).is_dir():
        return load_project(Path(spec))
    from studio.govern.approvals import approved_revision
    from studio.govern.revisions import project_at, resolve_revision, working_revision
    project = load_project(Path(root))
    environments = list(project.settings.environments)
    try:
        if spec == APPROVED or spec in environments:
            environment = environments[-1] if spec == APPROVED else spec
            approved = {pid: approved_revision(project, pid, environment)
                        for pid in sorted(project.procedures)}
            if notices is not None and not any(approved.values()):
                notices.append(f"note: no procedure is approved for {environment} yet, so "
                               f"{spec!r} is the working files (approve one with `studio approve`)")
            for pid, revision in approved.items():
                if revision and revision != working_revision(project, pid):
                    project = project_at(project, pid, revision, library=library)
            return project
        pid, name = spec.split("@", 1) if "@" in spec else (procedure, spec)
        if not pid:
            raise RevisionError(
                f"cannot read version {spec!r}: give {WORKING}, {APPROVED}, an environment "
                f"({', '.join(environments)}), PROCEDURE@REVISION, or another project folder")
        if pid not in project.procedures:
            raise RevisionError(f"cannot read version {spec!r}: no procedure {pid!r}")
        return project_at(project, pid, resolve_revision(project, pid, name, library),
                          library=library)
    except RevisionError:
        raise
    except Exception as exc:  # noqa: BLE001 - the revision store says what is wrong
        raise RevisionError(f"cannot read version {spec!r}: {exc}") from None

