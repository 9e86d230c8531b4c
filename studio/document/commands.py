"""Small undo commands for procedure edits (after orange-canvas-core's document/commands.py).

Each command finds its target by ids on every redo/undo, so the stack stays
valid whatever else was done and undone in between; typing merges into one
command through `merge_with` (same procedure, step and field). Commands change
the project only through the session's emitting methods (`edits.py`).
"""
from __future__ import annotations

import copy
from typing import Any

from studio.core.steps import Branch, ConditionStep

from .command import Command
from .session import ProjectSession
from .tree_ops import Container, locate

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
        self.session.insert_steps(self.procedure_id, self.container, self.index, self.steps)

    def undo(self):
        self.session.remove_steps(self.procedure_id, [s.id for s in self.steps])


class RemoveSteps(_ProcedureCommand):
    def __init__(self, session, procedure_id, step_ids: list[str], text: str = "Delete step"):
        super().__init__(session, procedure_id, text)
        self.step_ids = list(step_ids)
        self.removed: list[tuple[Container, int, Any]] = []

    def redo(self):
        self.removed = self.session.remove_steps(self.procedure_id, self.step_ids)

    def undo(self):
        self.session.restore_steps(self.procedure_id, self.removed)


class MoveStep(_ProcedureCommand):
    """Move a step; `index` counts in the target list as it is *before* the move."""

    def __init__(self, session, procedure_id, step_id: str, container: Container, index: int):
        super().__init__(session, procedure_id, "Move step")
        self.step_id, self.to_container, self.to_index = step_id, container, index
        self.origin: tuple[Container, int] | None = None

    def redo(self):
        origin = locate(self.procedure, self.step_id)
        index = self.to_index
        if self.to_container == origin[0] and origin[1] < index:
            index -= 1
        self.origin = self.session.relocate_step(self.procedure_id, self.step_id,
                                                 self.to_container, index)

    def undo(self):
        self.session.relocate_step(self.procedure_id, self.step_id, *self.origin)


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
        self.session.set_step_field(self.procedure_id, find_id, self.field, value)

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
        self.session.set_procedure_field(self.procedure_id, self.field, self.new)

    def undo(self):
        self.session.set_procedure_field(self.procedure_id, self.field, self.old)


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
        self.session.set_branch_when(self.procedure_id, self.step_id, self.branch, self.new)

    def undo(self):
        self.session.set_branch_when(self.procedure_id, self.step_id, self.branch, self.old)


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
        self.session.insert_branch(self.procedure_id, self.step_id, self.index, self.branch)

    def undo(self):
        self.session.pop_branch(self.procedure_id, self.step_id, self.index)


class RemoveBranch(_ProcedureCommand):
    def __init__(self, session, procedure_id, step_id: str, index: int):
        super().__init__(session, procedure_id, "Remove branch")
        self.step_id, self.index = step_id, index
        self.branch: Branch | None = None

    def redo(self):
        self.branch = self.session.pop_branch(self.procedure_id, self.step_id, self.index)

    def undo(self):
        self.session.insert_branch(self.procedure_id, self.step_id, self.index, self.branch)


class ReplaceStep(_ProcedureCommand):
    """Put another step in a step's place, same id (change of kind); undo restores it."""

    def __init__(self, session, procedure_id, step_id: str, step: Any,
                 text: str = "Change step kind"):
        super().__init__(session, procedure_id, text)
        self.step_id, self.new, self.old = step_id, step, None

    def redo(self):
        self.old = self.session.swap_step(self.procedure_id, self.step_id, self.new)

    def undo(self):
        self.new = self.session.swap_step(self.procedure_id, self.step_id, self.old)
