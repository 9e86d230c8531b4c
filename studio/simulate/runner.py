"""Run one simulation: customer turns into the state machine, then the judge.

`run_simulation` never raises for a broken simulation, procedure, connector or
model: it returns status "error" with `error` set. It keeps no shared mutable
state, so run-all may call it from many threads with the same Project.
"""
from __future__ import annotations

import time
from typing import Any, Callable

from pydantic import TypeAdapter

from studio.core.progress import Progress
from studio.core.simulation import Simulation
from studio.runtime.brain import make_brain
from studio.runtime.engine import Conversation, error_code, stop
from studio.runtime.trace import ScriptIgnored

from .coverage import coverage_from_trace
from .customer import make_customer
from .judge import judge
from studio.runtime.options import RunOptions, engine_name, run_with_models
from .result import SimulationResult, TranscriptEntry


class SimulationProblem(Exception):
    """The simulation cannot run as written (unknown segment or procedure)."""
    reason = "simulation"         # the stored result's error code


def customer_attributes(project: Any, simulation: Simulation) -> dict[str, Any]:
    """The segment's attributes, overridden by the simulation's own: `customer.*`."""
    attributes: dict[str, Any] = {}
    segment = simulation.customer.segment
    if segment:
        if segment not in project.settings.segments:
            known = ", ".join(sorted(project.settings.segments)) or "none defined"
            raise SimulationProblem(f"unknown customer segment '{segment}' (studio.yaml segments: {known})")
        attributes.update(project.settings.segments[segment])
    attributes.update(simulation.customer.attributes)
    return attributes


def procedure_problem(project: Any, simulation: Simulation) -> str | None:
    """Why the procedure the simulation exercises cannot run (None when it can).

    A simulation of a missing or unloadable procedure ends in `error`, never
    `fail`: judging it would report every expectation of a file that does not
    parse as a regression."""
    name = simulation.procedure
    procedures = getattr(project, "procedures", None)
    if not name or procedures is None or name in procedures:
        return None
    file = project.file_of("procedure", name) if hasattr(project, "file_of") else None
    broken = [p for p in getattr(project, "load_problems", [])
              if file and p.file == file and p.severity == "error"]
    if broken:
        return (f"procedure '{name}' cannot be loaded: {broken[0].format().splitlines()[0]} "
                "(`studio validate` lists every problem)")
    known = ", ".join(sorted(procedures)) or "none"
    return f"procedure '{name}' is not in this project (known: {known})"


def run_simulation(project: Any, simulation: Simulation, *, options: RunOptions | None = None,
                   cancel: Progress | None = None,
                   on_event: Callable[[dict[str, Any]], None] | None = None) -> SimulationResult:
    """`on_event`, when given, is called with each trace event dict as it is
    recorded (from the worker thread), so a view can follow the run live.
    `cancel` ends the run between customer turns and, on a model engine, during
    a model call or its wait to retry: the result is then `error` "cancelled"."""
    with run_with_models(options) as options:
        return _run(project, simulation, options, cancel, on_event)


def _run(project: Any, simulation: Simulation, options: RunOptions, cancel: Progress | None,
         on_event: Callable[[dict[str, Any]], None] | None) -> SimulationResult:
    started = time.perf_counter()
    engine = engine_name(project, options)
    result = SimulationResult(simulation=simulation.name, procedure=simulation.procedure,
                              status="error", engine=engine)
    conversation: Conversation | None = None
    brain = None
    exceeded = False
    try:
        problem = procedure_problem(project, simulation)
        if problem:
            raise SimulationProblem(problem)
        attributes = customer_attributes(project, simulation)
        brain = make_brain(project, options, cancel=cancel)
        conversation = Conversation(project, brain, attributes=attributes,
                                    fixtures=simulation.fixtures, options=options,
                                    on_event=on_event)
        customer = make_customer(project, simulation, options, cancel=cancel)
        limit = simulation.expect.max_turns
        while not conversation.ended:
            if cancel is not None and cancel.cancelled:
                raise SimulationProblem("cancelled")
            turn = customer.next_turn(conversation.transcript)
            if turn is None:
                break
            if limit is not None and conversation.turn >= limit:
                exceeded = True
                break
            conversation.receive(turn)
        if not conversation.ended:
            stop(conversation, f"stopped after max_turns ({limit})" if exceeded
                 else getattr(customer, "end_reason", None)     # a model-played customer's why
                 or "the customer's script ran out before the conversation ended")
        elif not exceeded:
            note_ignored_turns(conversation, customer)
    except Exception as exc:  # never raise: a broken run is an `error` result
        result.error = str(exc) if isinstance(exc, SimulationProblem) else f"{type(exc).__name__}: {exc}"
        result.error_code = error_code(exc) or "engine"
    if conversation is not None:
        _fill(result, conversation, exceeded)
        if result.error is None and conversation.error is not None:
            result.error = conversation.error
            result.error_code = conversation.error_code
    if result.error is None:
        try:
            result.expectations = judge(project, simulation, result, options=options,
                                        max_turns_exceeded=exceeded, cancel=cancel)
            result.status = verdict(result.expectations)
        except Exception as exc:
            result.error = f"the judge failed: {type(exc).__name__}: {exc}"
            result.error_code = error_code(exc) or "judge"
            result.status = "error"
    if result.status == "error" and cancel is not None and cancel.cancelled:
        result.error = "cancelled"       # a model call cut short by the cancel, not a fault
        result.error_code = "cancelled"
    if brain is not None:   # read after the judge, whose model calls share the brain's meter
        result.tokens = getattr(brain, "tokens", None)
        result.cost = getattr(brain, "cost", None)
        usage = getattr(brain, "usage", None)
        if result.cost is None and usage is not None and usage.known_cost:
            result.cost_known = round(usage.known_cost, 8)
    result.duration_ms = round((time.perf_counter() - started) * 1000, 3)
    return result


def verdict(expectations: list) -> str:
    """failed if any expectation failed; skipped when every one was skipped (a
    rubric-only simulation under the offline engine has nothing to judge: it is
    never reported as passed); else passed."""
    if any(e.status == "fail" for e in expectations):
        return "failed"
    if expectations and all(e.status == "skipped" for e in expectations):
        return "skipped"
    return "passed"


def note_ignored_turns(conversation: Conversation, customer: Any) -> None:
    """Scripted turns left after the conversation ended are not sent; the trace says so."""
    left = customer.leftover() if hasattr(customer, "leftover") else []
    if left:
        conversation.trace.add(ScriptIgnored(
            turn=conversation.turn, texts=[t.text for t in left],
            reason=f"the conversation ended ({conversation.outcome or 'error'}) at turn "
                   f"{conversation.turn}; {len(left)} scripted turn(s) after it were not sent"))


def _fill(result: SimulationResult, conversation: Conversation, exceeded: bool) -> None:
    result.trace = conversation.trace.dump()
    result.transcript = [TranscriptEntry(**entry) for entry in conversation.transcript]
    result.turns = conversation.turn
    result.outcome = conversation.outcome if conversation.error is None else None
    result.triggered = conversation.triggered
    result.variables = _json_safe(conversation.variables)
    result.coverage = coverage_from_trace(result.trace)


_JSON = TypeAdapter(dict[str, Any])


def _json_safe(variables: dict[str, Any]) -> dict[str, Any]:
    return _JSON.dump_python(variables, mode="json")
