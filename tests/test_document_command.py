"""Undo, redo, merging and the clean state of the Qt-free command stack (no QApplication)."""
from __future__ import annotations

import subprocess
import sys

from studio.document import commands as cmd
from studio.document.command import Command, CommandStack
from studio.document.session import ProjectSession
from studio.document.tree_ops import new_step

from document_support import demo_project, studio_home  # noqa: F401  (fixtures)


class SetValue(Command):
    """Sets box["v"]; consecutive sets merge like typing."""

    merge_id = 7

    def __init__(self, box: dict, value: int):
        super().__init__(f"Set {value}")
        self.box, self.old, self.new = box, box["v"], value

    def redo(self):
        self.box["v"] = self.new

    def undo(self):
        self.box["v"] = self.old

    def merge_with(self, other):
        self.new = other.new
        self.text = other.text
        self.obsolete = self.new == self.old
        return True


def test_undo_redo_walk_the_history_and_a_push_drops_the_redo_branch():
    box, stack = {"v": 0}, CommandStack()
    stack.push(SetValue(box, 1))
    stack.begin_macro("two")         # a macro is one step, never merged with its neighbours
    stack.push(SetValue(box, 2))
    stack.end_macro()
    assert box["v"] == 2 and stack.count() == 2 and stack.undo_text() == "two"
    stack.undo()
    stack.undo()
    assert box["v"] == 0 and not stack.can_undo() and stack.redo_text() == "Set 1"
    stack.redo()
    assert box["v"] == 1
    stack.push(SetValue(box, 5))     # merges into "Set 1" (not the clean state)
    assert stack.count() == 1 and not stack.can_redo()
    stack.undo()
    assert box["v"] == 0


def test_typing_merges_and_back_to_the_start_drops_the_command():
    box, stack = {"v": 0}, CommandStack()
    for value in (1, 2, 3):
        stack.push(SetValue(box, value))
    assert stack.count() == 1 and stack.undo_text() == "Set 3" and box["v"] == 3
    stack.push(SetValue(box, 0))
    assert stack.count() == 0 and box["v"] == 0 and stack.is_clean()


def test_clean_state_follows_undo_and_is_never_merged_into():
    box, stack = {"v": 0}, CommandStack()
    seen = []
    stack.clean_changed.connect(seen.append)
    stack.push(SetValue(box, 1))
    stack.set_clean()                         # saved with v == 1
    stack.push(SetValue(box, 2))              # must not merge into the saved state
    assert stack.count() == 2 and not stack.is_clean()
    stack.undo()
    assert stack.is_clean() and box["v"] == 1
    stack.undo()
    stack.push(SetValue(box, 9))              # the saved state is gone with the redo branch
    stack.undo()
    assert not stack.is_clean()
    assert seen[:4] == [False, True, False, True]


def test_session_undo_merge_and_dirty_without_qt(demo_project):
    session = ProjectSession.open(demo_project)
    assert isinstance(session.undo_stack, CommandStack)
    for text in ("A", "Ap", "Apologise"):
        session.push(cmd.SetStepField(session, "damaged-order", "ask-order", "text", text))
    assert session.undo_stack.count() == 1 and session.is_dirty
    session.push(cmd.SetStepField(session, "damaged-order", "ask-order", "text",
                                  session.project.procedures["damaged-order"].find_step("ask-order").text))
    session.undo_stack.undo()
    assert not session.is_dirty
    steps = [new_step("instruction", session.project.procedures["damaged-order"].step_ids())]
    with session.macro("Insert and edit"):
        session.push(cmd.InsertSteps(session, "damaged-order", None, 0, steps))
        session.push(cmd.SetStepField(session, "damaged-order", "instruction", "text", "Hello"))
    assert session.undo_stack.count() == 1 and session.is_dirty
    session.undo_stack.undo()
    assert "instruction" not in session.project.procedures["damaged-order"].step_ids()
    assert not session.is_dirty


def test_the_document_layer_imports_no_qt():
    code = ("import sys, studio.document.session, studio.document.commands, "
            "studio.document.project_commands, studio.document.settings_commands, "
            "studio.document.recovery; "
            "sys.exit(any(m.split('.')[0] in ('PySide6', 'pyqtgraph') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_every_procedure_command_tells_the_views_on_do_and_undo(demo_project):
    """Commands change the project through the session's emitting methods, so views
    repaint after any edit, undo or redo without the command notifying by hand."""
    session = ProjectSession.open(demo_project)
    pid = "damaged-order"
    events: list[tuple] = []
    session.procedure_changed.connect(lambda proc, step: events.append((proc, step)))
    step = new_step("end", session.project.procedures[pid].step_ids())
    commands = [
        cmd.InsertSteps(session, pid, None, 0, [step]),
        cmd.MoveStep(session, pid, step.id, ("eligible", 1), 0),
        cmd.SetStepField(session, pid, "ask-order", "text", "Hello", merge=False),
        cmd.SetProcedureField(session, pid, "title", "Damaged", merge=False),
        cmd.AddBranch(session, pid, "eligible", when="order.total > 100"),
        cmd.SetBranchWhen(session, pid, "eligible", 0, "True"),
        cmd.RemoveSteps(session, pid, ["policy"]),
    ]
    for command in commands:
        before = len(events)
        session.push(command)
        assert len(events) > before, type(command).__name__
    assert events[2] == (pid, "ask-order")          # a field edit names its step
    for command in reversed(commands):
        before = len(events)
        session.undo_stack.undo()
        assert len(events) > before, type(command).__name__
    assert not session.is_dirty
