"""Forms a designer uses instead of YAML (issue 16): the connector form with a test
call, conditions read in plain words and written in words, and the small fixes
(no preselected connector, flowchart below an empty ELSE lane, field undo is the
app's undo, visited / not reached badges)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from lost_parcel import lost_parcel_project
from studio.llm.condition import ConditionDraft
from test_ui_support import close_window, open_window, studio_home  # noqa: F401

pytestmark = pytest.mark.gui


@pytest.fixture
def win(qtbot, studio_home, tmp_path):
    root = tmp_path / "w"
    lost_parcel_project(root)
    window = open_window(qtbot, root, confirm=True, ask_text="check_stock")
    yield window
    close_window(window)


def test_connector_form_edits_undoably_and_test_call_answers(qtbot, win):
    editor = win.open_item("connector", "get_order")
    assert type(editor).__name__ == "ConnectorEditor"
    assert ".hours_since_delivery" in editor.fields.text() and "result" in editor.fields.text()
    editor.description.setText("Find an order")
    editor.description.textEdited.emit("Find an order")
    assert win.session.project.connectors["get_order"].description == "Find an order"
    editor.sample.edit.setPlainText('{"status": "lost", "total": 9, "hours_since_delivery": 200, "id": "x"}')
    qtbot.waitUntil(lambda: win.session.project.connectors["get_order"].sample.get("status") == "lost",
                    timeout=3000)
    editor.test_inputs.setText('{"order_id": "PK-483920"}')
    editor.run_test()
    qtbot.waitUntil(lambda: getattr(editor, "last_test", None) is not None, timeout=10000)
    assert editor.last_test["output"]["id"] == "PK-483920" and "✔" in editor.test_result.text()
    win.actions_["undo"].trigger()
    assert win.session.project.connectors["get_order"].sample.get("status") != "lost"
    assert editor.sample.value() == win.session.project.connectors["get_order"].sample
    yaml_view = win.show_text("connector", "get_order")
    assert "get_order" in yaml_view.text.toPlainText()


def test_a_new_connector_opens_in_the_form(qtbot, win):
    win.actions_["new_connector"].trigger()
    assert "check_stock" in win.session.project.connectors
    assert win.documents.currentWidget().item_id == "check_stock"


def test_cards_and_inspector_read_conditions_in_plain_words(qtbot, win):
    editor = win.procedure_editor("lost-parcel")
    delegate = editor.view.itemDelegate()
    branch = next(n for n in editor.model.nodes() if n.is_branch and n.branch == 0) \
        if hasattr(editor.model, "nodes") else None
    from studio.ui.editor.step_text import branch_words
    step = win.session.project.procedures["lost-parcel"].find_step("late")
    assert branch_words(step.branches[0]) == "when the order's hours since delivery is more than 168 (7 days)"
    assert branch_words(step.branches[1]) == ""
    editor.select_step("late")
    form = win.inspector.step_form
    assert "more than 168 (7 days)" in form.words_labels[0].text()
    assert "order.hours_since_delivery" in form.readable_fields.text()     # the connector's fields
    del delegate, branch


def test_write_a_condition_in_words_with_a_preview(qtbot, win):
    editor = win.procedure_editor("lost-parcel")
    editor.select_step("late")
    form = win.inspector.step_form
    dialog = form.words_dialog(0)
    qtbot.addWidget(dialog)
    assert not dialog.make.isEnabled()                     # offline: needs a model, says so
    dialog.make.setEnabled(True)
    dialog._draft_fn = lambda project, words, names, variables: ConditionDraft(
        "order.hours_since_delivery > 2", "the order's hours since delivery is more than 2")
    dialog.words.setText("delivered more than 2 hours ago")
    dialog.ask()
    qtbot.waitUntil(lambda: dialog.expression is not None, timeout=5000)
    assert "takes <b>IF</b>" in dialog.result.text()      # the sample's 3 hours > 2
    assert dialog.use_button.isEnabled()


def test_a_new_connector_step_has_no_connector_chosen(qtbot, win):
    editor = win.procedure_editor("lost-parcel")
    editor.select_step("ask-order")
    step_id = editor.insert_step("connector")
    step = win.session.project.procedures["lost-parcel"].find_step(step_id)
    assert step.connector == ""
    combo = win.inspector.step_form.fields["connector"]
    assert combo.currentIndex() == -1 and combo.placeholderText() == "choose a connector"


def test_flowchart_draws_what_follows_below_the_if_lane_when_else_is_empty(qtbot, win):
    from PySide6.QtWidgets import QGraphicsSimpleTextItem
    from studio.core.procedure import Procedure
    procedure = Procedure.model_validate({"id": "p", "title": "P", "steps": [
        {"id": "ask", "kind": "instruction", "text": "Ask."},
        {"id": "late", "kind": "condition", "branches": [
            {"when": "x > 1", "steps": [{"id": "refund", "kind": "code", "code": "r = 1"},
                                        {"id": "approve", "kind": "checkpoint", "mode": "approval",
                                         "note": "n"},
                                        {"id": "done", "kind": "end", "outcome": "resolved"}]},
            {"when": "else", "steps": []}]}]})
    chart = win.procedure_editor("lost-parcel").flowchart
    chart.show_procedure(procedure)
    pill = next(i for i in chart.scene().items()
                if isinstance(i, QGraphicsSimpleTextItem) and i.text() == "continue / end")
    top = pill.parentItem().sceneBoundingRect().top()
    assert top > chart.nodes["done"].bottom().y()           # not drawn over the IF lane


def test_ctrl_z_in_an_inspector_field_is_the_apps_undo(qtbot, win):
    editor = win.procedure_editor("lost-parcel")
    editor.select_step("ask-order")
    form = win.inspector.step_form
    field = form.fields["text"]
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=2000)
    field.moveCursor(field.textCursor().MoveOperation.End)
    qtbot.keyClicks(field, " Politely.")
    step = lambda: win.session.project.procedures["lost-parcel"].find_step("ask-order")  # noqa: E731
    qtbot.waitUntil(lambda: step().text.endswith("Politely."), timeout=3000)
    stack = win.session.undo_stack
    undo_before = stack.index()
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: step().text == "Ask for the order number.", timeout=3000)
    assert stack.index() == undo_before - 1 and stack.canRedo()   # redo kept: not a new edit


def test_run_marks_read_visited_and_not_reached():
    from studio.ui.theme import MARK_LABELS
    assert MARK_LABELS["passed"] == "visited" and MARK_LABELS["unreached"] == "not reached"


def test_pass_rate_chart_shows_the_latest_run_whole(qtbot):
    import pyqtgraph as pg
    from studio.ui.panels.reports.reports import ReportsPanel
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    runs = list(range(1, 25))                      # more runs than ticks: the latest keeps its label
    ReportsPanel._run_ticks(plot, runs)
    (low, high), _ = plot.getViewBox().viewRange()
    assert high >= 24.5 and low <= 0.5             # half a run of room: the last point is not cut
    ticks = plot.getAxis("bottom")._tickLevels[0]
    assert (24, "#24") in ticks
