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
                      record_from_row, runs_text)
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
    Verdicts are computed and compared in SQL, so only the simulations the diff
    lists come back to Python, and only theirs are read in full: a library of
    20,000 that mostly passes diffs in a fraction of a second.
    """
    if run_b is None and library.latest_run() is None:
        raise LibraryError(NEED_TWO_RUNS)
    after = library.require_run(run_b)
    if run_a is None:
        return _diff_with_previous(library, after)
    before = library.require_run(run_a)
    diff = RunDiff(before=before, after=after, before_runs=[before.id])
    diff.changed_procedures = changed_procedures(before.revisions, after.revisions)
    compared = _compare(library, f"SELECT simulation, run_id, {_VERDICT} AS verdict FROM results "
                                 "WHERE run_id = :before GROUP BY simulation",
                        {"before": before.id, "after": after.id})
    diff.unchanged_passing = compared.unchanged
    listed = set(compared.old) | set(compared.new)
    _fill(diff, compared, _run_details(library, before.id, listed),
          _run_details(library, after.id, listed))
    return diff


def _diff_with_previous(library: Library, after: RunRecord) -> RunDiff:
    older = library.query("SELECT id FROM runs WHERE id < ? ORDER BY id DESC LIMIT 1", [after.id])
    if not older:
        raise LibraryError(NEED_TWO_RUNS)
    previous_run = older[0]["id"]
    # each simulation's latest results before this run; what was not re-run stays out,
    # unless it was deleted since the run before this one
    earlier = f"""
        SELECT r.simulation, r.run_id, {_VERDICT.replace("status", "r.status")} AS verdict
          FROM results r JOIN (SELECT simulation, max(run_id) AS run_id FROM results
                               WHERE run_id < :after GROUP BY simulation) last
            ON r.simulation = last.simulation AND r.run_id = last.run_id
         WHERE EXISTS (SELECT 1 FROM results n WHERE n.run_id = :after
                                                 AND n.simulation = r.simulation)
            OR (r.run_id = :previous
                AND NOT EXISTS (SELECT 1 FROM simulations s WHERE s.name = r.simulation))
         GROUP BY r.simulation"""
    compared = _compare(library, earlier, {"after": after.id, "previous": previous_run})
    used = compared.used
    runs = {run_id: library.run(run_id) for run_id in used or [previous_run]}
    diff = RunDiff(before=runs[max(runs)], after=after, baseline="previous", before_runs=used)
    diff.changed_procedures = sorted({p for run in runs.values()
                                      for p in changed_procedures(run.revisions, after.revisions)})
    diff.unchanged_passing = compared.unchanged
    listed = set(compared.old) | set(compared.new)
    columns = ", ".join(f"r.{c}" for c in DIFF_COLUMNS)
    old_details = _group([record_from_row(r) for r in library._latest(
        columns, before_run=after.id, names=sorted(compared.old))]) if compared.old else {}
    _fill(diff, compared, old_details, _run_details(library, after.id, listed))
    return diff


# aggregate_status in SQL: any error, else any failure, else skipped when all were, else passed
_VERDICT = ("CASE WHEN sum(status = 'error') > 0 THEN 'error' "
            "WHEN sum(status = 'failed') > 0 THEN 'failed' "
            "WHEN sum(status = 'skipped') = count(*) THEN 'skipped' ELSE 'passed' END")
_OK_SQL = "(" + ", ".join(f"'{s}'" for s in NOT_FAILING) + ")"


@dataclass
class _Compared:
    old: dict[str, str]          # verdict before, of the simulations the diff lists
    new: dict[str, str]          # verdict now, of the same
    unchanged: int               # passed (or skipped) before and now: counted, not listed
    used: list[int]              # the runs the earlier results come from, newest first


def _compare(library: Library, old_sql: str, params: dict[str, Any]) -> _Compared:
    """Pair each simulation's verdict in `old_sql` (simulation, run_id, verdict) with its
    verdict in run `:after`, in SQL; only pairs that are not passing on both sides
    come back, with the count of those that are."""
    sql = f"""
        WITH old AS MATERIALIZED ({old_sql}),
        new AS MATERIALIZED (SELECT simulation, {_VERDICT} AS verdict FROM results
                              WHERE run_id = :after GROUP BY simulation),
        pairs AS MATERIALIZED (
            SELECT o.simulation AS name, o.verdict AS before, n.verdict AS after
              FROM old o LEFT JOIN new n ON n.simulation = o.simulation
            UNION ALL
            SELECT n.simulation, NULL, n.verdict FROM new n
             WHERE NOT EXISTS (SELECT 1 FROM old o WHERE o.simulation = n.simulation))
        SELECT 0, name, before, after FROM pairs
         WHERE NOT (coalesce(before IN {_OK_SQL}, 0) AND coalesce(after IN {_OK_SQL}, 0))
        UNION ALL
        SELECT 1, (SELECT count(*) FROM pairs WHERE before IN {_OK_SQL} AND after IN {_OK_SQL}),
               (SELECT group_concat(run_id) FROM (SELECT DISTINCT run_id FROM old)), NULL"""
    compared = _Compared(old={}, new={}, unchanged=0, used=[])
    for last, name, before, after in library.db.execute(sql, params):
        if last:
            compared.unchanged = int(name or 0)
            compared.used = sorted({int(i) for i in str(before or "").split(",") if i},
                                   reverse=True)
            continue
        if before is not None:
            compared.old[name] = before
        if after is not None:
            compared.new[name] = after
    return compared


def _run_details(library: Library, run_id: int, names: set[str]) -> dict[str, list[ResultRecord]]:
    if not names:
        return {}
    rows = library.query(
        f"SELECT {', '.join(DIFF_COLUMNS)} FROM results WHERE run_id = ? AND simulation IN "
        "(SELECT value FROM json_each(?)) ORDER BY simulation, repeat_index",
        [run_id, json.dumps(sorted(names))])
    return _group([record_from_row(r) for r in rows])


def _fill(diff: RunDiff, compared: _Compared, old_details: dict[str, list[ResultRecord]],
          new_details: dict[str, list[ResultRecord]]) -> None:
    """The listed simulations, each in its section (all already not passing on one side)."""
    old, new = compared.old, compared.new
    for name in sorted(set(old) | set(new)):
        b, a = old.get(name), new.get(name)
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
