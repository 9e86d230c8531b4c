"""The simulation editor edits like the procedure editor: each edit is one command on the
window's undo stack (typing in one field merges), Ctrl+Z undoes the last simulation edit,
the dirty marker and the window title follow the stack, and Save writes the file."""
from __future__ import annotations

import pytest
import yaml
from PySide6.QtCore import Qt

from test_ui_support import sample_window as window  # noqa: F401  (fixture)
from test_ui_support import studio_home  # noqa: F401
from test_ui_support import SAMPLE_SIMULATION, simulation_editor as editor  # noqa: F401  (fixture)

pytestmark = pytest.mark.gui
KEY = SAMPLE_SIMULATION


def sim(window):
    return window.session.project.simulations[KEY]


def on_disk(window) -> dict:
    return yaml.safe_load((window.session.root / "simulations" / f"{KEY}.yaml").read_text())


def test_each_edit_is_one_undo_step_and_typing_merges(qtbot, window, editor):
    stack = window.session.undo_stack
    assert stack.index() == 0 and not editor.dirty and editor.marker.text() == "saved"
    goal = editor.customer.goal
    goal.setFocus()
    goal.end(False)
    qtbot.keyClicks(goal, " quickly")                         # eight keystrokes, one command
    assert sim(window).customer.goal.endswith("quickly") and stack.index() == 1
    assert editor.dirty and "unsaved" in editor.marker.text() and window.windowTitle().startswith("*")
    editor.expect.outcome.setCurrentIndex(editor.expect.outcome.findData("handoff"))
    assert sim(window).expect.outcome == "handoff" and stack.index() == 2
    assert stack.undoText() == "Edit simulation expect"

    window.actions_["undo"].trigger()                          # the last edit only
    assert sim(window).expect.outcome != "handoff" and sim(window).customer.goal.endswith("quickly")
    assert editor.expect.outcome.currentData() == sim(window).expect.outcome
    window.actions_["undo"].trigger()
    assert not sim(window).customer.goal.endswith("quickly")
    assert goal.text() == sim(window).customer.goal
    assert not editor.dirty and not window.session.is_dirty   # back to the file: clean
    window.actions_["redo"].trigger()
    window.actions_["redo"].trigger()
    assert goal.text().endswith("quickly") and editor.expect.outcome.currentData() == "handoff"

    assert editor.save(), editor.problems.text()
    assert on_disk(window)["expect"]["outcome"] == "handoff"
    assert on_disk(window)["customer"]["goal"].endswith("quickly")
    assert not editor.dirty and not window.session.is_dirty and editor.marker.text() == "saved"
    assert stack.index() == 2                                  # saving is no edit of its own


def test_ctrl_z_in_a_simulation_field_is_the_apps_undo(qtbot, window, editor):
    window.docks["simulation"].show()
    window.docks["simulation"].raise_()
    name = editor.name
    before = name.text()
    name.setFocus()
    qtbot.waitUntil(name.hasFocus, timeout=2000)
    name.end(False)
    qtbot.keyClicks(name, " (v2)")
    assert sim(window).name == before + " (v2)"
    qtbot.keyClick(name, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: sim(window).name == before, timeout=3000)
    assert name.text() == before and window.session.undo_stack.canRedo()


def test_json_being_typed_waits_in_the_form_until_it_parses(qtbot, window, editor):
    stack = window.session.undo_stack
    _check, edit = editor.fixtures.editors["get_order"]
    edit.edit.setPlainText('{"status": "delivered", ')        # half typed: nothing to push yet
    assert stack.index() == 0 and editor.dirty and not editor.save()
    assert "not valid JSON" in editor.problems.text()
    edit.edit.setPlainText('{"status": "delivered", "total": 12.5, "hours_since_delivery": 2}')
    assert stack.index() == 1 and sim(window).fixtures.connectors["get_order"]["total"] == 12.5
    assert editor.save(), editor.problems.text()
    assert on_disk(window)["fixtures"]["connectors"]["get_order"]["total"] == 12.5


def test_revert_is_one_undoable_step_back_to_the_file(qtbot, window, editor):
    saved_tags = list(sim(window).tags)
    editor.tags.setText("one")
    editor.description.setText("Two")
    assert stack_texts(window)[-2:] == ["Edit simulation tags", "Edit simulation description"]
    editor.revert_button.click()
    assert sim(window).tags == saved_tags and editor.tags.text() == ", ".join(saved_tags)
    assert not editor.dirty and not editor.revert_button.isEnabled()
    window.actions_["undo"].trigger()                          # the revert itself undoes
    assert sim(window).tags == ["one"] and sim(window).description == "Two"
    assert editor.tags.text() == "one" and editor.dirty


def stack_texts(window) -> list[str]:
    stack = window.session.undo_stack
    return [stack.text(i) for i in range(stack.count())]
