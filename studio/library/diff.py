"""What changed between two runs: regressions first, then fixes, still failing, new, removed.

Shared by `studio runs diff` and the GUI. Simulations are matched by name; a
simulation run several times counts by its worst verdict (error > failed >
passed). Expectations are matched by type and expected value, so the diff
names exactly which checks started or stopped failing.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from .library import Library
from .records import LibraryError, ResultRecord, RunRecord, aggregate_status


@dataclass
class ExpectationChange:
    type: str
    message: str
    before: str | None          # pass / fail / skipped / None (absent)
    after: str | None
    expected: Any = None
    actual: Any = None


@dataclass
class SimulationChange:
    name: str
    procedure: str | None
    before: str | None          # passed / failed / error / None (not in that run)
    after: str | None
    error: str | None = None    # the error now, when it is one
    expectations: list[ExpectationChange] = field(default_factory=list)   # changed checks
    failing: list[str] = field(default_factory=list)   # "type: message" of what fails now


@dataclass
class RunDiff:
    before: RunRecord
    after: RunRecord
    regressions: list[SimulationChange] = field(default_factory=list)
    fixes: list[SimulationChange] = field(default_factory=list)
    still_failing: list[SimulationChange] = field(default_factory=list)
    new: list[SimulationChange] = field(default_factory=list)
    removed: list[SimulationChange] = field(default_factory=list)
    unchanged_passing: int = 0
    changed_procedures: list[str] = field(default_factory=list)   # YAML differs between runs

    @property
    def has_regressions(self) -> bool:
        return bool(self.regressions)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["before"] = self.before.to_dict()
        data["after"] = self.after.to_dict()
        return data


def _representative(records: list[ResultRecord]) -> ResultRecord:
    """The record that explains the verdict: the first one that did not pass."""
    return next((r for r in records if r.status != "passed"), records[0])


def _key(e) -> tuple[str, str]:
    return e.type, json.dumps(e.expected, sort_keys=True, default=str)


def _group(records: list[ResultRecord]) -> dict[str, list[ResultRecord]]:
    grouped: dict[str, list[ResultRecord]] = {}
    for record in records:
        grouped.setdefault(record.simulation, []).append(record)
    return grouped


def _expectation_changes(old: ResultRecord | None, new: ResultRecord | None) -> list[ExpectationChange]:
    before = {_key(e): e for e in old.result.expectations} if old else {}
    after = {_key(e): e for e in new.result.expectations} if new else {}
    changes = []
    for key in list(after) + [k for k in before if k not in after]:
        b, a = before.get(key), after.get(key)
        if b is not None and a is not None and b.status == a.status:
            continue
        shown = a if a is not None else b
        changes.append(ExpectationChange(
            type=shown.type, message=shown.message, before=b.status if b else None,
            after=a.status if a else None, expected=shown.expected,
            actual=a.actual if a is not None else None))
    # newly failing first: they are what the reader came for
    changes.sort(key=lambda c: (c.after != "fail", c.type))
    return changes


def diff_runs(library: Library, run_a: int | None = None, run_b: int | None = None) -> RunDiff:
    """Compare run A (before) with run B (after); default: the two latest runs."""
    if run_a is None or run_b is None:
        runs = library.runs(limit=2)
        if len(runs) < 2:
            raise LibraryError("need two runs to compare; run `studio run-all` again after a change")
        run_b, run_a = runs[0].id, runs[1].id
    before, after = library.run(run_a), library.run(run_b)
    for run_id, run in ((run_a, before), (run_b, after)):
        if run is None:
            raise LibraryError(f"there is no run {run_id}; `studio runs list` shows them")
    old = _group(library.results(run_a, light=True))
    new = _group(library.results(run_b, light=True))
    diff = RunDiff(before=before, after=after)
    diff.changed_procedures = sorted(
        p for p in set(before.revisions) | set(after.revisions)
        if before.revisions.get(p) != after.revisions.get(p))
    for name in sorted(set(old) | set(new)):
        o = _representative(old[name]) if name in old else None
        n = _representative(new[name]) if name in new else None
        b = aggregate_status([r.status for r in old[name]]) if o else None
        a = aggregate_status([r.status for r in new[name]]) if n else None
        change = SimulationChange(
            name=name, procedure=(n or o).result.procedure, before=b, after=a,
            error=n.result.error if n and a == "error" else None,
            expectations=_expectation_changes(o, n),
            failing=[f"{e.type}: {e.message}" for e in n.result.failed_expectations] if n else [])
        if b is None:
            diff.new.append(change)
        elif a is None:
            diff.removed.append(change)
        elif b == "passed" and a != "passed":
            diff.regressions.append(change)
        elif b != "passed" and a == "passed":
            diff.fixes.append(change)
        elif a != "passed":
            diff.still_failing.append(change)
        else:
            diff.unchanged_passing += 1
    return diff


def format_diff(diff: RunDiff) -> str:
    """The plain-text report the CLI prints."""
    lines = [f"run {diff.before.id} ({diff.before.started}) -> run {diff.after.id} "
             f"({diff.after.started})"]
    if diff.changed_procedures:
        lines.append("procedures changed: " + ", ".join(diff.changed_procedures))
    sections = (("REGRESSIONS (passed before, failing now)", diff.regressions),
                ("fixed", diff.fixes), ("still failing", diff.still_failing),
                ("new", diff.new), ("removed", diff.removed))
    for title, changes in sections:
        if not changes:
            continue
        lines.append("")
        lines.append(f"{title}: {len(changes)}")
        for c in changes:
            lines.append(f"  {c.name}  [{c.procedure or '-'}]  {c.before or '-'} -> {c.after or '-'}")
            if c.error:
                lines.append(f"      error: {c.error}")
            for e in c.expectations:
                arrow = f"{e.before or '-'} -> {e.after or '-'}"
                lines.append(f"      {e.type} ({arrow}): {e.message}")
    lines.append("")
    lines.append(f"{len(diff.regressions)} regression(s), {len(diff.fixes)} fix(es), "
                 f"{len(diff.still_failing)} still failing, {len(diff.new)} new, "
                 f"{len(diff.removed)} removed, {diff.unchanged_passing} unchanged passing")
    return "\n".join(lines)
