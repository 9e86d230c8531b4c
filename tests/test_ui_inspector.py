"""Inspector forms: connector inputs, completion, the snippet tester, procedure settings."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from studio.ui.inspector.inspector import Inspector
from studio.document.session import ProjectSession
from studio.ui.widgets.expression_edit import check_expression

from test_ui_support import demo_project, studio_home  # noqa: F401

pytestmark = pytest.mark.gui


@pytest.fixture
def inspector(qtbot, demo_project):
    session = ProjectSession.open(demo_project)
    widget = Inspector()
    qtbot.addWidget(widget)
    widget.set_session(session)
    widget.resize(500, 800)
    widget.show()
    return widget


def test_connector_form_maps_inputs_and_undo_refreshes_it(qtbot, inspector):
    session = inspector.session
    inspector.show_step("damaged-order", "pay")
    form = inspector.step_form
    assert set(form.input_edits) == {"order_id", "amount"}
    form.input_edits["amount"].setPlainText("{{ refund * 2 }}")
    step = session.project.procedures["damaged-order"].find_step("pay")
    assert step.inputs["amount"] == "{{ refund * 2 }}"
    session.undo_stack.undo()
    assert form.input_edits["amount"].text() == "{{ refund }}"
    # completion offers connector result fields of saved results
    edit = form.input_edits["amount"]
    edit.setFocus()
    edit.setPlainText("{{ ord")
    cursor = edit.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    edit.setTextCursor(cursor)
    edit._maybe_complete()
    words = edit.completer.model().stringList()
    assert "order.total" in words and "order_id" in words


def test_expression_checks_locate_problems():
    known = {"order", "refund"}
    assert check_expression("order.total > 3", known) is None
    start, length, message, severity = check_expression("order.total >", known)
    assert severity == "error" and "syntax" in message
    assert check_expression("refnd > 3", known)[:2] == (0, 5)
    problem = check_expression("Refund {{ refund + }} now", known, template=True)
    assert problem[3] == "error" and 7 <= problem[0] < 21
    assert check_expression("no placeholders", known, template=True) is None


def test_snippet_tester_runs_off_the_gui_thread(qtbot, inspector):
    inspector.show_step("damaged-order", "amount")
    tester = inspector.step_form.tester
    assert set(tester.inputs) == {"order", "has_photo"}
    assert tester.sets == ["refund"] and "refund" in tester.output.placeholderText()
    tester.inputs["order"].setText("{total: 40}")
    tester.inputs["has_photo"].setText("false")
    with qtbot.waitSignal(tester.finished, timeout=30000) as blocker:
        tester.run()
    assert getattr(blocker.args[0], "status", None) == "ok", blocker.args[0]
    assert "refund = 20" in tester.output.toPlainText()


def test_procedure_form_edits_trigger_variables_and_rules(qtbot, inspector):
    session = inspector.session
    inspector.show_procedure("damaged-order")
    form = inspector.procedure_form
    form.examples.setPlainText("my order arrived damaged\nthe soup spilled")
    procedure = session.project.procedures["damaged-order"]
    assert procedure.trigger.examples == ["my order arrived damaged", "the soup spilled"]
    form._add_variable()
    assert "new_variable" in procedure.variables
    form.variables.item(2, 4).setText("Something new")
    assert procedure.variables["new_variable"].description == "Something new"
    # enum options and required are edited in the table; a rename keeps them
    form.variables.cellWidget(2, 1).setCurrentText("enum")
    form.variables.item(2, 3).setText("wait, cancel")
    form.variables.item(2, 2).setCheckState(Qt.Checked)
    assert procedure.variables["new_variable"].model_dump(exclude_none=True) == {
        "type": "enum", "description": "Something new", "required": True,
        "options": ["wait", "cancel"]}
    form.variables.item(2, 0).setText("choice")
    procedure = session.project.procedures["damaged-order"]
    assert "new_variable" not in procedure.variables
    assert procedure.variables["choice"].options == ["wait", "cancel"]
    assert procedure.variables["choice"].required is True
    form.rules.item(0, 0).setText("lawyer, legal")
    assert procedure.switch_rules[0].keywords == ["lawyer", "legal"]
    form.channels.setText("chat")
    form.channels.textEdited.emit("chat")
    assert procedure.channels == ["chat"]
    while session.undo_stack.can_undo():
        session.undo_stack.undo()
    assert not session.is_dirty
    assert form.examples.toPlainText().splitlines()[-1] == "the pizza was crushed"
    assert form.variables.rowCount() == 2


def test_snippet_tester_says_blocked_once(qtbot, inspector):
    inspector.show_step("damaged-order", "amount")
    tester = inspector.step_form.tester
    tester.code = "import os\nrefund = 1"
    with qtbot.waitSignal(tester.finished, timeout=30000) as blocker:
        tester.run()
    assert getattr(blocker.args[0], "status", None) == "blocked", blocker.args[0]
    status = tester.status.text()
    assert status.startswith("blocked: ") and status.count("blocked:") == 1, status
