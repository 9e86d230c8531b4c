"""The app's undo history lets go of the commands Qt merges away. PySide keeps the
Python wrapper of every QUndoCommand Qt merged into the previous one (typing) and
deleted alive as long as the stack, even after clear(); the adapter's wrappers drop
our commands then, so typing a long note does not keep a command (with its old and
new text) per keystroke for the whole session."""
from __future__ import annotations

import gc
import weakref

import pytest

from studio.document import commands as cmd
from studio.document.session import ProjectSession
from studio.ui.undo_adapter import QtCommandStack

from test_ui_support import demo_project, studio_home  # noqa: F401

pytestmark = pytest.mark.gui


def _note(session, text):
    return cmd.SetStepField(session, "damaged-order", "approve", "note", text)


def test_keystrokes_merged_by_qt_are_let_go(qtbot, demo_project):
    session = ProjectSession.open(demo_project, QtCommandStack())
    before = session.project.procedures["damaged-order"].find_step("approve").note
    first = _note(session, "r")
    session.push(first)
    typed = [weakref.ref(first)]
    del first
    for length in range(2, 200):                    # one command a keystroke, merged by Qt
        command = _note(session, "refund checked"[:length % 14 + 1] + "!" * length)
        session.push(command)
        typed.append(weakref.ref(command))
        del command
    gc.collect()
    assert session.undo_stack.count() == 1                          # one "Edit note"
    assert sum(ref() is not None for ref in typed) == 1             # the one on the stack
    session.undo_stack.undo()
    assert session.project.procedures["damaged-order"].find_step("approve").note == before

