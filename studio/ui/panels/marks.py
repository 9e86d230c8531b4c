"""What the procedure editor colours: steps a run passed or failed at, and
per-step coverage from the last library run. Qt-free so it is easy to test."""
from __future__ import annotations

from typing import Any, Iterable

from studio.core.procedure import Procedure

PASSED, FAILED, UNREACHED = "passed", "failed", "unreached"
COVERED_PASSING, COVERED_FAILING, UNCOVERED = "covered-passing", "covered-failing", "uncovered"


def _split(step_ref: str, default_proc: str | None) -> tuple[str | None, str]:
    if "." in step_ref:
        proc, step = step_ref.split(".", 1)
        return proc, step
    return default_proc, step_ref


def step_marks(result: Any) -> dict[str, dict[str, str]]:
    """{procedure: {step: passed|failed}} for one run.

    Visited steps are green. When the run did not pass, the step it stopped
    at (last visited of the procedure that failed) and the steps named by a
    failed `not_visited` or `visited` expectation are red.
    """
    marks: dict[str, dict[str, str]] = {}
    for proc, cov in (result.coverage or {}).items():
        steps = list(getattr(cov, "steps", None) or (cov.get("steps", []) if isinstance(cov, dict) else []))
        marks[proc] = {step: PASSED for step in steps}
    if result.status == "passed":
        return marks
    home = result.procedure or result.triggered
    for exp in result.expectations:
        if exp.status != "fail" or exp.type not in ("not_visited", "visited"):
            continue
        expected = exp.expected if isinstance(exp.expected, list) else [exp.expected]
        actual = exp.actual if isinstance(exp.actual, list) else []
        for ref in expected:
            if not isinstance(ref, str):
                continue
            proc, step = _split(ref, home)
            if exp.type == "not_visited" or ref not in actual:
                if proc:         # an expected step the run never got to is "not reached"
                    visited = marks.get(proc, {}).get(step) == PASSED
                    marks.setdefault(proc, {})[step] = FAILED if visited or exp.type == "not_visited" \
                        else UNREACHED
    last = _last_step(result)
    if last:
        marks.setdefault(last[0], {})[last[1]] = FAILED
    return marks


def _last_step(result: Any) -> tuple[str, str] | None:
    for event in reversed(result.trace or []):
        step, proc = event.get("step"), event.get("procedure")
        if step and proc:
            return str(proc), str(step)
    for entry in reversed(result.transcript or []):
        if entry.step and entry.procedure:
            return entry.procedure, entry.step
    return None


def coverage_marks(procedure: Procedure, results: Iterable[Any]) -> dict[str, str]:
    """{step: covered-passing|covered-failing|uncovered} from the latest results."""
    marks = {step: UNCOVERED for step in procedure.step_ids()}
    for result in results:
        cov = (result.coverage or {}).get(procedure.id)
        if cov is None:
            continue
        steps = getattr(cov, "steps", None)
        if steps is None and isinstance(cov, dict):
            steps = cov.get("steps", [])
        for step in steps or []:
            if step not in marks:
                continue
            if result.status == "passed":
                marks[step] = COVERED_PASSING
            elif marks[step] == UNCOVERED:
                marks[step] = COVERED_FAILING
    return marks


def uncovered_steps(marks: dict[str, str]) -> list[str]:
    return [step for step, mark in marks.items() if mark == UNCOVERED]


def latest_results(library: Any) -> list[Any]:
    """Each simulation's latest result (light: no transcript or trace), one query."""
    from studio.library.records import LIGHT_COLUMNS, record_from_row
    columns = ", ".join(f"r.{c}" for c in LIGHT_COLUMNS)
    rows = library.query(
        f"SELECT {columns} FROM results r JOIN "
        "(SELECT simulation, max(run_id) AS run_id FROM results GROUP BY simulation) last "
        "ON r.simulation = last.simulation AND r.run_id = last.run_id")
    return [record_from_row(row).result for row in rows]


def library_coverage(project: Any, library: Any) -> dict[str, dict[str, str]]:
    """{procedure: {step: covered-passing|covered-failing|uncovered}} for every procedure."""
    results = latest_results(library)
    return {pid: coverage_marks(proc, results) for pid, proc in sorted(project.procedures.items())}


def editor_coverage(marks: dict[str, str]) -> dict[str, str]:
    """The procedure editor's vocabulary: covered / failing / uncovered."""
    names = {COVERED_PASSING: "covered", COVERED_FAILING: "failing", UNCOVERED: "uncovered"}
    return {step: names[mark] for step, mark in marks.items()}


ACTIVE = "active"
LIVE_EVENTS = frozenset({"step_entered", "step_left"})


class LiveMarks:
    """Follows a run's trace events as they happen: the step being run is
    `active`, steps it has left are `passed`. The final marks come from
    `step_marks(result)` when the run is over."""

    def __init__(self) -> None:
        self.marks: dict[str, dict[str, str]] = {}

    def feed(self, event: dict) -> str | None:
        """Take one trace event; the procedure whose marks changed, or None."""
        kind, proc, step = event.get("type"), event.get("procedure"), event.get("step")
        if kind not in LIVE_EVENTS or not proc or not step:
            return None
        marks = self.marks.setdefault(str(proc), {})
        if kind == "step_entered":
            for other, mark in marks.items():    # one current step per procedure
                if mark == ACTIVE:
                    marks[other] = PASSED
            marks[str(step)] = ACTIVE
        else:
            marks[str(step)] = PASSED
        return str(proc)

    def stopped(self) -> dict[str, dict[str, str]]:
        """The run broke off: the step it was at is where it failed."""
        for marks in self.marks.values():
            for step, mark in marks.items():
                if mark == ACTIVE:
                    marks[step] = FAILED
        return self.marks
