"""Two revisions of a procedure loaded and compared: what `studio diff` and the Review
screen show (the snapshots, the semantic diff and a label for each side)."""
from __future__ import annotations

from dataclasses import dataclass

from studio.core.project import Project
from studio.library import Library
from studio.library.revisions import Snapshot

from .revisions import WORKING, default_base, label_of, load_snapshot, resolve_revision
from .semantic_diff import SemanticDiff, diff_snapshots


@dataclass
class Comparison:
    procedure: str
    old: Snapshot | None
    new: Snapshot
    diff: SemanticDiff
    old_label: str
    new_label: str


def compare(project: Project, library: Library | None, procedure_id: str,
            old: str | None = None, new: str = WORKING) -> Comparison:
    """`old` None: the latest approval (else the latest run revision); names as for
    `resolve_revision`. Raises RevisionNotFound."""
    if old is None:
        old_rev, old_label = default_base(project, procedure_id, library)
    else:
        old_rev = resolve_revision(project, procedure_id, old, library)
        old_label = label_of(project, procedure_id, old_rev)
    new_rev = resolve_revision(project, procedure_id, new, library)
    old_snap = load_snapshot(project, procedure_id, old_rev, library) if old_rev else None
    new_snap = load_snapshot(project, procedure_id, new_rev, library)
    diff = diff_snapshots(old_snap, new_snap, procedure=procedure_id, old_revision=old_rev,
                          new_revision=new_rev)
    return Comparison(procedure_id, old_snap, new_snap, diff, old_label,
                      label_of(project, procedure_id, new_rev))
