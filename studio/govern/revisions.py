"""Revisions of a procedure: the working one, the stored ones, and the project as it was.

Public API used by other packages (the flywheel's shadow replay among them):
`project_at`, `approved_revision`, `working_revision`, `revision_history`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from studio.core.connector import Connector
from studio.core.knowledge import Article
from studio.core.procedure import Procedure
from studio.core.project import Project, load_project
from studio.library import Library, LibraryError
from studio.library.records import aggregate_status
from studio.library.revision_store import match_revision, revision_content, stored_revisions
from studio.library.revisions import Snapshot, snapshot, snapshot_revision

from .approvals import approved_revision  # noqa: F401 - part of this module's public API

WORKING = "working"
_HEX = re.compile(r"^[0-9a-f]{4,64}$")


class RevisionNotFound(LookupError):
    """A revision the library does not hold (never run nor approved, or another project)."""


def as_project(project_or_dir: Project | Path | str) -> Project:
    if isinstance(project_or_dir, Project):
        return project_or_dir
    return load_project(Path(project_or_dir), simulations=False)


def working_snapshot(project: Project, procedure_id: str) -> Snapshot:
    return snapshot(project, procedure_id)


def working_revision(project: Project, procedure_id: str) -> str | None:
    """The revision of the procedure as the project holds it now (None: no such procedure)."""
    if procedure_id not in project.procedures:
        return None
    return snapshot_revision(snapshot(project, procedure_id))


def project_from_snapshot(base: Project, snap: Snapshot) -> Project:
    """`base` with the procedures, connectors and articles of `snap` as they were in it."""
    procedures = dict(base.procedures)
    procedures.update({pid: Procedure.model_validate(data)
                       for pid, data in snap.get("procedures", {}).items()})
    connectors = dict(base.connectors)
    connectors.update({cid: Connector.model_validate(data)
                       for cid, data in snap.get("connectors", {}).items()})
    knowledge = dict(base.knowledge)
    knowledge.update({aid: Article(id=aid, title=art.get("title", ""), body=art.get("body", ""))
                      for aid, art in snap.get("knowledge", {}).items()})
    return replace(base, procedures=procedures, connectors=connectors, knowledge=knowledge)


def load_snapshot(project: Project, procedure_id: str, revision: str,
                  library: Library | None = None) -> Snapshot:
    """The content of `revision` (the working files when it is the working revision)."""
    if revision == WORKING or revision == working_revision(project, procedure_id):
        return snapshot(project, procedure_id)
    snap = _with_library(project, library, lambda lib: revision_content(lib, revision))
    if snap is None or snap.get("procedure") != procedure_id:
        raise RevisionNotFound(f"revision {revision[:12]} of {procedure_id} is not in the "
                               f"library of {project.root} (only revisions that were run or "
                               "approved are kept)")
    return snap


def project_at(project_or_dir: Project | Path | str, procedure_id: str, revision: str, *,
               library: Library | None = None) -> Project:
    """The project with `procedure_id` and everything it uses as they were at `revision`
    (other files as they are now). Raises RevisionNotFound when the library lacks it.

    `library`: an open library to read from; by default the project's library is
    opened read-only for the call (so this works while the app holds it)."""
    project = as_project(project_or_dir)
    return project_from_snapshot(project, load_snapshot(project, procedure_id, revision, library))


def resolve_revision(project: Project, procedure_id: str, name: str,
                     library: Library | None = None) -> str:
    """A full revision from what a user typed: `working`, an environment (its approved
    revision), or a unique prefix of a stored revision (at least 4 hex digits)."""
    name = name.strip().lower()
    if name == WORKING:
        rev = working_revision(project, procedure_id)
        if rev is None:
            raise RevisionNotFound(f"there is no procedure {procedure_id!r} in the working files")
        return rev
    if name in project.settings.environments:
        rev = approved_revision(project, procedure_id, name)
        if rev is None:
            raise RevisionNotFound(f"{procedure_id} has never been approved for {name}")
        return rev
    if not _HEX.match(name):
        raise RevisionNotFound(f"{name!r} is not a revision: give `working`, an environment "
                               f"({', '.join(project.settings.environments)}) or at least 4 hex "
                               f"digits of one (`studio revisions {project.root} {procedure_id}`)")
    if name == working_revision(project, procedure_id):
        return name
    found = _with_library(project, library, lambda lib: match_revision(lib, procedure_id, name))
    found = found or []
    work = working_revision(project, procedure_id) or ""
    if work.startswith(name) and work not in found:
        found.append(work)
    if len(found) == 1:
        return found[0]
    if not found:
        raise RevisionNotFound(f"no revision of {procedure_id} starts with {name}")
    raise RevisionNotFound(f"{name} is ambiguous: {', '.join(r[:12] for r in found)}")


@dataclass
class RevisionInfo:
    revision: str
    first_seen: str | None
    source: str | None                  # run / approval / working (not stored yet)
    latest_run: int | None = None
    latest_status: str | None = None    # passed / failed / error over the procedure's sims
    passed: int = 0
    failed: int = 0
    errors: int = 0
    working: bool = False
    approved_for: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def runs_of_revision(library: Library, procedure_id: str, revision: str) -> list[int]:
    """Ids of runs that used exactly `revision` of the procedure, newest first."""
    rows = library.query("SELECT id FROM runs WHERE json_extract(revisions, ?) = ? "
                         "ORDER BY id DESC", [f'$."{procedure_id}"', revision])
    return [r["id"] for r in rows]


def revision_history(project: Project, library: Library, procedure_id: str) -> list[RevisionInfo]:
    """Every stored revision of the procedure, oldest first, with its latest run's result;
    the working revision last when it was never run."""
    work = working_revision(project, procedure_id)
    approvals = {env: approved_revision(project, procedure_id, env)
                 for env in project.settings.environments}
    out = []
    rows = stored_revisions(library, procedure_id)
    for row in rows:
        out.append(_info(library, project, procedure_id, row["revision"], row["first_seen"],
                         row["source"], work, approvals))
    if work and all(r["revision"] != work for r in rows):
        out.append(_info(library, project, procedure_id, work, None, WORKING, work, approvals))
    return out


def _info(library, project, procedure_id, revision, first_seen, source, work,
          approvals) -> RevisionInfo:
    info = RevisionInfo(revision=revision, first_seen=first_seen, source=source,
                        working=revision == work,
                        approved_for=[env for env, rev in approvals.items() if rev == revision])
    runs = runs_of_revision(library, procedure_id, revision)
    if runs:
        info.latest_run = runs[0]
        rows = library.query("SELECT simulation, status FROM results WHERE run_id = ? AND "
                             "procedure = ?", [runs[0], procedure_id])
        per_sim: dict[str, list[str]] = {}
        for row in rows:
            per_sim.setdefault(row["simulation"], []).append(row["status"])
        verdicts = [aggregate_status(s) for s in per_sim.values()]
        info.passed = verdicts.count("passed")
        info.failed = verdicts.count("failed")
        info.errors = verdicts.count("error")
        info.latest_status = aggregate_status(verdicts) if verdicts else "not run"
    return info


def _with_library(project: Project, library: Library | None, work):
    if library is not None:
        return work(library)
    if not project.library_path.exists():
        return None
    try:
        lib = Library.open(project.root, read_only=True)
    except LibraryError:          # not upgraded yet: it holds no revision content
        return None
    with lib:
        return work(lib)


def default_base(project: Project, procedure_id: str,
                 library: Library | None = None) -> tuple[str | None, str]:
    """What `studio diff` compares the working files with when not told: the latest
    approval (over all environments), else the latest stored revision that differs."""
    from .approvals import read_approval
    envs = project.settings.environments
    approvals = [a for a in (read_approval(project, procedure_id, env)[0] for env in envs) if a]
    if approvals:          # the latest; on a tie, the one further along the rollout
        latest = max(approvals, key=lambda a: (a.approved_at, envs.index(a.environment)))
        return latest.revision, f"approved for {latest.environment}"
    work = working_revision(project, procedure_id)
    rows = _with_library(project, library, lambda lib: stored_revisions(lib, procedure_id)) or []
    older = [r["revision"] for r in rows if r["revision"] != work]
    if older:
        return older[-1], f"{older[-1][:12]} (never approved; the latest one run)"
    return None, "nothing (never run nor approved)"


def label_of(project: Project, procedure_id: str, revision: str | None) -> str:
    if revision is None:
        return "nothing"
    if revision == working_revision(project, procedure_id):
        return f"{revision[:12]} (working files)"
    envs = [env for env in project.settings.environments
            if approved_revision(project, procedure_id, env) == revision]
    return f"{revision[:12]}" + (f" (approved for {', '.join(envs)})" if envs else "")
