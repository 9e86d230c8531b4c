"""Undo commands for simulation edits: one per edit in the simulation editor, like
procedure edits (`commands.py`), on the same stack and with the same events.

`SetSimulationField` sets one top-level field of a simulation (name, procedure,
tags, description, customer, fixtures, expect) through the session's emitting
`set_simulation_field`, so the views and the library listener hear of it.
Typing merges: consecutive edits of the same place inside a field (the goal, the
text of turn 2, one fixture's JSON) become one command, found by comparing the
field's data before and after (`changed_path`).
"""
from __future__ import annotations

import copy
from typing import Any

from .command import Command
from .session import ProjectSession

MERGE_SIM_FIELD = 1020
Path = tuple


def _data(value: Any) -> Any:
    return value.model_dump(mode="json", by_alias=True) if hasattr(value, "model_dump") else value


def changed_path(old: Any, new: Any) -> Path:
    """Where `old` and `new` (plain data: dicts, lists, scalars) differ: the longest path
    that holds every difference. () when they differ at the top (or not at all)."""
    if isinstance(old, dict) and isinstance(new, dict):
        keys = [k for k in old.keys() | new.keys() if old.get(k, _MISSING) != new.get(k, _MISSING)]
        if len(keys) == 1 and keys[0] in old and keys[0] in new:
            return (keys[0],) + changed_path(old[keys[0]], new[keys[0]])
        return ()
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        indexes = [i for i, (a, b) in enumerate(zip(old, new)) if a != b]
        if len(indexes) == 1:
            return (indexes[0],) + changed_path(old[indexes[0]], new[indexes[0]])
    return ()


_MISSING = object()


class SetSimulationField(Command):
    """Set one field of the simulation in `simulations/<key>.yaml`; typing in one place merges."""

    def __init__(self, session: ProjectSession, key: str, field: str, value: Any,
                 merge: bool = True, text: str | None = None):
        super().__init__(text or f"Edit simulation {field.replace('_', ' ')}")
        simulation = session.get("simulation", key)
        if simulation is None:
            raise KeyError(f"no simulation '{key}'")
        self.session, self.key, self.field, self.merge = session, key, field, merge
        self.old = copy.deepcopy(getattr(simulation, field))
        self.new = copy.deepcopy(value)
        self.path = changed_path(_data(self.old), _data(self.new))

    @property
    def merge_id(self) -> int:
        return MERGE_SIM_FIELD if self.merge else -1

    def target(self) -> tuple:
        return self.key, self.field, self.path

    def merge_with(self, other: Command) -> bool:
        if not (isinstance(other, SetSimulationField) and other.merge
                and other.target() == self.target()):
            return False
        self.new = other.new
        self.obsolete = _data(self.new) == _data(self.old)
        return True

    def redo(self) -> None:
        self.session.set_simulation_field(self.key, self.field, self.new)

    def undo(self) -> None:
        self.session.set_simulation_field(self.key, self.field, self.old)
