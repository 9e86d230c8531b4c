"""Which version of each procedure a run used, so a diff can say what changed between runs.

A revision is a short hash of the procedure as the run saw it: the in-memory
model serialised to YAML, so the GUI's unsaved edits count, and saving a file
without changing it does not. Runs stored before this scheme hashed the file's
bytes; the two kinds cannot be compared, so such a pair counts as unknown, not
as a change.
"""
from __future__ import annotations

import hashlib

from studio.core.procedure import Procedure
from studio.core.project import Project
from studio.core.yaml_io import model_to_yaml

PREFIX = "m1:"          # model YAML, scheme 1; older runs stored bare hex digests of the file


def procedure_revision(procedure: Procedure) -> str:
    digest = hashlib.sha256(model_to_yaml(procedure).encode("utf-8")).hexdigest()
    return PREFIX + digest[:16]


def procedure_revisions(project: Project) -> dict[str, str]:
    """procedure id -> revision, for every procedure the project has in memory."""
    return {proc_id: procedure_revision(project.procedures[proc_id])
            for proc_id in sorted(project.procedures)}


def revision_changed(before: str | None, after: str | None) -> bool:
    """True when the procedure differs (added and removed count); False when it is the
    same or when the two revisions were made by different schemes (unknown)."""
    if before == after:
        return False
    if before is None or after is None:
        return True
    return before.startswith(PREFIX) == after.startswith(PREFIX)


def changed_procedures(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(p for p in set(before) | set(after)
                  if revision_changed(before.get(p), after.get(p)))
