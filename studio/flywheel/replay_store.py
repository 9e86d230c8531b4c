"""The latest replay of each conversation, kept in the library so the Conversations
screen can filter on "diverged" and the report can say where conversations end."""
from __future__ import annotations

from typing import Any

from studio.library import Library
from studio.library.records import dumps, loads, now

from .replay import Divergence, ReplayResult


def save_replays(library: Library, results: list[ReplayResult], engine: str) -> None:
    stamp = now()
    rows = [{"conversation_id": r.conversation_id, "replayed_at": stamp, "engine": engine,
             "triggered": r.triggered, "outcome": r.outcome, "end_step": r.end_step,
             "status": r.status, "error": r.error, "diverged": int(r.diverged),
             "kinds": dumps(r.kinds), "divergences": dumps([d.__dict__ for d in r.divergences]),
             "transcript": dumps(r.transcript), "trace": dumps(r.trace)} for r in results]
    if rows:
        library.write(lambda db: db["conversation_replays"].upsert_all(rows, pk="conversation_id"))


def replay_of(row: dict[str, Any], production: dict[str, Any] | None = None) -> ReplayResult:
    production = production or {}
    result = ReplayResult(row["conversation_id"], production.get("procedure"),
                          production.get("outcome"), triggered=row["triggered"],
                          outcome=row["outcome"], end_step=row["end_step"],
                          status=row["status"] or "ok", error=row["error"],
                          transcript=loads(row.get("transcript"), []),
                          trace=loads(row.get("trace"), []))
    result.divergences = [Divergence(**d) for d in loads(row["divergences"], [])]
    return result


def latest_replay(library: Library, conv_id: str) -> ReplayResult | None:
    rows = library.query("SELECT r.*, c.procedure AS p, c.outcome AS o FROM conversation_replays r "
                         "JOIN conversations c ON c.id = r.conversation_id "
                         "WHERE r.conversation_id = ?", [conv_id])
    if not rows:
        return None
    row = rows[0]
    return replay_of(row, {"procedure": row["p"], "outcome": row["o"]})


def replay_summaries(library: Library) -> dict[str, dict[str, Any]]:
    """conversation id -> {diverged, kinds, triggered, outcome, end_step} (no traces)."""
    rows = library.query("SELECT conversation_id, diverged, kinds, triggered, outcome, end_step, "
                         "status FROM conversation_replays")
    return {r["conversation_id"]: r | {"kinds": loads(r["kinds"], [])} for r in rows}
