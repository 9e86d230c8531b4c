"""Per procedure and environment: approved, changed since approval or never approved, with
the latest run of its simulations. The lead's view of the dev -> staging -> production path."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from studio.core.problems import Problem
from studio.core.project import Project
from studio.library import Library
from studio.library.records import aggregate_status

from .approvals import approval_state, read_approval
from .approve import exercising_simulations
from .revisions import working_revision


@dataclass
class EnvironmentState:
    environment: str
    state: str                                  # approved / changed since approval / never approved
    approved_revision: str | None = None
    approved_by: str | None = None
    approved_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class LatestRun:
    run: int
    passed: int
    failed: int
    errors: int
    on_this_revision: bool

    @property
    def status(self) -> str:
        return "error" if self.errors else "failed" if self.failed else "passed"

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__) | {"status": self.status}


@dataclass
class ProcedureStatus:
    id: str
    revision: str | None
    environments: list[EnvironmentState] = field(default_factory=list)
    latest_run: LatestRun | None = None

    def state(self, environment: str) -> str | None:
        return next((e.state for e in self.environments if e.environment == environment), None)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "revision": self.revision,
                "environments": {e.environment: e.to_dict() for e in self.environments},
                "latest_run": self.latest_run.to_dict() if self.latest_run else None}


@dataclass
class ProjectStatus:
    environments: list[str]
    procedures: list[ProcedureStatus] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)     # broken approval files

    def procedure(self, procedure_id: str) -> ProcedureStatus | None:
        return next((p for p in self.procedures if p.id == procedure_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {"environments": self.environments,
                "procedures": [p.to_dict() for p in self.procedures],
                "problems": [p.format() for p in self.problems]}


def latest_run(library: Library, procedure_id: str, revision: str | None) -> LatestRun | None:
    """The latest run of the simulations that exercise the procedure, with their verdicts."""
    names = json.dumps(exercising_simulations(library, procedure_id))
    rows = library.query("SELECT max(run_id) AS run FROM results WHERE simulation IN "
                         "(SELECT value FROM json_each(?))", [names])
    run_id = rows[0]["run"] if rows else None
    if run_id is None:
        return None
    per_sim: dict[str, list[str]] = {}
    for row in library.query("SELECT simulation, status FROM results WHERE run_id = ? AND "
                             "simulation IN (SELECT value FROM json_each(?))", [run_id, names]):
        per_sim.setdefault(row["simulation"], []).append(row["status"])
    verdicts = [aggregate_status(s) for s in per_sim.values()]
    run = library.run(run_id)
    return LatestRun(run_id, verdicts.count("passed"), verdicts.count("failed"),
                     verdicts.count("error"),
                     bool(run and revision and run.revisions.get(procedure_id) == revision))


def procedure_status(project: Project, library: Library | None, procedure_id: str,
                     problems: list[Problem] | None = None) -> ProcedureStatus:
    revision = working_revision(project, procedure_id)
    status = ProcedureStatus(procedure_id, revision)
    for env in project.settings.environments:
        approval, found = read_approval(project, procedure_id, env)
        if problems is not None:
            problems.extend(found)
        status.environments.append(EnvironmentState(
            env, approval_state(revision, approval.revision if approval else None),
            approval.revision if approval else None, approval.approved_by if approval else None,
            approval.approved_at if approval else None))
    if library is not None:
        status.latest_run = latest_run(library, procedure_id, revision)
    return status


def project_status(project: Project, library: Library | None) -> ProjectStatus:
    report = ProjectStatus(list(project.settings.environments))
    for procedure_id in sorted(project.procedures):
        report.procedures.append(procedure_status(project, library, procedure_id,
                                                  report.problems))
    return report


def format_status(report: ProjectStatus) -> str:
    envs = report.environments
    width = max([len(p.id) for p in report.procedures] + [9])
    col = max([len("changed since approval")] + [len(e) for e in envs])
    lines = [f"{'procedure':<{width}}  {'revision':<12}  " +
             "  ".join(f"{e:<{col}}" for e in envs) + "  latest run"]
    for proc in report.procedures:
        run = proc.latest_run
        latest = "never run" if run is None else (
            f"run {run.run}: {run.passed} passed, {run.failed} failed, {run.errors} errors"
            + ("" if run.on_this_revision else " (an older revision)"))
        lines.append(f"{proc.id:<{width}}  {(proc.revision or '?')[:12]:<12}  " +
                     "  ".join(f"{e.state:<{col}}" for e in proc.environments) + f"  {latest}")
    for problem in report.problems:
        lines.append(problem.format())
    return "\n".join(lines)
