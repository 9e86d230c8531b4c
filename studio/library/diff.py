"""What changed between runs: regressions first, then fixes, still failing, new, removed.

Shared by `studio runs diff` and the GUI. By default the latest run is compared
simulation by simulation with each one's previous result, whichever run made
it: after re-running only the failures (or one tag), the diff speaks of what
was re-run instead of calling everything else "removed". Two run ids compare
those two runs as wholes. Simulations are matched by name; a simulation run
several times counts by its worst verdict (error > failed > passed).
Expectations are matched by type and expected value, so the diff names
exactly which checks started or stopped failing.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from .library import Library
from .records import (LIGHT_COLUMNS, NOT_FAILING, LibraryError, ResultRecord, RunRecord,
                      aggregate_status, record_from_row, runs_text)
from .revisions import changed_procedures

DIFF_COLUMNS = tuple(c for c in LIGHT_COLUMNS if c != "coverage")
NEED_TWO_RUNS = "need two runs to compare; run `studio run-all` again after a change"


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
    before_run: int | None = None   # the run the earlier result comes from


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
    baseline: str = "run"           # "run": run A as a whole; "previous": each one's previous result
    before_runs: list[int] = field(default_factory=list)   # runs the earlier results come from

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
    return next((r for r in records if r.status not in NOT_FAILING), records[0])


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
    """Compare run A (before) with run B (after).

    Without run A, each simulation of run B (default: the latest run) is
    compared with its own previous result, whichever earlier run made it.
    Only run A given: run A against the latest run, as wholes.
    Verdicts come from the status column alone; full results are read only for
    the simulations the diff lists, so a large library that mostly passes
    diffs in a fraction of a second.
    """
    if run_b is None and library.latest_run() is None:
        raise LibraryError(NEED_TWO_RUNS)
    after = library.require_run(run_b)
    if run_a is None:
        return _diff_with_previous(library, after)
    before = library.require_run(run_a)
    diff = RunDiff(before=before, after=after, before_runs=[before.id])
    diff.changed_procedures = changed_procedures(before.revisions, after.revisions)
    old, new = _run_statuses(library, before.id), _run_statuses(library, after.id)
    listed = _listed(old, new)
    _fill(diff, old, new, _run_details(library, before.id, listed),
          _run_details(library, after.id, listed))
    return diff


def _diff_with_previous(library: Library, after: RunRecord) -> RunDiff:
    older = library.query("SELECT id FROM runs WHERE id < ? ORDER BY id DESC LIMIT 1", [after.id])
    if not older:
        raise LibraryError(NEED_TWO_RUNS)
    previous_run = older[0]["id"]
    new = _run_statuses(library, after.id)
    earlier: dict[str, list[str]] = {}
    made_by: dict[str, int] = {}
    for row in library._latest("r.simulation, r.run_id, r.status", before_run=after.id):
        earlier.setdefault(row["simulation"], []).append(row["status"])
        made_by[row["simulation"]] = row["run_id"]
    in_library = {r["name"] for r in library.query("SELECT name FROM simulations")}
    # what was not re-run stays out, unless it was deleted since the run before this one
    old = {name: statuses for name, statuses in earlier.items()
           if name in new or (made_by[name] == previous_run and name not in in_library)}
    used = sorted({made_by[name] for name in old}, reverse=True)
    runs = {run_id: library.run(run_id) for run_id in used or [previous_run]}
    diff = RunDiff(before=runs[max(runs)], after=after, baseline="previous", before_runs=used)
    diff.changed_procedures = sorted({p for run in runs.values()
                                      for p in changed_procedures(run.revisions, after.revisions)})
    listed = _listed(old, new)
    columns = ", ".join(f"r.{c}" for c in DIFF_COLUMNS)
    old_details = _group([record_from_row(r) for r in library._latest(
        columns, before_run=after.id, names=sorted(listed & set(old)))])
    _fill(diff, old, new, old_details, _run_details(library, after.id, listed))
    return diff


def _run_statuses(library: Library, run_id: int) -> dict[str, list[str]]:
    statuses: dict[str, list[str]] = {}
    for row in library.db.execute("SELECT simulation, status FROM results WHERE run_id = ? "
                                  "ORDER BY simulation, repeat_index", [run_id]):
        statuses.setdefault(row[0], []).append(row[1])
    return statuses


def _listed(old: dict[str, list[str]], new: dict[str, list[str]]) -> set[str]:
    """The simulations the diff shows: all but those that passed before and pass now."""
    return {name for name in set(old) | set(new)
            if not (name in old and name in new and _ok(aggregate_status(old[name]))
                    and _ok(aggregate_status(new[name])))}


def _run_details(library: Library, run_id: int, names: set[str]) -> dict[str, list[ResultRecord]]:
    if not names:
        return {}
    rows = library.query(
        f"SELECT {', '.join(DIFF_COLUMNS)} FROM results WHERE run_id = ? AND simulation IN "
        "(SELECT value FROM json_each(?)) ORDER BY simulation, repeat_index",
        [run_id, json.dumps(sorted(names))])
    return _group([record_from_row(r) for r in rows])


def _fill(diff: RunDiff, old: dict[str, list[str]], new: dict[str, list[str]],
          old_details: dict[str, list[ResultRecord]],
          new_details: dict[str, list[ResultRecord]]) -> None:
    for name in sorted(set(old) | set(new)):
        b = aggregate_status(old[name]) if name in old else None
        a = aggregate_status(new[name]) if name in new else None
        if _ok(b) and _ok(a):           # skipped (nothing to judge) never reads as a change
            diff.unchanged_passing += 1
            continue
        o = _representative(old_details[name]) if name in old_details else None
        n = _representative(new_details[name]) if name in new_details else None
        change = SimulationChange(
            name=name, procedure=(n or o).result.procedure, before=b, after=a,
            error=n.result.error if n and a == "error" else None,
            expectations=_expectation_changes(o, n),
            failing=[f"{e.type}: {e.message}" for e in n.result.failed_expectations] if n else [],
            before_run=o.run_id if o else None)
        if b is None:
            diff.new.append(change)
        elif a is None:
            diff.removed.append(change)
        elif _ok(b):
            diff.regressions.append(change)
        elif _ok(a):
            diff.fixes.append(change)
        else:
            diff.still_failing.append(change)


def _ok(status: str | None) -> bool:
    return status in NOT_FAILING


def _header(diff: RunDiff) -> str:
    after = f"run {diff.after.id} ({diff.after.started})"
    if diff.baseline != "previous":
        return f"run {diff.before.id} ({diff.before.started}) -> {after}"
    filters = f", filtered: {_filters_text(diff.after.filters)}" if diff.after.filters else ""
    earlier = f" (from {runs_text(diff.before_runs)})" if diff.before_runs else ""
    return f"{after}{filters}, each simulation against its previous result{earlier}"


def _filters_text(filters: dict[str, Any]) -> str:
    return ", ".join(k if v is True else f"{k}={v}" for k, v in filters.items())


def format_diff(diff: RunDiff) -> str:
    """The plain-text report the CLI prints."""
    lines = [_header(diff)]
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
            since = (f"  (vs run {c.before_run})" if diff.baseline == "previous" and c.before_run
                     and c.before_run != diff.before.id else "")
            lines.append(f"  {c.name}  [{c.procedure or '-'}]  {c.before or '-'} -> {c.after or '-'}"
                         + since)
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
