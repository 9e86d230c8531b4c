"""Rules about simulations: every id they name must exist in the project."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .procedure import Procedure
from .simulation import Simulation
from .steps import CheckpointStep
from .validate_context import ERROR, INFO, WARNING, Reporter, did_you_mean
from .validate_graph import reachable


@dataclass
class _Scope:
    """Which procedures a simulation's plain step ids may refer to."""
    procedures: dict[str, Procedure]
    reach: list[str]              # procedures the conversation can get to
    own: str | None               # the simulation's procedure: its step ids win
    broken: set[str]              # failed to load: references into them are not checked


def check_simulation(sim: Simulation, rep: Reporter, project: Any, known_procedures: set[str],
                     broken_connectors: set[str] | frozenset[str] = frozenset(),
                     settings_broken: bool = False) -> None:
    """`broken_connectors` and `settings_broken`: files that failed to load, already
    reported; what they would define is not called unknown here."""
    procedures: dict[str, Procedure] = project.procedures
    starts = []
    for path, pid in ((("procedure",), sim.procedure), (("expect", "procedure"), sim.expect.procedure)):
        if pid is None:
            continue
        if pid not in known_procedures:
            rep.add(ERROR, "unknown-procedure", f"unknown procedure '{pid}'", path=path,
                    hint=did_you_mean(pid, known_procedures, "procedures"))
        else:
            starts.append(pid)
    reach: list[str] = []
    for pid in starts:
        reach += [p for p in reachable(procedures, pid) if p not in reach]
    if not starts:
        reach = sorted(procedures)
    scope = _Scope(procedures, reach, starts[0] if starts else None, known_procedures - set(procedures))
    _check_customer(sim, rep, project, settings_broken)
    _check_connectors(sim, rep, project, broken_connectors)
    if not any(pid in scope.broken for pid in starts):
        _check_step_refs(sim, rep, scope)
        _check_approvals(sim, rep, scope)
    for code, severity, message, field in expectation_conflicts(sim.expect):
        rep.add(severity, code, f"expect: {message}", path=("expect", field),
                hint="a simulation cannot expect both; keep the one you mean")
    if sim.expect.is_empty():
        rep.add(INFO, "no-expectations", "the simulation checks nothing", path=("name",),
                hint="add expect: (outcome, visited, replies_contain, ...) so a regression shows up")


def expectation_conflicts(expect: Any) -> list[tuple[str, str, str, str]]:
    """Expectations that contradict each other, as (code, severity, message, field): a
    step both visited and not visited can never pass (an error); a connector both
    expected and not called is a warning. The simulation editor shows the same codes."""
    out = []
    both = set(expect.visited) & set(expect.not_visited)
    if both:
        out.append(("visited-and-not-visited", ERROR,
                    f"both visited and not visited: {', '.join(sorted(both))}", "not_visited"))
    called = {c.connector for c in expect.connector_calls} & set(expect.not_called)
    if called:
        out.append(("called-and-not-called", WARNING,
                    f"both expected and not called: {', '.join(sorted(called))}", "not_called"))
    return out


def _check_customer(sim: Simulation, rep: Reporter, project: Any, settings_broken: bool) -> None:
    segments = project.settings.segments
    segment = sim.customer.segment
    if segment is not None and segment not in segments and not settings_broken:
        rep.add(ERROR, "unknown-segment", f"unknown customer segment '{segment}'",
                path=("customer", "segment"),
                hint=did_you_mean(segment, segments, "segments") or "segments are defined in studio.yaml")
    if not sim.customer.script and not (sim.customer.persona or sim.customer.goal):
        rep.add(WARNING, "no-script", "the customer has no script, persona or goal",
                path=("customer",) if "customer" in sim.model_fields_set else ("name",),
                hint="add customer.script with what the customer says")
    attachments = project.root / "attachments"
    for t_index, turn in enumerate(sim.customer.script):
        if isinstance(turn, str):
            continue
        for a_index, attachment in enumerate(turn.attachments):
            if not (attachments / attachment.file).exists():
                rep.add(WARNING, "missing-attachment", f"attachment '{attachment.file}' is not in attachments/",
                        path=("customer", "script", t_index, "attachments", a_index, "file"),
                        hint="copy the file into the project's attachments folder")


def _resolve(ref: str, scope: _Scope) -> tuple[str, str | None]:
    """('ok'|'unknown'|'ambiguous'|'unknown-procedure', hint) for a step reference."""
    procedures = scope.procedures
    if "." in ref:
        pid, sid = ref.split(".", 1)
        if pid in scope.broken:
            return "ok", None
        if pid not in procedures:
            return "unknown-procedure", did_you_mean(pid, procedures, "procedures")
        ids = procedures[pid].step_ids()
        return ("ok", None) if sid in ids else ("unknown", did_you_mean(sid, ids, f"steps in {pid}"))
    owners = [pid for pid in scope.reach if pid in procedures and ref in procedures[pid].step_ids()]
    if owners and scope.own in owners:
        return "ok", None
    if len(owners) > 1:
        return "ambiguous", "write " + " or ".join(f"{p}.{ref}" for p in owners)
    if owners:
        return "ok", None
    everything = [s for p in scope.reach if p in procedures for s in procedures[p].step_ids()]
    return "unknown", did_you_mean(ref, everything, "steps")


def _check_step_refs(sim: Simulation, rep: Reporter, scope: _Scope) -> None:
    for field in ("visited", "not_visited"):
        for index, ref in enumerate(getattr(sim.expect, field)):
            status, hint = _resolve(ref, scope)
            path = ("expect", field, index)
            if status == "unknown":
                rep.add(ERROR, "unknown-step", f"expect.{field}: unknown step '{ref}'", path=path, hint=hint)
            elif status == "unknown-procedure":
                rep.add(ERROR, "unknown-procedure",
                        f"expect.{field}: unknown procedure in '{ref}'", path=path, hint=hint)
            elif status == "ambiguous":
                rep.add(WARNING, "ambiguous-step",
                        f"expect.{field}: step '{ref}' exists in more than one procedure", path=path,
                        hint=hint)


def _check_connectors(sim: Simulation, rep: Reporter, project: Any, broken: set[str] | frozenset[str]) -> None:
    known = project.connectors

    def check(cid: str, path: tuple, key: bool = False) -> None:
        if cid not in known and cid not in broken:
            rep.add(ERROR, "unknown-connector", f"unknown connector '{cid}'", path=path, key=key,
                    hint=did_you_mean(cid, known, "connectors"))

    for cid in sim.fixtures.connectors:
        check(cid, ("fixtures", "connectors", cid), key=True)
    for index, call in enumerate(sim.expect.connector_calls):
        check(call.connector, ("expect", "connector_calls", index, "connector"))
        connector = known.get(call.connector)
        if connector is not None and connector.inputs:
            for name in call.inputs:
                if name not in connector.inputs:
                    rep.add(WARNING, "unknown-input", f"connector '{call.connector}' has no input '{name}'",
                            path=("expect", "connector_calls", index, "inputs", name), key=True,
                            hint=did_you_mean(name, connector.inputs, "inputs"))
    for index, cid in enumerate(sim.expect.not_called):
        check(cid, ("expect", "not_called", index))


def _check_approvals(sim: Simulation, rep: Reporter, scope: _Scope) -> None:
    procedures = scope.procedures
    for ref in sim.fixtures.approvals:
        path = ("fixtures", "approvals", ref)
        status, hint = _resolve(ref, scope)
        if status in ("unknown", "unknown-procedure"):
            rep.add(ERROR, "unknown-step", f"fixtures.approvals: unknown step '{ref}'", path=path,
                    key=True, hint=hint)
            continue
        if status == "ambiguous":
            rep.add(WARNING, "ambiguous-step", f"fixtures.approvals: step '{ref}' exists in more than one "
                    "procedure", path=path, key=True, hint=hint)
        if "." in ref:
            pid, sid = ref.split(".", 1)
            if pid not in procedures:
                continue
            steps = [procedures[pid].find_step(sid)]
        else:
            steps = [procedures[p].find_step(ref) for p in scope.reach if procedures[p].find_step(ref)]
        if not any(isinstance(s, CheckpointStep) and s.mode == "approval" for s in steps):
            approvals = [s.id for p in scope.reach for s in procedures[p].all_steps()
                         if isinstance(s, CheckpointStep) and s.mode == "approval"]
            rep.add(ERROR, "not-approval", f"fixtures.approvals: step '{ref}' is not an approval checkpoint",
                    path=path, key=True,
                    hint=("approval steps here: " + ", ".join(approvals)) if approvals
                    else "approvals decide checkpoint steps with mode: approval")
