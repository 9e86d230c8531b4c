"""The simulation editor's forms in the real window: expected connector calls as cards
(connector picker, inputs pre-filled from the connector), expected variables as a
name/value table, not-called connectors, and every attachment of a turn; each saved
to the file and undone / redone through the main window's undo stack."""
from __future__ import annotations

import pytest

from studio.core.project import load_project
from studio.core.simulation import ExpectedCall
from studio.ui.panels.sim_editor.kv_table import parse_value, value_text
from studio.ui.panels.sim_editor.sim_expect_form import procedure_names

from test_ui_support import sample_window as window  # noqa: F401  (fixture)
from test_ui_support import studio_home  # noqa: F401
from test_ui_support import SAMPLE_SIMULATION, simulation_editor as editor  # noqa: F401  (fixture)

pytestmark = pytest.mark.gui
KEY = SAMPLE_SIMULATION


def on_disk(window):
    return load_project(window.session.root).simulations[KEY]


def save_undo_redo(window, editor, check_new, check_old):
    """Save, then the window's Ctrl+Z steps back edit by edit (each edit is its own
    command) to before the first one, and Ctrl+Shift+Z forward again: the project and
    the form follow."""
    assert editor.save(), editor.problems.text()
    check_new(on_disk(window))
    steps = window.session.undo_stack.index()           # the edits since the window opened
    assert steps >= 1
    for _ in range(steps):
        window.actions_["undo"].trigger()
    check_old(window.session.project.simulations[KEY])
    check_old(editor.simulation())
    for _ in range(steps):
        window.actions_["redo"].trigger()
    check_new(window.session.project.simulations[KEY])
    check_new(editor.simulation())


def test_values_are_json_scalars_or_text():
    for value in (42.5, 3, True, None, "FD-123456", "42", "true", "", " padded", "a \"quote\""):
        assert parse_value(value_text(value)) == value
    assert value_text("FD-123456") == "FD-123456" and value_text("42") == '"42"'
    assert parse_value("Luigi's Pizzeria") == "Luigi's Pizzeria"


def test_connector_calls_form(qtbot, window, editor):
    old = list(window.session.project.simulations[KEY].expect.connector_calls)
    calls = editor.expect.calls
    assert [c.connector_id() for c in calls.cards] == ["get_order", "issue_refund"]
    refund = calls.cards[1]
    assert refund.inputs.rows() == [("order_id", "FD-123456"), ("amount", "42.5"), ("reason", "damaged")]
    # the picker: the procedure's connectors first, then the project's others
    ids = [refund.connector.itemData(i) for i in range(refund.connector.count())]
    used = ["get_order", "issue_refund", "issue_voucher"]
    assert ids[:3] == used and set(ids[3:]) == set(window.session.project.connectors) - set(used)
    assert "not used by this procedure" in refund.connector.itemText(3)

    calls.cards[0].remove_button.click()                       # get_order: not checked any more
    card = calls.add_call()
    card.connector.setCurrentIndex(card.connector.findData("issue_voucher"))
    declared = list(window.session.project.connectors["issue_voucher"].inputs)
    assert [name for name, _ in card.inputs.rows()] == declared  # pre-filled, empty
    assert card.call() == ExpectedCall(connector="issue_voucher")   # empty inputs: not checked
    card.inputs.set_cell(declared.index("order_id"), 1, "FD-123456")
    card.inputs.set_cell(declared.index("value"), 1, "5")
    refund.inputs.set_cell(1, 1, '"42.5"')                     # quoted: a string
    assert editor.dirty

    new = [ExpectedCall(connector="issue_refund",
                        inputs={"order_id": "FD-123456", "amount": "42.5", "reason": "damaged"}),
           ExpectedCall(connector="issue_voucher", inputs={"order_id": "FD-123456", "value": 5})]
    save_undo_redo(window, editor, lambda sim: sim.expect.connector_calls == new or pytest.fail(
                       f"{sim.expect.connector_calls}"),
                   lambda sim: sim.expect.connector_calls == old or pytest.fail(
                       f"{sim.expect.connector_calls}"))
    assert [c.connector_id() for c in editor.expect.calls.cards] == ["issue_refund", "issue_voucher"]

    # an input the connector does not declare is a warning; a name listed twice blocks the save
    refund = editor.expect.calls.cards[0]
    refund.inputs.add_row("amout", 42.5)
    assert "'amout' is not an input of this connector" in editor.problems.text()
    refund.inputs.add_row("amount", 1)
    assert not editor.save() and "listed twice" in editor.problems.text()


def test_variables_table_with_names_from_the_procedure(qtbot, window, editor):
    table = editor.expect.variables
    assert table.rows() == [("order_id", "FD-123456"), ("has_photo", "true"), ("refund", "42.5")]
    names = procedure_names(window.session.project, "damaged-order")
    assert {"order_id", "has_photo", "refund", "order", "payment"} <= set(names)
    assert table.suggestions == names
    # the name cell edits in an editable combo box offering those names
    delegate = table.table.itemDelegateForColumn(0)
    probe = delegate.createEditor(table.table.viewport(), None, table.table.model().index(0, 0))
    assert probe.isEditable() and [probe.itemText(i) for i in range(probe.count())] == names
    probe.setCurrentText("refund")
    delegate.setModelData(probe, table.table.model(), table.table.model().index(0, 0))
    assert table.rows()[0] == ("refund", "FD-123456")
    probe.deleteLater()
    table.set_cell(0, 0, "order_id")

    table.set_cell(2, 1, "40")                                # a number
    table.set_cell(1, 1, "false")                             # a boolean
    table.add_row("order.status", "delivered")                # dotted, typed as text
    table.add_row("note")                                     # no value: not checked
    new = {"order_id": "FD-123456", "has_photo": False, "refund": 40, "order.status": "delivered"}
    old = {"order_id": "FD-123456", "has_photo": True, "refund": 42.5}
    save_undo_redo(window, editor,
                   lambda sim: sim.expect.variables == new or pytest.fail(f"{sim.expect.variables}"),
                   lambda sim: sim.expect.variables == old or pytest.fail(f"{sim.expect.variables}"))

    table = editor.expect.variables
    table.table.selectRow(0)
    table.remove_button.click()
    assert "order_id" not in editor.simulation().expect.variables


def test_not_called_picker(qtbot, window, editor):
    picker = editor.expect.not_called
    options = [picker.item(i).text() for i in range(picker.count())]
    assert options[:3] == ["get_order", "issue_refund", "issue_voucher"]   # the procedure's first
    assert set(options) == set(window.session.project.connectors)
    assert picker.checked() == ["cancel_order", "issue_voucher"]
    from PySide6.QtCore import Qt
    picker.item(options.index("issue_voucher")).setCheckState(Qt.CheckState.Unchecked)
    picker.item(options.index("get_courier_eta")).setCheckState(Qt.CheckState.Checked)
    picker.item(options.index("issue_refund")).setCheckState(Qt.CheckState.Checked)
    assert "both expected and not called: issue_refund" in editor.problems.text()
    picker.item(options.index("issue_refund")).setCheckState(Qt.CheckState.Unchecked)
    save_undo_redo(
        window, editor,
        lambda sim: sim.expect.not_called == ["cancel_order", "get_courier_eta"] or pytest.fail(""),
        lambda sim: sim.expect.not_called == ["cancel_order", "issue_voucher"] or pytest.fail(""))


def test_every_attachment_of_a_turn_is_editable(qtbot, window, editor):
    form = editor.customer
    form.turn_list.setCurrentRow(2)
    atts = form.attachments
    assert atts.list.count() == 1 and atts.file.currentData() == "crushed-pizza.png"
    assert atts.preview.pixmap() is not None and not atts.preview.pixmap().isNull()
    assert atts.extracted.rows() == [("has_photo", "true")]
    assert atts.file.count() == 2                             # the attachments folder
    assert "has_photo" in atts.extracted.suggestions           # the procedure's variables

    atts.add_button.click()                                    # a second photo: the next free file
    assert atts.list.count() == 2 and atts.list.currentRow() == 1
    assert atts.file.currentData() == "spilled-soup.png"
    assert not atts.preview.pixmap().isNull()
    atts.extracted.add_row("has_photo", True)
    atts.extracted.add_row("order_id", "FD-123456")
    assert form.turn_list.item(2).text().endswith("[2 attachments]")

    atts.list.setCurrentRow(0)                                 # back to the first: edit it too
    assert atts.extracted.rows() == [("has_photo", "true")]
    atts.extracted.set_cell(0, 1, "false")

    def new(sim):
        turn = sim.customer.turns()[2]
        assert [(a.file, a.extracted) for a in turn.attachments] == [
            ("crushed-pizza.png", {"has_photo": False}),
            ("spilled-soup.png", {"has_photo": True, "order_id": "FD-123456"})]

    def old(sim):
        turn = sim.customer.turns()[2]
        assert [(a.file, a.extracted) for a in turn.attachments] == [
            ("crushed-pizza.png", {"has_photo": True})]

    save_undo_redo(window, editor, new, old)

    form = editor.customer
    form.turn_list.setCurrentRow(2)
    form.attachments.list.setCurrentRow(0)
    form.attachments.remove_button.click()                     # the first goes, the second stays
    assert [a.file for a in editor.simulation().customer.turns()[2].attachments] == ["spilled-soup.png"]
    assert form.attachments.file.currentData() == "spilled-soup.png"
