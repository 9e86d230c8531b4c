"""The content behind revisions, kept in the library (table `revision_contents`).

Written when a run starts (every procedure's revision the run used) and when a
revision is approved; never changed afterwards: a revision's content is fixed by
its hash. `first_seen` is when the library first met it.
"""
from __future__ import annotations

import json
from typing import Any

from studio.library.sqlite_import import sqlite_utils  # without numpy

from studio.core.project import Project

from .records import now
from .revisions import Snapshot, canonical_json, revision_snapshots, snapshot, snapshot_revision


def keep_snapshots(library, snapshots: dict[str, Snapshot], source: str) -> None:
    """Store each revision -> snapshot not stored yet (`source`: run or approval)."""
    if not snapshots:
        return
    stamp = now()
    rows = [{"revision": rev, "procedure": snap["procedure"], "content": canonical_json(snap),
             "first_seen": stamp, "source": source} for rev, snap in snapshots.items()]

    def work(db: sqlite_utils.Database) -> None:
        db["revision_contents"].insert_all(rows, ignore=True)
    library.write(work)


def keep_project_revisions(library, project: Project, source: str = "run") -> dict[str, str]:
    """Store the content of every procedure's current revision; procedure id -> revision."""
    found = revision_snapshots(project)
    keep_snapshots(library, {rev: snap for rev, snap in found.values()}, source)
    return {proc_id: rev for proc_id, (rev, _) in found.items()}


def keep_procedure_revision(library, project: Project, procedure_id: str,
                            source: str = "approval") -> str:
    snap = snapshot(project, procedure_id)
    revision = snapshot_revision(snap)
    keep_snapshots(library, {revision: snap}, source)
    return revision


def revision_content(library, revision: str) -> Snapshot | None:
    rows = library.query("SELECT content FROM revision_contents WHERE revision = ?", [revision])
    return json.loads(rows[0]["content"]) if rows else None


def stored_revisions(library, procedure_id: str) -> list[dict[str, Any]]:
    """[{revision, first_seen, source}] of one procedure, oldest first."""
    return library.query("SELECT revision, first_seen, source FROM revision_contents "
                         "WHERE procedure = ? ORDER BY first_seen, rowid", [procedure_id])


def match_revision(library, procedure_id: str, prefix: str) -> list[str]:
    """Stored revisions of the procedure that start with `prefix` (a git-like short hash)."""
    rows = library.query("SELECT revision FROM revision_contents WHERE procedure = ? "
                         "AND revision LIKE ? ORDER BY first_seen", [procedure_id,
                                                                     prefix.lower() + "%"])
    return [r["revision"] for r in rows]
