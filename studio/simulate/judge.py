"""The judge: every `expect:` entry becomes pass, fail or skipped, with expected
vs actual and a one-line message that points at the cause.

Items of list expectations (visited, variables, connector_calls, ...) are
judged one by one, so a designer sees exactly which one failed. `rubric` is
skipped under the offline engine; a model engine judges it through
`studio.simulate.model_judge.judge_rubric(criteria, transcript, settings)`.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from studio.core.simulation import Simulation

from .explain import TraceView, show_value
from studio.runtime.options import RunOptions, engine_name
from .result import ExpectationResult, SimulationResult


def judge(project: Any, simulation: Simulation, result: SimulationResult, *,
          options: RunOptions | None = None, max_turns_exceeded: bool = False,
          cancel: Any = None) -> list[ExpectationResult]:
    expect = simulation.expect
    view = TraceView(project, result.trace)
    preferred = expect.procedure or simulation.procedure or result.triggered
    out: list[ExpectationResult] = []
    if expect.procedure is not None:
        out.append(_procedure(expect.procedure, result, view))
    if expect.outcome is not None:
        out.append(_outcome(expect.outcome, result, view))
    out += [_visited(ref, view, preferred) for ref in expect.visited]
    out += [_not_visited(ref, view, preferred) for ref in expect.not_visited]
    out += [_variable(name, value, result, view) for name, value in expect.variables.items()]
    out += _connector_calls(expect.connector_calls, view, preferred)
    out += [_not_called(name, view) for name in expect.not_called]
    replies = [e["text"] for e in view.events("reply")]
    out += [_contains("replies_contain", text, replies, "agent reply") for text in expect.replies_contain]
    out += [_not_contains(text, replies) for text in expect.replies_not_contain]
    notes = _notes(view)
    out += [_contains("note_contains", text, notes, "internal note") for text in expect.note_contains]
    if expect.max_turns is not None:
        out.append(_max_turns(expect.max_turns, result, view, max_turns_exceeded))
    if expect.rubric:
        out += _rubric(project, expect.rubric, result, options, cancel)
    return out


def values_equal(expected: Any, actual: Any) -> bool:
    """Equality a designer expects: 42.5 == "42.5", dicts compared on the expected keys."""
    if isinstance(expected, (dt.date, dt.datetime)):
        expected = expected.isoformat()
    if isinstance(actual, (dt.date, dt.datetime)):
        actual = actual.isoformat()
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual or (isinstance(expected, bool) and isinstance(actual, bool)
                                      and expected == actual)
    number_e, number_a = _number(expected), _number(actual)
    if number_e is not None and number_a is not None and (
            isinstance(expected, (int, float)) or isinstance(actual, (int, float))):
        return abs(number_e - number_a) <= 1e-9 * max(1.0, abs(number_e))
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and values_equal(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(
            values_equal(e, a) for e, a in zip(expected, actual))
    return expected == actual


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _ok(kind: str, expected: Any, actual: Any, message: str = "") -> ExpectationResult:
    return ExpectationResult(type=kind, status="pass", expected=expected, actual=actual, message=message)


def _fail(kind: str, expected: Any, actual: Any, message: str) -> ExpectationResult:
    return ExpectationResult(type=kind, status="fail", expected=expected, actual=actual, message=message)


def _procedure(expected: str, result: SimulationResult, view: TraceView) -> ExpectationResult:
    actual = result.triggered
    if actual == expected:
        return _ok("procedure", expected, actual, f"'{expected}' triggered")
    chosen = view.events("procedure_chosen")
    scores = chosen[0].get("scores", {}) if chosen else {}
    detail = f"; '{expected}' scored {scores[expected]:g}" if expected in scores else ""
    if expected not in view.project.procedures:
        detail = f"; there is no procedure '{expected}'"
    return _fail("procedure", expected, actual, f"expected '{expected}' to trigger, but {view.routing()}{detail}")


def _outcome(expected: str, result: SimulationResult, view: TraceView) -> ExpectationResult:
    actual = result.outcome
    if actual == expected:
        return _ok("outcome", expected, actual, f"outcome {actual}: {view.ending()}")
    return _fail("outcome", expected, actual, f"outcome was {actual}, expected {expected}: {view.ending()}")


def _visited(ref: str, view: TraceView, preferred: str | None) -> ExpectationResult:
    seen, pid, step_id = view.was_visited(ref, preferred)
    if seen:
        return _ok("visited", ref, True, f"step '{step_id}' of '{pid}' was visited")
    return _fail("visited", ref, False, f"step '{step_id}' was not visited: {view.why_not_visited(pid, step_id)}")


def _not_visited(ref: str, view: TraceView, preferred: str | None) -> ExpectationResult:
    seen, pid, step_id = view.was_visited(ref, preferred)
    if not seen:
        return _ok("not_visited", ref, False, f"step '{step_id}' was not visited")
    return _fail("not_visited", ref, True, f"step '{step_id}' was visited: {view.why_visited(pid, step_id)}")


def _lookup(variables: dict[str, Any], name: str) -> tuple[bool, Any]:
    if name in variables:
        return True, variables[name]
    parts = name.split(".")
    if parts[0] not in variables:
        return False, None
    value: Any = variables[parts[0]]
    for part in parts[1:]:
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


def _variable(name: str, expected: Any, result: SimulationResult, view: TraceView) -> ExpectationResult:
    found, actual = _lookup(result.variables, name)
    if found and values_equal(expected, actual):
        return _ok("variables", {name: expected}, {name: actual}, f"{name} = {show_value(actual)}")
    root = name.split(".")[0]
    sets = [e for e in view.events("variable_set") if e.get("name") == root]
    if not found or not sets:
        return _fail("variables", {name: expected}, {name: None},
                     f"{name} was never set (expected {show_value(expected)}): {_why_unset(root, view)}")
    last = sets[-1]
    origin = last.get("how") or last.get("source", "")
    where = f" at step '{last['step']}'" if last.get("step") else ""
    return _fail("variables", {name: expected}, {name: actual},
                 f"{name} = {show_value(actual)}, expected {show_value(expected)} "
                 f"(set by {origin}{where}, turn {last.get('turn', 0)})")


def _why_unset(name: str, view: TraceView) -> str:
    """Point at the step that would have set `name` and why it did not run."""
    for pid in view.ran:
        for step in view.project.procedures[pid].all_steps():
            sets = (name in getattr(step, "collect", []) or getattr(step, "save_as", None) == name
                    or (step.kind == "code" and name in step.code))
            if sets and (pid, step.id) not in view.visited:
                return f"step '{step.id}' would set it but was not visited: {view.why_not_visited(pid, step.id)}"
            if sets and step.kind == "instruction":
                return f"step '{step.id}' asked for it but no answer gave it; {view.ending()}"
    return view.ending()


def _connector_calls(expected_calls: list[Any], view: TraceView, preferred: str | None) -> list[ExpectationResult]:
    calls = view.events("connector_called")
    used: set[int] = set()
    out = []
    for call in expected_calls:
        expected = call.to_data()
        match = next((i for i, c in enumerate(calls) if i not in used and c["connector"] == call.connector
                      and all(k in c.get("inputs", {}) and values_equal(v, c["inputs"][k])
                              for k, v in call.inputs.items())), None)
        if match is not None:
            used.add(match)
            actual = {"connector": call.connector, "inputs": calls[match].get("inputs", {})}
            out.append(_ok("connector_calls", expected, actual, f"{call.connector} was called as expected"))
            continue
        same = [c for c in calls if c["connector"] == call.connector]
        if same:
            shown = "; ".join(_show_inputs(c.get("inputs", {})) for c in same)
            out.append(_fail("connector_calls", expected,
                             [{"connector": c["connector"], "inputs": c.get("inputs", {})} for c in same],
                             f"{call.connector} was not called with {_show_inputs(call.inputs)}: "
                             f"it was called with {shown}"))
            continue
        out.append(_fail("connector_calls", expected, None,
                         f"{call.connector} was never called: {_why_no_call(call.connector, view, preferred)}"))
    return out


def _why_no_call(connector: str, view: TraceView, preferred: str | None) -> str:
    order = list(view.ran) + ([preferred] if preferred and preferred not in view.ran else [])
    for pid in order:
        procedure = view.project.procedures.get(pid)
        if procedure is None:
            continue
        for step in procedure.all_steps():
            if getattr(step, "kind", "") == "connector" and step.connector == connector:
                if (pid, step.id) in view.visited:
                    continue
                return f"its step '{step.id}' was not visited: {view.why_not_visited(pid, step.id)}"
    return f"no step of the procedures that ran calls it; {view.ending()}"


def _show_inputs(inputs: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {show_value(v)}" for k, v in inputs.items()) + "}"


def _not_called(name: str, view: TraceView) -> ExpectationResult:
    calls = [c for c in view.events("connector_called") if c["connector"] == name]
    if not calls:
        return _ok("not_called", name, 0, f"{name} was not called")
    first = calls[0]
    return _fail("not_called", name, len(calls),
                 f"{name} was called {len(calls)} time(s), first at step '{first.get('step')}' of "
                 f"'{first.get('procedure')}' (turn {first.get('turn')}) with {_show_inputs(first.get('inputs', {}))}")


def _contains(kind: str, text: str, haystack: list[str], what: str) -> ExpectationResult:
    needle = str(text).lower()
    hit = next((h for h in haystack if needle in h.lower()), None)
    if hit is not None:
        return _ok(kind, text, hit, f"found in: {show_value(hit)}")
    if not haystack:
        return _fail(kind, text, [], f"no {what} contains {text!r}: there was no {what}")
    return _fail(kind, text, haystack, f"no {what} contains {text!r}; the last was {show_value(haystack[-1])}")


def _not_contains(text: str, replies: list[str]) -> ExpectationResult:
    needle = str(text).lower()
    hit = next((r for r in replies if needle in r.lower()), None)
    if hit is None:
        return _ok("replies_not_contain", text, None, f"no reply contains {text!r}")
    return _fail("replies_not_contain", text, hit, f"an agent reply contains {text!r}: {show_value(hit)}")


def _notes(view: TraceView) -> list[str]:
    notes = []
    for event in view.trace:
        if event.get("type") in ("checkpoint", "handoff") and event.get("note"):
            if event["note"] not in notes:
                notes.append(event["note"])
    return notes


def _max_turns(limit: int, result: SimulationResult, view: TraceView, exceeded: bool) -> ExpectationResult:
    if not exceeded and result.turns <= limit:
        return _ok("max_turns", limit, result.turns, f"{result.turns} customer turn(s)")
    return _fail("max_turns", limit, f">{limit}",
                 f"the conversation needed more than {limit} customer turns: {view.ending()}")


def _rubric(project: Any, criteria: list[str], result: SimulationResult,
            options: RunOptions | None, cancel: Any = None) -> list[ExpectationResult]:
    engine = engine_name(project, options)
    if engine == "offline":
        return [ExpectationResult(type="rubric", status="skipped", expected=c,
                                  message="skipped: rubric criteria are judged by a model only "
                                          "(the offline engine ran)") for c in criteria]
    from studio.llm.session import session_of

    from .model_judge import judge_rubric
    settings = project.settings
    if options is not None and (options.model or options.api_base):
        model = settings.model.model_copy(update={k: v for k, v in (
            ("name", options.model), ("api_base", options.api_base)) if v})
        settings = settings.model_copy(update={"model": model})
    return list(judge_rubric(criteria, result.transcript, settings, cancel=cancel,
                             session=session_of(options)))
