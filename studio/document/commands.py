"""Small undo commands for procedure edits (after orange-canvas-core's document/commands.py).

Each command finds its target by ids on every redo/undo, so the stack stays
valid whatever else was done and undone in between; typing merges into one
command through `mergeWith` (same procedure, step and field).
"""
from __future__ import annotations

import copy
from typing import Any

from studio.core.steps import Branch, ConditionStep

from .command import Command
from .session import ProjectSession
from .tree_ops import Container, container_list, locate

MERGE_STEP_FIELD = 1001
MERGE_PROC_FIELD = 1002
MERGE_BRANCH_WHEN = 1003


class _ProcedureCommand(Command):
    def __init__(self, session: ProjectSession, procedure_id: str, text: str):
        super().__init__(text)
        self.session = session
        self.procedure_id = procedure_id

    @property
    def procedure(self):
        return self.session.project.procedures[self.procedure_id]

    def changed(self, step_id: str | None = None) -> None:
        self.session.touch("procedure", self.procedure_id, step_id, structure=step_id is None)


class _MergingEdit(_ProcedureCommand):
    """Sets one value from `old` to `new`; consecutive edits of the same value (typing)
    merge into one command, which drops out when the value is back where it started.
    Subclasses give `merge_kind`, `target()` (what is edited) and may turn `merge` off."""

    merge_kind = -1
    merge = True
    old: Any
    new: Any

    def target(self) -> tuple:
        raise NotImplementedError

    @property
    def merge_id(self) -> int:
        return self.merge_kind if self.merge else -1

    def merge_with(self, other: Command) -> bool:
        if not (isinstance(other, type(self)) and other.merge and other.target() == self.target()):
            return False
        self.new = other.new
        self.obsolete = self.new == self.old
        return True


class InsertSteps(_ProcedureCommand):
    """Insert steps into a container at an index (the palette, paste, drops from elsewhere)."""

    def __init__(self, session, procedure_id, container: Container, index: int, steps: list,
                 text: str = "Insert step"):
        super().__init__(session, procedure_id, text)
        self.container, self.index, self.steps = container, index, list(steps)

    def redo(self):
        target = container_list(self.procedure, self.container)
        index = max(0, min(self.index, len(target)))
        target[index:index] = self.steps
        self.changed()

    def undo(self):
        target = container_list(self.procedure, self.container)
        ids = {s.id for s in self.steps}
        target[:] = [s for s in target if s.id not in ids]
        self.changed()


class RemoveSteps(_ProcedureCommand):
    def __init__(self, session, procedure_id, step_ids: list[str], text: str = "Delete step"):
        super().__init__(session, procedure_id, text)
        self.step_ids = list(step_ids)
        self.removed: list[tuple[Container, int, Any]] = []

    def redo(self):
        self.removed = []
        for step_id in self.step_ids:
            try:
                container, index = locate(self.procedure, step_id)
            except KeyError:   # inside a step removed just before
                continue
            target = container_list(self.procedure, container)
            self.removed.append((container, index, target.pop(index)))
        self.changed()

    def undo(self):
        for container, index, step in reversed(self.removed):
            container_list(self.procedure, container).insert(index, step)
        self.changed()


class MoveStep(_ProcedureCommand):
    """Move a step; `index` counts in the target list as it is *before* the move."""

    def __init__(self, session, procedure_id, step_id: str, container: Container, index: int):
        super().__init__(session, procedure_id, "Move step")
        self.step_id, self.to_container, self.to_index = step_id, container, index
        self.origin: tuple[Container, int] | None = None

    def redo(self):
        self.origin = locate(self.procedure, self.step_id)
        source = container_list(self.procedure, self.origin[0])
        step = source.pop(self.origin[1])
        target = container_list(self.procedure, self.to_container)
        index = self.to_index
        if self.to_container == self.origin[0] and self.origin[1] < index:
            index -= 1
        target.insert(max(0, min(index, len(target))), step)
        self.changed()

    def undo(self):
        container, index = locate(self.procedure, self.step_id)
        step = container_list(self.procedure, container).pop(index)
        container_list(self.procedure, self.origin[0]).insert(self.origin[1], step)
        self.changed()


class SetStepField(_MergingEdit):
    """Set one field of a step; consecutive typing in the same field merges."""

    merge_kind = MERGE_STEP_FIELD

    def __init__(self, session, procedure_id, step_id: str, field: str, value: Any,
                 merge: bool = True, text: str | None = None):
        super().__init__(session, procedure_id, text or f"Edit {field.replace('_', ' ')}")
        self.step_id, self.field, self.merge = step_id, field, merge and field != "id"
        self.new = copy.deepcopy(value)
        step = self.procedure.find_step(step_id)
        if step is None:
            raise KeyError(f"no step '{step_id}'")
        self.old = copy.deepcopy(getattr(step, field))

    def target(self) -> tuple:
        return self.procedure_id, self.step_id, self.field

    def _apply(self, find_id: str, value: Any) -> None:
        step = self.procedure.find_step(find_id)
        setattr(step, self.field, copy.deepcopy(value))
        self.changed(None if self.field in ("id", "kind") else step.id)

    def redo(self):
        self._apply(self.step_id, self.new)

    def undo(self):
        self._apply(self.new if self.field == "id" else self.step_id, self.old)


class SetProcedureField(_MergingEdit):
    """Title, description, trigger, channels, variables or switch rules (whole value)."""

    merge_kind = MERGE_PROC_FIELD

    def __init__(self, session, procedure_id, field: str, value: Any, merge: bool = True):
        super().__init__(session, procedure_id, f"Edit {field.replace('_', ' ')}")
        self.field, self.merge = field, merge
        self.new = copy.deepcopy(value)
        self.old = copy.deepcopy(getattr(self.procedure, field))

    def target(self) -> tuple:
        return self.procedure_id, self.field

    def redo(self):
        setattr(self.procedure, self.field, copy.deepcopy(self.new))
        self.changed()

    def undo(self):
        setattr(self.procedure, self.field, copy.deepcopy(self.old))
        self.changed()


class SetBranchWhen(_MergingEdit):
    merge_kind = MERGE_BRANCH_WHEN

    def __init__(self, session, procedure_id, step_id: str, branch: int, when: str):
        super().__init__(session, procedure_id, "Edit condition")
        self.step_id, self.branch, self.new = step_id, branch, when
        self.old = self._branch().when

    def _branch(self) -> Branch:
        return self.procedure.find_step(self.step_id).branches[self.branch]

    def target(self) -> tuple:
        return self.procedure_id, self.step_id, self.branch

    def redo(self):
        self._branch().when = self.new
        self.changed(self.step_id)

    def undo(self):
        self._branch().when = self.old
        self.changed(self.step_id)


class AddBranch(_ProcedureCommand):
    def __init__(self, session, procedure_id, step_id: str, index: int | None = None,
                 when: str = "True"):
        super().__init__(session, procedure_id, "Add branch")
        cond = self.procedure.find_step(step_id)
        if not isinstance(cond, ConditionStep):
            raise TypeError("branches belong to condition steps")
        if index is None:   # before a trailing else
            index = len(cond.branches) - (1 if cond.branches and cond.branches[-1].is_else else 0)
        self.step_id, self.index, self.branch = step_id, index, Branch(when=when)

    def redo(self):
        self.procedure.find_step(self.step_id).branches.insert(self.index, self.branch)
        self.changed()

    def undo(self):
        self.procedure.find_step(self.step_id).branches.pop(self.index)
        self.changed()


class RemoveBranch(_ProcedureCommand):
    def __init__(self, session, procedure_id, step_id: str, index: int):
        super().__init__(session, procedure_id, "Remove branch")
        self.step_id, self.index = step_id, index
        self.branch: Branch | None = None

    def redo(self):
        self.branch = self.procedure.find_step(self.step_id).branches.pop(self.index)
        self.changed()

    def undo(self):
        self.procedure.find_step(self.step_id).branches.insert(self.index, self.branch)
        self.changed()


class ReplaceStep(_ProcedureCommand):
    """Put another step in a step's place, same id (change of kind); undo restores it."""

    def __init__(self, session, procedure_id, step_id: str, step: Any,
                 text: str = "Change step kind"):
        super().__init__(session, procedure_id, text)
        self.step_id, self.new, self.old = step_id, step, None

    def _swap(self, step: Any) -> Any:
        container, index = locate(self.procedure, self.step_id)
        target = container_list(self.procedure, container)
        previous, target[index] = target[index], step
        return previous

    def redo(self):
        self.old = self._swap(self.new)
        self.changed()

    def undo(self):
        self.new = self._swap(self.old)
        self.changed()
