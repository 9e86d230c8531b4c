"""Analytics over imported conversations: how procedures do with real customers.

Per procedure and per week: triggered, resolved, handed off, unresolved; completion
rate (ended as designed: resolved or handed off) and success rate (resolved);
average handle time in customer turns and minutes; CSAT; failure modes (where
today's replay ends handed off or unresolved, by step); the top unmatched requests
clustered by similarity. Counting is done by SQLite, so the report reads a library of
any size in flat memory.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from studio.library import Library

from .clusters import Cluster, cluster_openers
from .store import Filter, iter_rows

UNMATCHED = "(unmatched)"
WEEK = "date(started_at, '-6 days', 'weekday 1')"       # the Monday starting its ISO week
COUNTS = ("count(*) AS triggered, "
          "sum(outcome = 'resolved') AS resolved, sum(outcome = 'handoff') AS handoff, "
          "sum(outcome = 'unresolved') AS unresolved, sum(outcome IS NULL) AS unknown, "
          "avg(turns) AS avg_turns, avg(minutes) AS avg_minutes, "
          "avg(csat) AS csat, count(csat) AS rated")


def _rates(row: dict[str, Any]) -> dict[str, Any]:
    triggered = row["triggered"] or 0
    resolved, handoff = row["resolved"] or 0, row["handoff"] or 0
    out = {k: row[k] or 0 for k in ("triggered", "resolved", "handoff", "unresolved", "unknown")}
    out["completion_rate"] = round((resolved + handoff) / triggered, 4) if triggered else None
    out["success_rate"] = round(resolved / triggered, 4) if triggered else None
    out["avg_turns"] = round(row["avg_turns"], 2) if row["avg_turns"] is not None else None
    out["avg_minutes"] = round(row["avg_minutes"], 2) if row["avg_minutes"] is not None else None
    out["csat"] = round(row["csat"], 2) if row["csat"] is not None else None
    out["rated"] = row["rated"] or 0
    return out


@dataclass
class Report:
    total: int = 0
    first: str | None = None
    last: str | None = None
    procedures: list[dict[str, Any]] = field(default_factory=list)
    weeks: list[dict[str, Any]] = field(default_factory=list)
    failure_modes: list[dict[str, Any]] = field(default_factory=list)
    replayed: int = 0
    unmatched: int = 0
    clusters: list[Cluster] = field(default_factory=list)

    def to_dict(self, top: int = 10) -> dict[str, Any]:
        return {"schema": "conversations-report/v1", "total": self.total,
                "period": {"from": self.first, "to": self.last},
                "procedures": self.procedures, "weeks": self.weeks,
                "failure_modes": {"replayed": self.replayed, "steps": self.failure_modes},
                "unmatched": {"total": self.unmatched,
                              "clusters": [c.to_dict() for c in self.clusters[:top]]}}


def build_report(library: Library, flt: Filter | None = None) -> Report:
    flt = flt or Filter()
    where, params = flt.sql()
    report = Report()
    span = library.query(f"SELECT count(*) AS n, min(started_at) AS a, max(started_at) AS b "
                         f"FROM conversations{where}", params)[0]
    report.total, report.first, report.last = span["n"], span["a"], span["b"]
    proc = f"coalesce(nullif(procedure, ''), '{UNMATCHED}')"
    rows = library.query(f"SELECT {proc} AS procedure, {COUNTS} FROM conversations{where} "
                         "GROUP BY 1 ORDER BY triggered DESC, 1", params)
    report.procedures = [{"procedure": r["procedure"]} | _rates(r) for r in rows]
    rows = library.query(f"SELECT {WEEK} AS week, {proc} AS procedure, {COUNTS} "
                         f"FROM conversations{where} GROUP BY 1, 2 ORDER BY 1, 2", params)
    report.weeks = [{"week": r["week"], "procedure": r["procedure"]} | _rates(r) for r in rows]
    joined, _ = flt.sql("c")
    report.replayed = library.query(
        "SELECT count(*) AS n FROM conversation_replays r JOIN conversations c "
        f"ON c.id = r.conversation_id{joined}", params)[0]["n"]
    rows = library.query(
        "SELECT r.end_step AS step, r.outcome AS outcome, count(*) AS count "
        "FROM conversation_replays r JOIN conversations c ON c.id = r.conversation_id"
        f"{joined}{' AND' if joined else ' WHERE'} r.outcome IN ('handoff', 'unresolved') "
        "GROUP BY 1, 2 ORDER BY 3 DESC, 1", params)
    report.failure_modes = [{"step": r["step"] or "(routing)", "outcome": r["outcome"],
                             "count": r["count"]} for r in rows]
    unmatched = Filter(since=flt.since, until=flt.until, procedure="", outcome=flt.outcome,
                       ids=flt.ids)
    report.clusters = cluster_openers((r["id"], r["opener"])
                                      for r in iter_rows(library, unmatched,
                                                         "id, started_at, opener"))
    report.unmatched = sum(c.count for c in report.clusters)
    return report
