"""A production conversation turned into a regression simulation (golden capture).

The customer's turns become the script; connector outputs the log has become fixtures,
and the outputs of connectors today's run called without a logged output are frozen
too, so the simulation does not drift with a connector's sample. Expectations are
what today's procedures do: the procedure, the outcome, the steps visited, the
connector calls with their inputs and the internal notes. The caller shows them for
review before saving; the capture is checked to pass on the procedures it came from.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core.ids import slugify
from studio.core.simulation import ExpectedCall, Expectations, Simulation
from studio.core.yaml_io import model_to_yaml
from studio.runtime.options import RunOptions
from studio.simulate.result import SimulationResult
from studio.simulate.runner import run_simulation

from .conversation import ProductionConversation
from .replay import simulation_of

TAG = "from-production"


class CaptureError(Exception):
    """Today's procedures cannot run the conversation, so there is nothing to capture."""


@dataclass
class Capture:
    simulation: Simulation
    result: SimulationResult        # today's run the expectations were taken from
    key: str                        # the file stem under simulations/

    @property
    def yaml(self) -> str:
        return model_to_yaml(self.simulation)


def default_name(conv: ProductionConversation) -> str:
    return f"production {conv.id}"


def _visited(result: SimulationResult, main: str | None) -> list[str]:
    out: list[str] = []
    for event in result.trace:
        if event.get("type") != "step_entered":
            continue
        ref = event["step"] if event["procedure"] == main else f"{event['procedure']}.{event['step']}"
        if ref not in out:
            out.append(ref)
    return out


def _calls(result: SimulationResult) -> list[dict[str, Any]]:
    return [e for e in result.trace if e.get("type") == "connector_called"]


def capture(project: Any, conv: ProductionConversation, *, name: str | None = None,
            options: RunOptions | None = None) -> Capture:
    sim = simulation_of(project, conv, name or default_name(conv))
    first = run_simulation(project, sim, options=options)
    if first.status == "error":
        raise CaptureError(f"today's procedures cannot run conversation {conv.id}: {first.error}")
    fixtures = dict(sim.fixtures.connectors)
    for call in _calls(first):
        if call["connector"] not in fixtures and call.get("source") == "sample":
            fixtures[call["connector"]] = call.get("output")
    sim.fixtures.connectors = fixtures
    sim.procedure = first.triggered
    sim.tags = [TAG]
    sim.description = f"Captured from production conversation {conv.id}" + (
        f" ({conv.first_at[:10]})" if conv.first_at else "")
    sim.expect = Expectations(
        procedure=first.triggered, outcome=first.outcome, visited=_visited(first, first.triggered),
        connector_calls=[ExpectedCall(connector=c["connector"], inputs=c.get("inputs") or {})
                         for c in _calls(first)],
        note_contains=[e.text for e in first.transcript if e.role == "note" and e.text])
    check = run_simulation(project, sim, options=options)
    if check.status != "passed":
        failed = "; ".join(f"{e.type}: {e.message}" for e in check.failed_expectations)
        raise CaptureError(f"the captured simulation does not pass on today's procedures "
                           f"({check.error or failed}); nothing was saved")
    key = slugify(sim.name)
    return Capture(sim, check, key)


def unique_key(project: Any, key: str) -> str:
    """`key`, or key-2, key-3... when simulations/<key>.yaml exists."""
    folder = Path(project.root) / "simulations"
    candidate, n = key, 1
    while (folder / f"{candidate}.yaml").exists():
        n += 1
        candidate = f"{key[:60]}-{n}"
    return candidate


def save_capture(project: Any, library: Any, cap: Capture) -> Path:
    """Into simulations/ as YAML and into the library (refused when the name is taken)."""
    from studio.library import LibraryError
    if library.get(cap.simulation.name) is not None:
        raise LibraryError(f"a simulation named {cap.simulation.name!r} already exists; "
                           "choose another name (--name)")
    key = unique_key(project, cap.key)
    path = project.save_simulation(key, cap.simulation)
    library.save_simulation(cap.simulation, source_file=f"simulations/{key}.yaml",
                            audit="capture")
    return path
