"""Which steps and branches a run took, and which exist at all.

Keys (runner contract): `steps` are visited step ids; `branches` are
"<condition-step-id>#<branch index>" for the branch taken, or
"<condition-step-id>#none" when no branch matched.
"""
from __future__ import annotations

from typing import Any

from studio.core.procedure import Procedure
from studio.core.steps import ConditionStep

from .result import StepCoverage


def coverage_universe(procedure: Procedure) -> tuple[list[str], list[str]]:
    """(all step ids, all branch keys) of a procedure, in document order.

    A condition without an `else` branch can also take "#none".
    """
    steps: list[str] = []
    branches: list[str] = []
    for step in procedure.all_steps():
        steps.append(step.id)
        if isinstance(step, ConditionStep):
            branches.extend(f"{step.id}#{i}" for i in range(len(step.branches)))
            if not any(b.is_else for b in step.branches):
                branches.append(f"{step.id}#none")
    return steps, branches


def coverage_from_trace(trace: list[dict[str, Any]]) -> dict[str, StepCoverage]:
    out: dict[str, StepCoverage] = {}

    def of(procedure: str) -> StepCoverage:      # one model per procedure, not per event
        cov = out.get(procedure)
        if cov is None:
            cov = out[procedure] = StepCoverage()
        return cov

    for event in trace:
        kind = event.get("type")
        if kind == "step_entered":
            cov = of(event["procedure"])
            if event["step"] not in cov.steps:
                cov.steps.append(event["step"])
        elif kind == "branch_taken":
            cov = of(event["procedure"])
            if event["key"] not in cov.branches:
                cov.branches.append(event["key"])
    return out


def uncovered(procedure: Procedure, coverage: StepCoverage | None) -> tuple[list[str], list[str]]:
    """(step ids, branch keys) of `procedure` that `coverage` did not reach."""
    steps, branches = coverage_universe(procedure)
    seen_steps = set(coverage.steps) if coverage else set()
    seen_branches = set(coverage.branches) if coverage else set()
    return [s for s in steps if s not in seen_steps], [b for b in branches if b not in seen_branches]
