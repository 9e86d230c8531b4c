"""What a run-all keeps in memory: a few fields per result, never the results themselves.

At 20,000 simulations the full results (transcripts, traces) cost over a gigabyte
and garbage-collection pauses of seconds; the library has them, so the CLI's
summary, the GUI's table and the JUnit/JSON reports read what they need from
here and stream the rest back from library.sqlite.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from .records import ResultRecord, aggregate_status, loads, record_from_row


@dataclass(slots=True)
class ResultBrief:
    """One stored result, briefly. Reads like a ResultRecord for the fields summaries and the
    library table use (`brief.result.error` works: `result` is the brief itself)."""
    simulation: str
    repeat_index: int
    status: str
    run_id: int = 0
    procedure: str | None = None
    error: str | None = None
    error_code: str | None = None        # what kind of fault (error_codes.py)
    duration_ms: float = 0.0
    tokens: int | None = None
    cost: float | None = None
    cost_known: float | None = None
    finished: str | None = None
    failing: list[tuple[str, str]] = field(default_factory=list)   # (type, message) that failed
    skipped_reason: str | None = None    # why nothing could be judged (status skipped)

    @property
    def result(self) -> "ResultBrief":
        return self

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "ResultBrief":
        failing, skipped_reason = [], None
        if row.get("status") in ("failed", "skipped"):
            expectations = loads(row.get("expectations"), []) or []
            failing = [(e.get("type", ""), e.get("message", ""))
                       for e in expectations if e.get("status") == "fail"]
            skipped_reason = next((e.get("message", "") for e in expectations
                                   if e.get("status") == "skipped"), None)
        return cls(simulation=row["simulation"], repeat_index=row.get("repeat_index") or 0,
                   status=row["status"], run_id=row.get("run_id") or 0,
                   procedure=row.get("procedure"), error=row.get("error"),
                   error_code=row.get("error_code"),
                   duration_ms=row.get("duration_ms") or 0.0, tokens=row.get("tokens"),
                   cost=row.get("cost"), cost_known=row.get("cost_known"),
                   finished=row.get("finished"), failing=failing,
                   skipped_reason=skipped_reason)


def stored_results(path: Path, run_id: int, *, order: str = "simulation, repeat_index"
                   ) -> Iterator[ResultRecord]:
    """A run's full results, one at a time, from the library file (its own read-only
    connection, so a summary's reports work after the Library is closed)."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        for row in conn.execute(f"SELECT * FROM results WHERE run_id = ? ORDER BY {order}",
                                [run_id]):
            yield record_from_row(dict(row))
    finally:
        conn.close()


@dataclass
class RunSummary:
    run_id: int
    status: str                          # complete / cancelled / interrupted
    total: int                           # planned executions (simulations x repeats)
    repeat: int = 1
    duration_s: float = 0.0
    briefs: list[ResultBrief] = field(default_factory=list)
    source: Path | None = None           # library.sqlite, where the full results are

    @property
    def records(self) -> list[ResultBrief]:
        """The stored results, briefly (`full_records()` reads them whole)."""
        return self.briefs

    def full_records(self, order: str = "simulation, repeat_index") -> Iterator[ResultRecord]:
        if self.source is None:
            return iter(())
        return stored_results(self.source, self.run_id, order=order)

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.briefs)

    passed = property(lambda self: self.count("passed"))
    failed = property(lambda self: self.count("failed"))
    errors = property(lambda self: self.count("error"))
    skipped = property(lambda self: self.count("skipped"))

    @property
    def done(self) -> int:
        return len(self.briefs)

    def by_simulation(self) -> dict[str, list[ResultBrief]]:
        grouped: dict[str, list[ResultBrief]] = {}
        for brief in sorted(self.briefs, key=lambda r: (r.simulation, r.repeat_index)):
            grouped.setdefault(brief.simulation, []).append(brief)
        return grouped

    def verdicts(self) -> dict[str, str]:
        """passed / failed / error per simulation, over all its repeats."""
        return {name: aggregate_status([r.status for r in recs])
                for name, recs in self.by_simulation().items()}

    @property
    def pass_k(self) -> float | None:
        """Share of simulations that passed every one of their repeats (pass^k)."""
        grouped = self.by_simulation()
        if not grouped:
            return None
        return sum(all(r.status == "passed" for r in recs) for recs in grouped.values()) / len(grouped)

    @property
    def flaky(self) -> list[str]:
        """Simulations with mixed verdicts across repeats."""
        return sorted(name for name, recs in self.by_simulation().items()
                      if len({r.status for r in recs}) > 1)

    @property
    def exit_code(self) -> int:
        if self.errors or self.status == "interrupted":
            return 2
        if self.failed or self.status == "cancelled":
            return 1
        return 0

    def to_dict(self, *, details: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "run_id": self.run_id, "status": self.status, "total": self.total,
            "done": self.done, "passed": self.passed, "failed": self.failed,
            "errors": self.errors, "skipped": self.skipped, "repeat": self.repeat,
            "duration_s": round(self.duration_s, 3),
            "pass_k": self.pass_k, "flaky": self.flaky, "verdicts": self.verdicts(),
        }
        if details:
            data["results"] = list(self.result_dicts())
        return data

    def result_dicts(self) -> Iterator[dict[str, Any]]:
        """Each stored result as the JSON report writes it, in (simulation, repeat) order."""
        for r in self.full_records():
            yield {"repeat_index": r.repeat_index, "finished": r.finished} | \
                r.result.model_dump(mode="json")

