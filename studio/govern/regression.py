"""The edit that caused a regression: the semantic diff between the revision of the
procedure in the run where the simulation last passed and in the run where it fails.

The procedure models and the semantic diff are imported only when a procedure did
change: `studio runs diff` reads most libraries without them."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .semantic_diff import SemanticDiff


def regression_edit(library: Any, procedure: str, before_run: int,
                    after_run: int) -> SemanticDiff | None:
    """The diff of `procedure` between two runs; None when it did not change or when the
    content of either revision is not in the library (runs before revisions were kept)."""
    before, after = library.run(before_run), library.run(after_run)
    if before is None or after is None:
        return None
    a, b = before.revisions.get(procedure), after.revisions.get(procedure)
    if not a or not b or a == b:
        return None
    from studio.library.revision_store import revision_content
    from studio.library.revisions import revision_changed

    from .semantic_diff import diff_snapshots
    if not revision_changed(a, b):
        return None
    old, new = revision_content(library, a), revision_content(library, b)
    if old is None or new is None:
        return None
    return diff_snapshots(old, new, procedure=procedure, old_revision=a, new_revision=b)


def regression_causes(library: Any, run_diff: Any) -> dict[str, str]:
    """Simulation name -> the edit in words, for each regression of a `studio runs diff`
    result whose procedure changed between its passing and its failing run."""
    causes: dict[str, str] = {}
    edits: dict[tuple[str, int], Any] = {}     # regressions share procedures and runs
    for change in getattr(run_diff, "regressions", []):
        before_run = change.before_run or run_diff.before.id
        if not change.procedure or before_run is None:
            continue
        key = (change.procedure, before_run)
        if key not in edits:
            edits[key] = regression_edit(library, change.procedure, before_run,
                                         run_diff.after.id)
        edit = edits[key]
        if edit is not None and edit.changed:
            from .diff_text import summary_line
            causes[change.name] = summary_line(edit)
    return causes
