"""Numbers for reports and charts: per procedure, per run and over time.

A result counts for the procedure the router triggered first. Tokens and
cost that the engine did not know stay unknown (None) instead of becoming
zero: a total is given only over what was known, with the count of unknown
ones beside it, and shown as a lower bound ('≥'). A result whose cost is
unknown but partly priced (`cost_known`) adds that part to the lower bound,
as run-all's own summary does.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from .library import Library

NO_PROCEDURE = "(none)"
_COLUMNS = "run_id, triggered, outcome, status, turns, duration_ms, tokens, cost, cost_known"


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


@dataclass
class ProcedureStats:
    procedure: str
    triggered: int = 0
    resolved: int = 0
    handoff: int = 0
    unresolved: int = 0
    no_outcome: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0            # nothing to judge (a rubric offline): not passed
    avg_turns: float | None = None
    p50_duration_ms: float | None = None
    p95_duration_ms: float | None = None
    tokens: int | None = None
    tokens_unknown: int = 0
    cost: float | None = None
    cost_unknown: int = 0

    def to_dict(self) -> dict[str, Any]:
        """With `cost_complete`/`tokens_complete`: false when the figure is only the
        sum over the results that knew it (or nothing knew it)."""
        data = asdict(self)
        data["tokens_complete"] = self.tokens is not None and not self.tokens_unknown
        data["cost_complete"] = self.cost is not None and not self.cost_unknown
        return data


@dataclass
class RunStats:
    run_id: int
    started: str
    status: str
    procedures: list[ProcedureStats] = field(default_factory=list)
    total: ProcedureStats | None = None       # every result of the run together

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "started": self.started, "status": self.status,
                "procedures": [p.to_dict() for p in self.procedures],
                "total": self.total.to_dict() if self.total else None}


def summarise(name: str, rows: Iterable[dict]) -> ProcedureStats:
    stats = ProcedureStats(procedure=name)
    turns, durations, tokens, costs = [], [], [], []
    for row in rows:
        stats.triggered += 1
        outcome = row["outcome"]
        if outcome in ("resolved", "handoff", "unresolved"):
            setattr(stats, outcome, getattr(stats, outcome) + 1)
        else:
            stats.no_outcome += 1
        status = row["status"]
        if status == "passed":
            stats.passed += 1
        elif status == "failed":
            stats.failed += 1
        elif status == "skipped":
            stats.skipped += 1
        else:
            stats.errors += 1
        turns.append(row["turns"] or 0)
        durations.append(row["duration_ms"] or 0.0)
        if row["tokens"] is None:
            stats.tokens_unknown += 1
        else:
            tokens.append(row["tokens"])
        if row["cost"] is None:
            stats.cost_unknown += 1
            if row.get("cost_known"):
                costs.append(row["cost_known"])
        else:
            costs.append(row["cost"])
    if stats.triggered:
        stats.avg_turns = sum(turns) / len(turns)
        stats.p50_duration_ms = percentile(durations, 0.5)
        stats.p95_duration_ms = percentile(durations, 0.95)
    stats.tokens = sum(tokens) if tokens else None
    stats.cost = sum(costs) if costs else None
    return stats


def _run_stats(run, rows: list[dict]) -> RunStats:
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["triggered"] or NO_PROCEDURE, []).append(row)
    return RunStats(run_id=run.id, started=run.started, status=run.status,
                    procedures=[summarise(p, grouped[p]) for p in sorted(grouped)],
                    total=summarise("(all)", rows))


def run_stats(library: Library, run_id: int | None = None) -> RunStats:
    """Stats of one run (default: the latest)."""
    run = library.require_run(run_id)
    rows = library.query(f"SELECT {_COLUMNS} FROM results WHERE run_id = ?", [run.id])
    return _run_stats(run, rows)


def history(library: Library, limit: int = 50) -> list[RunStats]:
    """One point per run, oldest first: what the GUI charts over time."""
    runs = list(reversed(library.runs(limit=limit)))
    if not runs:
        return []
    rows = library.query(f"SELECT {_COLUMNS} FROM results WHERE run_id >= ? ORDER BY run_id",
                         [runs[0].id])
    by_run: dict[int, list[dict]] = {}
    for row in rows:
        by_run.setdefault(row["run_id"], []).append(row)
    return [_run_stats(run, by_run.get(run.id, [])) for run in runs]


def series(points: list[RunStats], procedure: str, metric: str) -> list[tuple[int, Any]]:
    """(run id, value) pairs of one metric of one procedure ('(all)' for the total)."""
    out = []
    for point in points:
        stats = point.total if procedure == "(all)" else next(
            (p for p in point.procedures if p.procedure == procedure), None)
        out.append((point.run_id, getattr(stats, metric) if stats else None))
    return out


LOWER_BOUND_NOTE = ("≥ : a lower bound, not the whole figure: some results did not report tokens "
                    "or cost (a price was unknown, or no model ran); it adds up those that did")


def num_text(value: Any, fmt: str = "{:.0f}", unknown: int = 0) -> str:
    """'unknown' when no result knew it; '≥' before a sum only some results knew,
    so a partial total never reads as the whole one."""
    if value is None:
        return "unknown"
    return ("≥" if unknown else "") + fmt.format(value)


def is_partial(stats: "ProcedureStats") -> bool:
    return ((stats.tokens is not None and stats.tokens_unknown > 0)
            or (stats.cost is not None and stats.cost_unknown > 0))


def format_stats(stats: RunStats) -> str:
    lines = [f"stats of run {stats.run_id} ({stats.started}, {stats.status})",
             f"{'procedure':<24} {'trig':>5} {'resolv':>6} {'handoff':>7} {'unres':>5} "
             f"{'turns':>5} {'p50 ms':>8} {'p95 ms':>8} {'tokens':>8} {'cost':>8}"]
    for p in stats.procedures + ([stats.total] if stats.total else []):
        lines.append(f"{p.procedure[:24]:<24} {p.triggered:>5} {p.resolved:>6} {p.handoff:>7} "
                     f"{p.unresolved:>5} {num_text(p.avg_turns, '{:.1f}'):>5} "
                     f"{num_text(p.p50_duration_ms, '{:.1f}'):>8} "
                     f"{num_text(p.p95_duration_ms, '{:.1f}'):>8} "
                     f"{num_text(p.tokens, unknown=p.tokens_unknown):>8} "
                     f"{num_text(p.cost, '{:.4f}', p.cost_unknown):>8}")
    if any(is_partial(p) for p in stats.procedures + ([stats.total] if stats.total else [])):
        lines.append(LOWER_BOUND_NOTE)
    return "\n".join(lines)
