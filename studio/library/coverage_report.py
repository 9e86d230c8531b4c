"""Which steps and branches the last run exercised, per procedure, and which it never did.

Coverage is the union over every result of the run; the universe of steps and
branch keys comes from `studio.simulate.coverage.coverage_universe` so the
keys match what the engine records.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from studio.core.procedure import Procedure
from studio.core.project import Project

from .library import Library
from .records import LibraryError, RunRecord


def universe(procedure: Procedure) -> tuple[list[str], list[str]]:
    try:
        from studio.simulate.coverage import coverage_universe
    except ImportError:       # engine module not there yet: same keys, computed here
        return _fallback_universe(procedure)
    steps, branches = coverage_universe(procedure)
    return list(steps), list(branches)


def _fallback_universe(procedure: Procedure) -> tuple[list[str], list[str]]:
    steps, branches = [], []
    for step in procedure.all_steps():
        steps.append(step.id)
        if getattr(step, "kind", None) == "condition":
            branches += [f"{step.id}#{i}" for i in range(len(step.branches))]
            if not any(b.when.strip() == "else" for b in step.branches):
                branches.append(f"{step.id}#none")
    return steps, branches


@dataclass
class ProcedureCoverage:
    procedure: str
    steps_total: int
    steps_covered: int
    branches_total: int
    branches_covered: int
    uncovered_steps: list[str] = field(default_factory=list)
    uncovered_branches: list[str] = field(default_factory=list)
    simulations: int = 0          # results in the run that touched this procedure

    @property
    def step_share(self) -> float | None:
        return self.steps_covered / self.steps_total if self.steps_total else None

    @property
    def branch_share(self) -> float | None:
        return self.branches_covered / self.branches_total if self.branches_total else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"step_share": self.step_share, "branch_share": self.branch_share}


@dataclass
class CoverageReport:
    run: RunRecord
    procedures: list[ProcedureCoverage]

    def to_dict(self) -> dict[str, Any]:
        return {"run": self.run.to_dict(), "procedures": [p.to_dict() for p in self.procedures]}


def coverage_report(project: Project, library: Library, run_id: int | None = None) -> CoverageReport:
    run = library.run(run_id) if run_id is not None else library.latest_run()
    if run is None:
        raise LibraryError("no runs yet: run `studio run-all` first" if run_id is None
                           else f"there is no run {run_id}")
    seen_steps: dict[str, set[str]] = {}
    seen_branches: dict[str, set[str]] = {}
    touched: dict[str, int] = {}
    for record in library.results(run.id, light=True):
        for proc_id, cov in record.result.coverage.items():
            seen_steps.setdefault(proc_id, set()).update(cov.steps)
            seen_branches.setdefault(proc_id, set()).update(cov.branches)
            touched[proc_id] = touched.get(proc_id, 0) + 1
    report = []
    for proc_id in sorted(project.procedures):
        steps, branches = universe(project.procedures[proc_id])
        got_steps = seen_steps.get(proc_id, set())
        got_branches = seen_branches.get(proc_id, set())
        report.append(ProcedureCoverage(
            procedure=proc_id, steps_total=len(steps),
            steps_covered=sum(s in got_steps for s in steps),
            branches_total=len(branches),
            branches_covered=sum(b in got_branches for b in branches),
            uncovered_steps=[s for s in steps if s not in got_steps],
            uncovered_branches=[b for b in branches if b not in got_branches],
            simulations=touched.get(proc_id, 0)))
    return CoverageReport(run=run, procedures=report)


def _pct(share: float | None) -> str:
    return "  n/a" if share is None else f"{share * 100:4.0f}%"


def format_coverage(report: CoverageReport) -> str:
    lines = [f"coverage of run {report.run.id} ({report.run.started}, {report.run.status})"]
    for p in report.procedures:
        lines.append(f"{p.procedure}: steps {_pct(p.step_share)} ({p.steps_covered}/{p.steps_total})"
                     f", branches {_pct(p.branch_share)} ({p.branches_covered}/{p.branches_total})"
                     f", {p.simulations} simulation(s)")
        if p.uncovered_steps:
            lines.append("    uncovered steps: " + ", ".join(p.uncovered_steps))
        if p.uncovered_branches:
            lines.append("    uncovered branches: " + ", ".join(p.uncovered_branches))
    return "\n".join(lines)
