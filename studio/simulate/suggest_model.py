"""Suggested simulations from a model: realistic edge cases the branch walker
cannot imagine (a wrong order number, a customer who changes their mind, a
missing photo, an angry customer).

Each proposal must load as a simulation/v1, pass studio.core.validate against
the project, and run on the offline engine without an `error`; the rest are
dropped with the reason. Offline failures are reported (a model-played customer
may be needed to judge them) but the simulation is kept.
"""
from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from studio.core.problems import Severity
from studio.core.simulation import Simulation
from studio.core.validate import validate_simulation
from studio.core.yaml_io import model_to_yaml
from studio.llm.settings import LLMSettings, resolve_settings

from studio.runtime.options import RunOptions

EDGE_CASES = ("a wrong or unknown order number", "the customer changes their mind halfway",
              "a missing photo or document", "an angry or impatient customer",
              "the customer gives everything up front", "an answer that is unclear")


class EdgeCases(BaseModel):
    simulations: list[dict[str, Any]] = Field(default_factory=list)


@dataclass
class EdgeSuggestion:
    key: str
    simulation: Simulation
    offline_status: str


@dataclass
class EdgeReport:
    accepted: list[EdgeSuggestion] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def edge_messages(project: Any, procedure_id: str, count: int,
                  examples: list[Simulation]) -> list[dict[str, str]]:
    procedure = project.procedures[procedure_id]
    connectors = {cid: c.sample for cid, c in project.connectors.items()}
    system = (
        "You write test simulations (simulation/v1) for a customer-service procedure. "
        f"Propose {count} realistic edge cases, each different, such as: "
        + "; ".join(EDGE_CASES) + ".\n"
        "Each simulation has: name (unique, says what happens), procedure, tags, "
        "customer {segment or attributes, script: [customer messages in order], persona, goal, "
        "facts}, fixtures {connectors: {connector id: result or {error: timeout}}, "
        "approvals: {step id: approved|rejected}}, expect {procedure, outcome "
        "(resolved|handoff|unresolved), visited: [step ids], not_visited, replies_contain, "
        "rubric: [criteria a judge checks]}. Use only step ids, connector ids and segments "
        "that exist. Expect only what the procedure really does.\n"
        f"Segments: {json.dumps(project.settings.segments, default=str)}\n"
        f"Connector samples: {json.dumps(connectors, default=str)}\n"
        f"The procedure:\n{model_to_yaml(procedure)}\n"
        + "".join(f"\nAn example simulation:\n{model_to_yaml(s)}" for s in examples[:2])
        + "\nAnswer in JSON: {\"simulations\": [ ... ]}.")
    return [{"role": "system", "content": system},
            {"role": "user", "content": f"Write {count} edge-case simulations for '{procedure_id}'."}]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "case"


def check_suggestion(project: Any, key: str, simulation: Simulation) -> list[str]:
    """Error messages from validation against the project (empty when it is fine)."""
    trial = dataclasses.replace(project, simulations={**project.simulations, key: simulation},
                                load_problems=[])
    return [p.message for p in validate_simulation(trial, key) if p.severity == Severity.error]


def suggest_edge_cases(project: Any, procedure_id: str, *, model: str | None = None,
                       api_base: str | None = None, settings: LLMSettings | None = None,
                       count: int = 4, examples: list[Simulation] | None = None,
                       usage: Any = None) -> EdgeReport:
    """Ask the model, validate each proposal, keep the good ones. Raises ModelError."""
    from studio.llm.client import complete

    from .runner import run_simulation
    settings = settings or resolve_settings(project.settings.model, model=model, api_base=api_base)
    response = complete(edge_messages(project, procedure_id, count, examples or []),
                        settings=settings, response_format=EdgeCases, no_cache=True, usage=usage)
    report = EdgeReport()
    taken = set(project.simulations)
    names = {s.name for s in project.simulations.values()}
    for number, raw in enumerate(response.parsed.simulations, 1):
        raw = dict(raw)
        raw.pop("schema", None)
        raw.setdefault("procedure", procedure_id)
        raw["tags"] = sorted(set(raw.get("tags") or []) | {"suggested", "edge-case"})
        label = str(raw.get("name") or f"edge case {number}")
        try:
            simulation = Simulation.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            report.problems.append(f"dropped '{label}': {where}: {first['msg']}")
            continue
        if simulation.procedure != procedure_id:
            report.problems.append(f"dropped '{label}': it is about '{simulation.procedure}'")
            continue
        if simulation.name in names:
            report.problems.append(f"dropped '{label}': a simulation with that name exists")
            continue
        key = f"edge-{procedure_id}-{_slug(simulation.name)}"[:64].rstrip("-")
        while key in taken:
            key = f"{key[:60]}-{number}"
        errors = check_suggestion(project, key, simulation)
        if errors:
            report.problems.append(f"dropped '{label}': {errors[0]}")
            continue
        result = run_simulation(project, simulation, options=RunOptions(model="offline"))
        if result.status == "error":
            report.problems.append(f"dropped '{label}': it errors offline: {result.error}")
            continue
        if result.status == "failed":
            failed = "; ".join(e.message for e in result.failed_expectations[:2])
            report.problems.append(f"'{label}' fails on the offline engine ({failed}); "
                                   "run it with a model engine to judge it")
        taken.add(key)
        names.add(simulation.name)
        report.accepted.append(EdgeSuggestion(key, simulation, result.status))
    return report
