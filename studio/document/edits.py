"""The only ways the project changes: methods that change it and emit.

Undo commands call these (as orange-canvas-core's commands call
`scheme.add_node`), so no command has to remember to notify the views or
update the dirty state. Steps are addressed by ids, containers as in
`tree_ops` (None for the top level, (condition id, branch index) for a branch).
"""
from __future__ import annotations

import copy
from typing import Any

from .tree_ops import Container, container_list, locate

Placed = tuple[Container, int, Any]       # where a removed step was, and the step


class ModelEdits:
    """Mixed into `ProjectSession`; relies on its `project`, `store`, `touch` and `touch_items`."""

    def _procedure(self, procedure_id: str):
        return self.project.procedures[procedure_id]

    def _structure_changed(self, procedure_id: str) -> None:
        self.touch("procedure", procedure_id, None, structure=True)

    # -- steps --------------------------------------------------------------------------
    def insert_steps(self, procedure_id: str, container: Container, index: int, steps: list) -> None:
        target = container_list(self._procedure(procedure_id), container)
        index = max(0, min(index, len(target)))
        target[index:index] = steps
        self._structure_changed(procedure_id)

    def remove_steps(self, procedure_id: str, step_ids: list[str]) -> list[Placed]:
        """Remove steps (ids inside an already removed step are skipped); what was removed, in order."""
        procedure, removed = self._procedure(procedure_id), []
        for step_id in step_ids:
            try:
                container, index = locate(procedure, step_id)
            except KeyError:
                continue
            removed.append((container, index, container_list(procedure, container).pop(index)))
        self._structure_changed(procedure_id)
        return removed

    def restore_steps(self, procedure_id: str, removed: list[Placed]) -> None:
        """Put back what `remove_steps` returned."""
        procedure = self._procedure(procedure_id)
        for container, index, step in reversed(removed):
            container_list(procedure, container).insert(index, step)
        self._structure_changed(procedure_id)

    def relocate_step(self, procedure_id: str, step_id: str, container: Container,
                      index: int) -> tuple[Container, int]:
        """Move a step to `index` of `container` counted after taking it out; where it was."""
        procedure = self._procedure(procedure_id)
        origin = locate(procedure, step_id)
        step = container_list(procedure, origin[0]).pop(origin[1])
        target = container_list(procedure, container)
        target.insert(max(0, min(index, len(target))), step)
        self._structure_changed(procedure_id)
        return origin

    def swap_step(self, procedure_id: str, step_id: str, step: Any) -> Any:
        """Put `step` in the place of the step `step_id`; the step that was there."""
        procedure = self._procedure(procedure_id)
        container, index = locate(procedure, step_id)
        target = container_list(procedure, container)
        previous, target[index] = target[index], step
        self._structure_changed(procedure_id)
        return previous

    def set_step_field(self, procedure_id: str, step_id: str, field: str, value: Any) -> None:
        """Set a field; a new id or kind changes the structure, anything else one step."""
        step = self._procedure(procedure_id).find_step(step_id)
        setattr(step, field, copy.deepcopy(value))
        structure = field in ("id", "kind")
        self.touch("procedure", procedure_id, None if structure else step.id, structure=structure)

    # -- branches and procedure fields ----------------------------------------------------
    def set_branch_when(self, procedure_id: str, step_id: str, branch: int, when: str) -> None:
        self._procedure(procedure_id).find_step(step_id).branches[branch].when = when
        self.touch("procedure", procedure_id, step_id, structure=False)

    def insert_branch(self, procedure_id: str, step_id: str, index: int, branch: Any) -> None:
        self._procedure(procedure_id).find_step(step_id).branches.insert(index, branch)
        self._structure_changed(procedure_id)

    def pop_branch(self, procedure_id: str, step_id: str, index: int) -> Any:
        branch = self._procedure(procedure_id).find_step(step_id).branches.pop(index)
        self._structure_changed(procedure_id)
        return branch

    def set_procedure_field(self, procedure_id: str, field: str, value: Any) -> None:
        setattr(self._procedure(procedure_id), field, copy.deepcopy(value))
        self._structure_changed(procedure_id)

    # -- simulations ------------------------------------------------------------------------
    def set_simulation_field(self, key: str, field: str, value: Any) -> None:
        """One field of the simulation in simulations/<key>.yaml (the simulation editor)."""
        setattr(self.store("simulation")[key], field, copy.deepcopy(value))
        self.touch("simulation", key)

    # -- whole items --------------------------------------------------------------------------
    def set_settings(self, settings: Any) -> None:
        self.project.settings = settings
        self.touch("settings", "")

    def replace_items(self, removed: list[tuple[str, str]], added: list[tuple[str, str, Any]]) -> None:
        """Take items out (kind, id), then put items in (kind, id, item); one event per kind."""
        touched: dict[str, set[str]] = {}
        for kind, item_id in removed:
            self.store(kind).pop(item_id, None)
            touched.setdefault(kind, set()).add(item_id)
        for kind, item_id, item in added:
            self.store(kind)[item_id] = item
            touched.setdefault(kind, set()).add(item_id)
        for kind, ids in touched.items():
            self.touch_items(kind, sorted(ids))
