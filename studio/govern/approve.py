"""Approving a revision for an environment, gated by the simulations that exercise it.

Refused unless every simulation of the procedure passed (over all its repeats)
in a run of exactly this revision, the procedure validates, and, for a later
environment, the same revision is approved for the one before it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from studio.core.project import Project
from studio.core.validate import validate_procedure
from studio.library import Library
from studio.library.records import aggregate_status
from studio.library.revision_store import keep_procedure_revision

from .approvals import (Approval, Evidence, approved_revision, current_user,
                        environment_problem, utc_now, write_approval)
from .revisions import runs_of_revision, working_revision


class ApprovalInputError(ValueError):
    """Bad input (unknown procedure or environment): exit 2, not a refusal."""


@dataclass
class SimVerdict:
    name: str
    status: str                 # passed / failed / error / skipped / not run
    run: int | None = None
    detail: str = ""
    engine: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ApprovalCheck:
    procedure: str
    environment: str
    revision: str
    reasons: list[str] = field(default_factory=list)
    simulations: list[SimVerdict] = field(default_factory=list)
    evidence: Evidence = field(default_factory=Evidence)

    @property
    def ok(self) -> bool:
        return not self.reasons

    def to_dict(self) -> dict[str, Any]:
        return {"procedure": self.procedure, "environment": self.environment,
                "revision": self.revision, "approvable": self.ok, "reasons": self.reasons,
                "simulations": [s.to_dict() for s in self.simulations],
                "evidence": self.evidence.model_dump(mode="json")}


def _first_failure(row: dict) -> str:
    if row["status"] == "error":
        return (row.get("error") or "error").splitlines()[0]
    for exp in json.loads(row.get("expectations") or "[]"):
        if exp.get("status") == "fail":
            return f"{exp.get('type')}: {exp.get('message') or 'failed'}"
    return ""


def _all_skipped(row: dict) -> bool:
    exps = json.loads(row.get("expectations") or "[]")
    return bool(exps) and all(e.get("status") == "skipped" for e in exps)


def all_skipped(result) -> bool:
    """A passed result that judged nothing (a rubric-only simulation offline): skipped."""
    return bool(result.expectations) and all(e.status == "skipped" for e in result.expectations)


def simulation_verdicts(library: Library, procedure_id: str, revision: str,
                        names: list[str]) -> list[SimVerdict]:
    """Each simulation's latest verdict among the runs of exactly `revision`."""
    runs = runs_of_revision(library, procedure_id, revision)
    latest: dict[str, list[dict]] = {}
    if runs and names:
        marks = ",".join("?" * len(runs))
        rows = library.query(
            f"SELECT run_id, simulation, status, error, expectations, engine FROM results "
            f"WHERE run_id IN ({marks}) ORDER BY run_id DESC, repeat_index", runs)
        for row in rows:
            if row["simulation"] not in names:
                continue
            found = latest.setdefault(row["simulation"], [])
            if not found or found[0]["run_id"] == row["run_id"]:
                found.append(row)
    out = []
    for name in names:
        rows = latest.get(name)
        if not rows:
            out.append(SimVerdict(name, "not run"))
            continue
        status = aggregate_status([r["status"] for r in rows])
        bad = next((r for r in rows if r["status"] == status), rows[0])
        if status == "passed" and all(_all_skipped(r) for r in rows):
            status = "skipped"
        out.append(SimVerdict(name, status, rows[0]["run_id"],
                              _first_failure(bad) if status in ("failed", "error") else "",
                              rows[0].get("engine")))
    return out


def exercising_simulations(library: Library, procedure_id: str) -> list[str]:
    """Simulations that exercise the procedure: those written for it, and those whose latest
    result went through its steps (a switch or a sub-procedure leads there)."""
    names = {r.name for r in library.simulations(procedure=procedure_id)}
    rows = library.query(
        "SELECT DISTINCT r.simulation FROM results r JOIN (SELECT simulation, max(run_id) AS "
        "run_id FROM results GROUP BY simulation) last ON r.simulation = last.simulation AND "
        "r.run_id = last.run_id WHERE json_extract(r.coverage, ?) IS NOT NULL "
        "AND r.simulation IN (SELECT name FROM simulations)", [f'$."{procedure_id}"'])
    return sorted(names | {r["simulation"] for r in rows})


def check_approval(project: Project, library: Library, procedure_id: str,
                   environment: str) -> ApprovalCheck:
    if procedure_id not in project.procedures:
        raise ApprovalInputError(f"there is no procedure {procedure_id!r} in {project.root} "
                                 f"(procedures: {', '.join(sorted(project.procedures)) or 'none'})")
    problem = environment_problem(project, environment)
    if problem:
        raise ApprovalInputError(problem)
    revision = working_revision(project, procedure_id) or ""
    check = ApprovalCheck(procedure_id, environment, revision)
    errors = [p for p in validate_procedure(project, procedure_id) if p.severity.value == "error"]
    if errors:
        check.reasons.append(f"{len(errors)} validation error(s), first: {errors[0].format()}")
    names = exercising_simulations(library, procedure_id)
    if not names:
        check.reasons.append(f"no simulation exercises {procedure_id}: a procedure with no "
                             f"simulation cannot be approved (`studio suggest {project.root} "
                             f"{procedure_id} --write` drafts some)")
    check.simulations = simulation_verdicts(library, procedure_id, revision, names)
    for verdict in check.simulations:
        if verdict.status == "not run":
            check.reasons.append(f"simulation {verdict.name!r} has not run on this revision "
                                 f"({revision[:12]}): run `studio run-all {project.root} "
                                 f"--procedure {procedure_id}`")
        elif verdict.status in ("failed", "error"):
            check.reasons.append(f"simulation {verdict.name!r} {verdict.status} in run "
                                 f"{verdict.run}" + (f": {verdict.detail}" if verdict.detail else ""))
    envs = project.settings.environments
    index = envs.index(environment)
    if index > 0:
        before = envs[index - 1]
        if approved_revision(project, procedure_id, before) != revision:
            check.reasons.append(f"this revision is not approved for {before} yet: a change goes "
                                 f"{' -> '.join(envs)}, so approve it for {before} first")
    ran = [v for v in check.simulations if v.run is not None]
    check.evidence = Evidence(
        run=max((v.run for v in ran), default=None),
        passed=sum(v.status == "passed" for v in check.simulations),
        failed=sum(v.status == "failed" for v in check.simulations),
        errors=sum(v.status == "error" for v in check.simulations),
        skipped=sum(v.status == "skipped" for v in check.simulations),
        simulations=names)
    return check


def approve(project: Project, library: Library, procedure_id: str, environment: str, *,
            comment: str | None = None, approved_by: str | None = None,
            check: ApprovalCheck | None = None) -> tuple[ApprovalCheck, Approval | None]:
    """Write the approval file when the check passes; (check, approval or None)."""
    check = check or check_approval(project, library, procedure_id, environment)
    if not check.ok:
        return check, None
    keep_procedure_revision(library, project, procedure_id, source="approval")
    approval = Approval(procedure=procedure_id, revision=check.revision, environment=environment,
                        approved_by=approved_by or current_user(), approved_at=utc_now(),
                        comment=comment or None, evidence=check.evidence)
    write_approval(project, approval)
    library.audit("approve", procedure_id, {"environment": environment,
                                            "revision": check.revision,
                                            "by": approval.approved_by})
    return check, approval


def default_environment(project: Project) -> str:
    return project.settings.environments[0]
