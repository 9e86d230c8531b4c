"""What the Conversations screen lists and charts, Qt-free: filtered rows joined with
each conversation's latest replay, and trigger / resolve / handoff counts per week."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from studio.library import Library
from studio.library.records import loads

from .report import WEEK

SERIES = ("triggered", "resolved", "handoff", "unresolved")


@dataclass
class ListFilter:
    procedure: str | None = None      # production's procedure; "" = none
    outcome: str | None = None        # production's outcome
    diverged: bool | None = None      # None: either; needs a replay
    unmatched: bool = False           # production or today's replay matched no procedure
    since: str | None = None          # YYYY-MM-DD
    until: str | None = None          # YYYY-MM-DD, inclusive
    limit: int = 2000

    def sql(self) -> tuple[str, list[Any]]:
        where, params = [], []
        if self.procedure == "":
            where.append("(c.procedure IS NULL OR c.procedure = '')")
        elif self.procedure:
            where.append("c.procedure = ?")
            params.append(self.procedure)
        if self.outcome:
            where.append("c.outcome = ?")
            params.append(self.outcome)
        if self.diverged is not None:
            where.append("coalesce(r.diverged, 0) = ?" if not self.diverged else "r.diverged = 1")
            params += [0] if not self.diverged else []
        if self.unmatched:
            where.append("((c.procedure IS NULL OR c.procedure = '') OR "
                         "(r.conversation_id IS NOT NULL AND r.triggered IS NULL))")
        if self.since:
            where.append("c.started_at >= ?")
            params.append(self.since)
        if self.until:
            where.append("c.started_at < date(?, '+1 day')")
            params.append(self.until)
        return (" WHERE " + " AND ".join(where)) if where else "", params


def list_conversations(library: Library, flt: ListFilter | None = None) -> tuple[list[dict[str, Any]], int]:
    """(up to `limit` rows, newest first; how many match in all)."""
    flt = flt or ListFilter()
    where, params = flt.sql()
    join = " FROM conversations c LEFT JOIN conversation_replays r ON r.conversation_id = c.id"
    total = library.query(f"SELECT count(*) AS n{join}{where}", params)[0]["n"]
    rows = library.query(
        "SELECT c.id, c.started_at, c.procedure, c.outcome, c.csat, c.turns, c.minutes, c.opener, "
        "r.triggered AS today_procedure, r.outcome AS today_outcome, r.diverged, r.kinds, "
        f"r.status AS replay_status{join}{where} ORDER BY c.started_at DESC, c.id LIMIT ?",
        params + [flt.limit])
    for row in rows:
        row["kinds"] = loads(row["kinds"], [])
        row["replayed"] = row["replay_status"] is not None
    return rows, total


def weekly_series(library: Library, procedure: str | None = None) -> list[dict[str, Any]]:
    """Per week (Monday): triggered, resolved, handed off, unresolved (production)."""
    where, params = "", []
    if procedure == "":
        where = " WHERE (procedure IS NULL OR procedure = '')"
    elif procedure:
        where, params = " WHERE procedure = ?", [procedure]
    rows = library.query(
        f"SELECT {WEEK} AS week, count(*) AS triggered, sum(outcome = 'resolved') AS resolved, "
        "sum(outcome = 'handoff') AS handoff, sum(outcome = 'unresolved') AS unresolved "
        f"FROM conversations{where} GROUP BY 1 HAVING week IS NOT NULL ORDER BY 1", params)
    return [{"week": r["week"]} | {k: r[k] or 0 for k in SERIES} for r in rows]


def series_csv(series: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["week", *SERIES], lineterminator="\n")
    writer.writeheader()
    writer.writerows(series)
    return out.getvalue()


def procedures_seen(library: Library) -> list[str]:
    rows = library.query("SELECT DISTINCT procedure FROM conversations "
                         "WHERE procedure IS NOT NULL AND procedure != '' ORDER BY 1")
    return [r["procedure"] for r in rows]
