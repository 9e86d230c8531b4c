"""Replay many stored conversations, with progress and cancel, and keep the results."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from studio.core.progress import Progress
from studio.library import Library
from studio.runtime.options import RunOptions, engine_name, run_with_models

from .replay import KINDS, ReplayResult, replay_one
from .replay_store import save_replays
from .store import Filter, count, iter_conversations

SAVE_EVERY = 200


@dataclass
class ReplaySummary:
    engine: str
    total: int = 0
    replayed: int = 0
    diverged: int = 0
    errors: int = 0
    by_kind: Counter = field(default_factory=Counter)
    results: list[ReplayResult] = field(default_factory=list)   # diverged or error
    cancelled: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"schema": "conversations-replay/v1", "engine": self.engine, "total": self.total,
                "replayed": self.replayed, "diverged": self.diverged, "errors": self.errors,
                "by_kind": {k: self.by_kind.get(k, 0) for k in KINDS},
                "cancelled": self.cancelled,
                "conversations": [r.to_dict() for r in self.results]}


def replay_library(project: Any, library: Library, flt: Filter | None = None, *,
                   options: RunOptions | None = None, progress: Progress | None = None,
                   store: bool = True) -> ReplaySummary:
    """Replay the conversations `flt` selects; keep each one's latest replay when `store`.
    Only diverged (or failed) results stay in memory (the rest are written and dropped)."""
    with run_with_models(options) as options:
        return _replay(project, library, flt, options, progress, store)


def _replay(project: Any, library: Library, flt: Filter | None, options: RunOptions,
            progress: Progress | None, store: bool) -> ReplaySummary:
    summary = ReplaySummary(engine=engine_name(project, options), total=count(library, flt))
    pending: list[ReplayResult] = []
    for conv in iter_conversations(library, flt):
        if progress is not None and progress.cancelled:
            summary.cancelled = True
            break
        result = replay_one(project, conv, options, cancel=progress)
        summary.replayed += 1
        if result.status == "error":
            summary.errors += 1
        if result.diverged:
            summary.diverged += 1
        if result.divergences:
            summary.by_kind.update(result.kinds)
            summary.results.append(result)
        pending.append(result)
        if store and len(pending) >= SAVE_EVERY:
            save_replays(library, pending, summary.engine)
            pending = []
        if progress is not None:
            progress.report(summary.replayed, summary.total, conv.id)
    if store:
        save_replays(library, pending, summary.engine)
    return summary
