"""'Save this run as a simulation': a hand-tried conversation becomes a
simulation whose expectations say what happened, for the designer to trim."""
from __future__ import annotations

from typing import Any

from studio.core.simulation import CustomerTurn, Expectations, ExpectedCall, Fixtures, Simulation

from .reasoning import event_kind

_SCALARS = (str, int, float, bool)


def connector_calls(result: Any) -> list[ExpectedCall]:
    calls = []
    for event in result.trace or []:
        if event_kind(event) != "connector_called" or not event.get("connector"):
            continue
        name = event["connector"]
        inputs = event.get("inputs") or {}
        calls.append(ExpectedCall(connector=str(name), inputs=dict(inputs) if isinstance(inputs, dict) else {}))
    return calls


def visited_steps(result: Any, home: str | None) -> list[str]:
    """Visited step ids; steps of other procedures are written `procedure.step`."""
    out: list[str] = []
    for proc, cov in (result.coverage or {}).items():
        steps = getattr(cov, "steps", None)
        if steps is None and isinstance(cov, dict):
            steps = cov.get("steps", [])
        for step in steps or []:
            ref = step if proc == home else f"{proc}.{step}"
            if ref not in out:
                out.append(ref)
    return out


def simulation_from_result(result: Any, turns: list[CustomerTurn | str], name: str,
                           base: Simulation | None = None, fixtures: Fixtures | None = None,
                           segment: str | None = None) -> Simulation:
    """A new simulation replaying `turns`, expecting what `result` did; `fixtures` and
    `segment` are the data the run was tried with (they override `base`'s)."""
    home = result.triggered or result.procedure or (base.procedure if base else None)
    expect = Expectations(
        procedure=result.triggered or None,
        outcome=result.outcome if result.outcome in ("resolved", "handoff", "unresolved") else None,
        visited=visited_steps(result, home),
        variables={k: v for k, v in (result.variables or {}).items()
                   if isinstance(v, _SCALARS) and v is not None},
        connector_calls=connector_calls(result),
    )
    notes = [e.text for e in result.transcript if e.role == "note" and e.text]
    script: list[Any] = [t if isinstance(t, str) or t.attachments else t.text for t in turns]
    data: dict[str, Any] = {
        "name": name,
        "procedure": home,
        "tags": ["captured"],
        "expect": expect,
    }
    if base is not None:
        data["customer"] = base.customer.model_copy(update={"script": script})
        data["fixtures"] = base.fixtures
        data["tags"] = sorted(set(base.tags) | {"captured"})
    else:
        data["customer"] = {"script": script}
    if fixtures is not None:
        data["fixtures"] = fixtures
    if segment is not None:
        customer = data["customer"]
        data["customer"] = (customer.model_copy(update={"segment": segment})
                            if hasattr(customer, "model_copy") else customer | {"segment": segment})
    if notes:
        data["description"] = "Captured from a hand-tried run. Internal note: " + notes[-1][:200]
    return Simulation.model_validate(data)
