"""Which steps and branches the library's simulations exercise, per procedure, and which
none does.

By default coverage is the union over each simulation's latest result,
whichever run made it: re-running only the failures (or one tag) does not make
everything else look uncovered. Only simulations still in the library count.
A result made against another version of a procedure than the one in memory
now is counted but reported as `stale` for that procedure. With a run id it is
the union over that run's results alone. The universe of steps and branch keys
comes from `studio.simulate.coverage.coverage_universe` so the keys match what
the engine records.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from studio.core.procedure import Procedure
from studio.core.project import Project

from .library import Library
from .records import LibraryError, RunRecord, loads, runs_text
from .revisions import procedure_revisions, revision_changed


def universe(procedure: Procedure) -> tuple[list[str], list[str]]:
    from studio.simulate.coverage import coverage_universe
    steps, branches = coverage_universe(procedure)
    return list(steps), list(branches)


@dataclass
class ProcedureCoverage:
    procedure: str
    steps_total: int
    steps_covered: int
    branches_total: int
    branches_covered: int
    uncovered_steps: list[str] = field(default_factory=list)
    uncovered_branches: list[str] = field(default_factory=list)
    simulations: int = 0          # simulations whose counted results touched this procedure
    stale: int = 0                # of those, made against another version of the procedure

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
    run: RunRecord                 # the run asked for, or the newest run the results come from
    procedures: list[ProcedureCoverage]
    mode: str = "run"              # "run": one run's results; "latest": each simulation's latest
    runs: list[int] = field(default_factory=list)   # runs the counted results come from, newest first
    simulations: int = 0           # simulations counted
    not_run: int = 0               # ("latest") simulations in the library with no result yet

    def to_dict(self) -> dict[str, Any]:
        return {"run": self.run.to_dict(), "mode": self.mode, "runs": self.runs,
                "simulations": self.simulations, "not_run": self.not_run,
                "procedures": [p.to_dict() for p in self.procedures]}


def coverage_report(project: Project, library: Library, run_id: int | None = None) -> CoverageReport:
    """Coverage of one run (`run_id`), or by default of each simulation's latest result."""
    if run_id is not None:
        asked = library.require_run(run_id)
        rows = library.query("SELECT simulation, run_id, coverage FROM results WHERE run_id = ?",
                             [asked.id])
        mode, not_run = "run", 0
        runs = {asked.id: asked}
    else:
        rows = library._latest("r.simulation, r.run_id, r.coverage", in_library=True)
        if not rows:
            library.require_run()        # "no runs yet" when there are none
            raise LibraryError("no results yet for the simulations in the library: "
                               "run `studio run-all` first")
        mode = "latest"
        not_run = library.simulation_count() - len({r["simulation"] for r in rows})
        runs = {key: library.run(key) for key in sorted({r["run_id"] for r in rows}, reverse=True)}
    report = CoverageReport(run=runs[max(runs)], procedures=[], mode=mode, runs=list(runs),
                            simulations=len({r["simulation"] for r in rows}), not_run=not_run)
    report.procedures = _per_procedure(project, rows, runs)
    return report


def _coverage_of(text: str | None, parsed: dict[str | None, dict]) -> dict:
    """{procedure: {"steps": [...], "branches": [...]}}, each distinct JSON text parsed once:
    thousands of results share a handful of paths through a procedure."""
    found = parsed.get(text)
    if found is None:
        found = parsed[text] = loads(text, {}) or {}
    return found


def _per_procedure(project: Project, rows: list[dict],
                   runs: dict[int, RunRecord]) -> list[ProcedureCoverage]:
    """`rows`: (simulation, run_id, coverage JSON); plain rows rather than result models, so
    a library of 20,000 simulations is counted in well under a second."""
    current = procedure_revisions(project)
    seen_steps: dict[str, set[str]] = {}
    seen_branches: dict[str, set[str]] = {}
    touched: dict[str, set[str]] = {}
    stale: dict[str, set[str]] = {}
    parsed: dict[str | None, dict] = {}
    changed: dict[tuple[int, str], bool] = {}
    for row in rows:
        run_id, name = row["run_id"], row["simulation"]
        revisions = runs[run_id].revisions
        for proc_id, cov in _coverage_of(row["coverage"], parsed).items():
            seen_steps.setdefault(proc_id, set()).update(cov.get("steps", ()))
            seen_branches.setdefault(proc_id, set()).update(cov.get("branches", ()))
            touched.setdefault(proc_id, set()).add(name)
            key = (run_id, proc_id)
            if key not in changed:
                changed[key] = proc_id in revisions and revision_changed(
                    revisions[proc_id], current.get(proc_id))
            if changed[key]:
                stale.setdefault(proc_id, set()).add(name)
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
            simulations=len(touched.get(proc_id, ())), stale=len(stale.get(proc_id, ()))))
    return report


def _pct(share: float | None) -> str:
    return "  n/a" if share is None else f"{share * 100:4.0f}%"


def format_coverage(report: CoverageReport) -> str:
    lines = [_header(report)]
    for p in report.procedures:
        lines.append(f"{p.procedure}: steps {_pct(p.step_share)} ({p.steps_covered}/{p.steps_total})"
                     f", branches {_pct(p.branch_share)} ({p.branches_covered}/{p.branches_total})"
                     f", {p.simulations} simulation(s)"
                     + (f", {p.stale} of them ran an older version" if p.stale else ""))
        if p.uncovered_steps:
            lines.append("    uncovered steps: " + ", ".join(p.uncovered_steps))
        if p.uncovered_branches:
            lines.append("    uncovered branches: " + ", ".join(p.uncovered_branches))
    return "\n".join(lines)


def _header(report: CoverageReport) -> str:
    run = report.run
    if report.mode == "run":
        return f"coverage of run {run.id} ({run.started}, {run.status})"
    line = (f"coverage of the latest result of each of {report.simulations} simulation(s), "
            f"from {runs_text(report.runs)} (latest: run {run.id}, {run.started}, {run.status}"
            + (", filtered" if run.filters else "") + ")")
    if report.not_run:
        line += f"; {report.not_run} simulation(s) never run are not counted"
    return line
