"""Shadow replay of a change: the same real conversations through two versions of the
project, listing those whose routing, outcome, handoff or stated facts would change.

Works on two loaded Project objects, so where they come from (an approved revision,
the working files, another folder) is the caller's business. `count_changes` is the
small question a review screen asks: how many recent conversations would go
differently?
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from studio.core.progress import Progress
from studio.library import Library
from studio.runtime.options import RunOptions

from .conversation import ProductionConversation
from .facts import shown
from .replay import ReplayResult, replay_one
from .store import Filter, count, iter_conversations

WHAT = ("routing", "outcome", "handoff", "facts", "error")
RECENT = 500


@dataclass
class Change:
    what: str              # one of WHAT
    a: Any
    b: Any
    turn: int | None = None
    trace_index: int | None = None     # into B's trace

    def text(self) -> str:
        if self.what == "facts":
            return f"turn {self.turn}: states {shown(frozenset(self.b))} instead of {shown(frozenset(self.a))}"
        if self.what == "handoff":
            return "now hands off" if self.b else "no longer hands off"
        return f"{self.what}: {self.a or 'none'} -> {self.b or 'none'}"


@dataclass
class ConversationChange:
    conversation_id: str
    changes: list[Change]
    a: ReplayResult
    b: ReplayResult

    def to_dict(self) -> dict[str, Any]:
        return {"conversation": self.conversation_id,
                "changes": [{"what": c.what, "a": c.a, "b": c.b, "turn": c.turn,
                             "trace_index": c.trace_index, "text": c.text()} for c in self.changes]}


def _trace_index(result: ReplayResult, kind: str, turn: int | None = None) -> int | None:
    for index, event in enumerate(result.trace):
        if event.get("type") == kind and (turn is None or event.get("turn") == turn):
            return index
    return None


def differences(a: ReplayResult, b: ReplayResult) -> list[Change]:
    found: list[Change] = []
    if a.status != b.status:
        found.append(Change("error", a.error, b.error))
    if a.triggered != b.triggered:
        found.append(Change("routing", a.triggered, b.triggered, 1, _trace_index(b, "procedure_chosen")))
    if a.outcome != b.outcome:
        found.append(Change("outcome", a.outcome, b.outcome, None, _trace_index(b, "end")))
    if (a.outcome == "handoff") != (b.outcome == "handoff"):
        found.append(Change("handoff", a.outcome == "handoff", b.outcome == "handoff", None,
                            _trace_index(b, "handoff")))
    for turn in sorted(set(a.replies) | set(b.replies)):
        before, after = a.replies.get(turn, frozenset()), b.replies.get(turn, frozenset())
        if before != after:
            found.append(Change("facts", sorted(before), sorted(after), turn,
                                _trace_index(b, "reply", turn)))
            break
    return found


def compare_one(project_a: Any, project_b: Any, conv: ProductionConversation,
                options: RunOptions | None = None) -> ConversationChange | None:
    a = replay_one(project_a, conv, options, judge=False)
    b = replay_one(project_b, conv, options, judge=False)
    changes = differences(a, b)
    return ConversationChange(conv.id, changes, a, b) if changes else None


@dataclass
class CompareSummary:
    compared: int = 0
    total: int = 0
    changed: list[ConversationChange] = field(default_factory=list)
    by_what: Counter = field(default_factory=Counter)
    cancelled: bool = False

    def to_dict(self, a: str = "A", b: str = "B") -> dict[str, Any]:
        return {"schema": "conversations-compare/v1", "a": a, "b": b, "compared": self.compared,
                "changed": len(self.changed), "by_what": {w: self.by_what.get(w, 0) for w in WHAT},
                "cancelled": self.cancelled, "conversations": [c.to_dict() for c in self.changed]}


def compare_library(project_a: Any, project_b: Any, library: Library, flt: Filter | None = None, *,
                    options: RunOptions | None = None,
                    progress: Progress | None = None) -> CompareSummary:
    summary = CompareSummary(total=count(library, flt))
    for conv in iter_conversations(library, flt):
        if progress is not None and progress.cancelled:
            summary.cancelled = True
            break
        change = compare_one(project_a, project_b, conv, options)
        summary.compared += 1
        if change is not None:
            summary.changed.append(change)
            summary.by_what.update({c.what for c in change.changes})
        if progress is not None:
            progress.report(summary.compared, summary.total, conv.id)
    return summary


def recent_filter(library: Library, limit: int = RECENT) -> Filter:
    """The `limit` most recent conversations (by start time)."""
    rows = library.query("SELECT started_at FROM conversations WHERE started_at IS NOT NULL "
                         "ORDER BY started_at DESC LIMIT 1 OFFSET ?", [max(limit - 1, 0)])
    return Filter(since=rows[0]["started_at"] if rows else None, limit=limit)


def count_changes(project_a: Any, project_b: Any, library: Library, *, limit: int = RECENT,
                  progress: Progress | None = None) -> int:
    """How many of the `limit` most recent conversations would turn out differently under
    B than under A (for a review screen: "this change alters 12 of the last 500")."""
    flt = recent_filter(library, limit)
    return len(compare_library(project_a, project_b, library, flt, progress=progress).changed)
