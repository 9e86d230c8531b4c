"""Who refers to a procedure, connector or article, and the same items renamed.

Used by rename (update references after the user confirms) and delete (warn
about what would break). Pure functions over a Project; returns copies.
"""
from __future__ import annotations

from typing import Any

from studio.core.project import Project


def references(project: Project, kind: str, item_id: str) -> list[tuple[str, str]]:
    """(kind, id) of every item that names `item_id`."""
    return [(k, i) for k, i, _ in _renamed(project, kind, item_id, item_id + "\0")]


def renamed_references(project: Project, kind: str, old: str, new: str) -> list[tuple[str, str, Any]]:
    """(kind, id, updated copy) for every item whose references must follow a rename."""
    return _renamed(project, kind, old, new)


def _renamed(project: Project, kind: str, old: str, new: str) -> list[tuple[str, str, Any]]:
    out = []
    for proc_id, procedure in project.procedures.items():
        data = procedure.model_dump(mode="json", by_alias=True)
        if _rename_in_procedure(data, kind, old, new):
            out.append(("procedure", proc_id, type(procedure).model_validate(data)))
    for key, simulation in project.simulations.items():
        data = simulation.model_dump(mode="json", by_alias=True)
        if _rename_in_simulation(data, kind, old, new):
            out.append(("simulation", key, type(simulation).model_validate(data)))
    return out


def _rename_in_procedure(data: dict, kind: str, old: str, new: str) -> bool:
    changed = False
    if kind == "procedure":
        for rule in data.get("switch_rules") or []:
            if rule.get("to") == old:
                rule["to"], changed = new, True
    fields = {"procedure": {"subprocedure": "procedure", "switch": "to"},
              "connector": {"connector": "connector"},
              "knowledge": {"knowledge": "article"}}.get(kind, {})
    for step in _walk_dicts(data.get("steps") or []):
        name = fields.get(step.get("kind"))
        if name and step.get(name) == old:
            step[name], changed = new, True
    return changed


def _walk_dicts(steps: list[dict]):
    for step in steps:
        yield step
        for branch in step.get("branches") or []:
            yield from _walk_dicts(branch.get("steps") or [])


def _rename_in_simulation(data: dict, kind: str, old: str, new: str) -> bool:
    changed = False
    expect = data.get("expect") or {}
    if kind == "procedure":
        if data.get("procedure") == old:
            data["procedure"], changed = new, True
        if expect.get("procedure") == old:
            expect["procedure"], changed = new, True
    elif kind == "connector":
        fixtures = (data.get("fixtures") or {}).get("connectors") or {}
        if old in fixtures:
            fixtures[new] = fixtures.pop(old)
            changed = True
        for call in expect.get("connector_calls") or []:
            if call.get("connector") == old:
                call["connector"], changed = new, True
        calls = expect.get("not_called") or []
        if old in calls:
            expect["not_called"] = [new if c == old else c for c in calls]
            changed = True
    return changed
