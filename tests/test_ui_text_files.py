"""The YAML / Markdown text view: what the designer types is exactly what is saved."""
from __future__ import annotations

import pytest

from studio.document.recovery import Recovery
from studio.document.session import ProjectSession

from test_ui_support import demo_project, open_window, studio_home, window  # noqa: F401

pytestmark = pytest.mark.gui

CONNECTOR = """\
# Looks an order up in the shop; keep the sample in step with the real API.
id: get_order
schema: 'connector/v1'
description: "Look up an order by its number."   # shown in the step picker
sample: {total: 42.5, status: delivered, hours_since_delivery: 3}
inputs:
  order_id: {type: string, required: true}
"""


def type_text(qtbot, editor, text):
    editor.text.setPlainText(text)
    editor.flush()          # as the typing pause (or a save) would


def open_text(window, kind, item_id):
    editor = window.show_text(kind, item_id)
    assert editor is not None and editor.text.toPlainText()
    return editor


def test_typed_connector_text_is_saved_as_typed_and_undo_goes_back(qtbot, window, demo_project):
    path = demo_project / "connectors/get_order.yaml"
    original = path.read_text()
    editor = open_text(window, "connector", "get_order")
    type_text(qtbot, editor, CONNECTOR)
    session = window.session
    assert session.project.connectors["get_order"].sample["total"] == 42.5
    assert session.project.connectors["get_order"].description == "Look up an order by its number."
    assert window.windowTitle().startswith("*")
    window.actions_["save"].trigger()
    assert path.read_text() == CONNECTOR                      # comments, order and quotes kept
    assert not session.is_dirty

    type_text(qtbot, editor, CONNECTOR.replace("42.5", "50"))
    assert session.project.connectors["get_order"].sample["total"] == 50
    window.actions_["undo"].trigger()                         # one step per save round
    assert session.project.connectors["get_order"].sample["total"] == 42.5
    assert editor.text.toPlainText() == CONNECTOR
    assert not session.is_dirty
    window.actions_["undo"].trigger()
    assert editor.text.toPlainText() == original
    window.actions_["save"].trigger()
    assert path.read_text() == original
    window.actions_["redo"].trigger()
    window.actions_["save"].trigger()
    assert path.read_text() == CONNECTOR


def test_a_comment_alone_is_a_change_that_saves(qtbot, window, demo_project):
    path = demo_project / "simulations/crushed-pizza.yaml"
    editor = open_text(window, "simulation", "crushed-pizza")
    typed = "# the plain refund case\n" + path.read_text()
    type_text(qtbot, editor, typed)
    assert window.session.is_key_dirty(("simulation", "crushed-pizza"))
    window.actions_["save"].trigger()
    assert path.read_text() == typed
    window.actions_["undo"].trigger()
    assert window.session.is_key_dirty(("simulation", "crushed-pizza"))   # the file has the comment
    window.actions_["redo"].trigger()
    assert not window.session.is_dirty


def test_broken_text_is_not_saved_and_nothing_is_lost(qtbot, window, demo_project, studio_home):
    path = demo_project / "connectors/get_order.yaml"
    original = path.read_text()
    editor = open_text(window, "connector", "get_order")
    broken = CONNECTOR.replace("sample: {total: 42.5,", "sample: {total: 42.5\n  oops: [")
    type_text(qtbot, editor, broken)
    assert "line" in editor.status.text() and "column" in editor.status.text()
    assert editor.problems and editor.problems[0].line >= 5
    assert window.session.project.connectors["get_order"].sample["total"] == 42.5
    assert window.windowTitle().startswith("*")                # unsaved work is there
    window.actions_["save"].trigger()
    assert path.read_text() == original                        # not written
    asked = [a for a in window.prompts.asked if a[0] == "error"]
    assert asked and "line" in asked[-1][1][1] and "get_order.yaml" in asked[-1][1][1]
    assert editor.text.toPlainText() == broken                 # still in the editor

    invalid = CONNECTOR.replace("id: get_order\n", "id: get_order\ninputz: {}\n")
    type_text(qtbot, editor, invalid)
    assert "line 3, column 1" in editor.status.text() and "inputz" in editor.status.text()

    window.controller.autosave()                               # the draft goes to recovery
    fresh = ProjectSession.open(demo_project)                  # "after a crash"
    recovery = Recovery(fresh, window.controller.recovery.folder.parents[1])
    assert recovery.pending() == ["connectors/get_order.yaml"]
    recovery.restore(recovery.pending())
    assert fresh.draft(("connector", "get_order")) == invalid

    type_text(qtbot, editor, CONNECTOR)                        # fixed: saves as typed
    assert editor.status.text() == ""
    window.actions_["save"].trigger()
    assert path.read_text() == CONNECTOR


def test_recovery_brings_back_the_typed_text_exactly(qtbot, demo_project, studio_home):
    s = ProjectSession.open(demo_project)
    from studio.ui.editor.text_item_editor import TextItemEditor
    editor = TextItemEditor(s, "connector", "get_order")
    try:
        type_text(None, editor, CONNECTOR)
    finally:
        editor.dispose()
    Recovery(s, studio_home / "data").autosave()
    fresh = ProjectSession.open(demo_project)
    recovery = Recovery(fresh, studio_home / "data")
    recovery.restore(recovery.pending())
    assert fresh.current_text(("connector", "get_order")) == CONNECTOR
    fresh.save()
    assert (demo_project / "connectors/get_order.yaml").read_text() == CONNECTOR


def test_closing_with_broken_text_keeps_the_project_open(qtbot, demo_project):
    win = open_window(qtbot, demo_project, save_discard_cancel="save")
    try:
        editor = open_text(win, "connector", "get_order")
        type_text(qtbot, editor, "id: [get_order\n")
        assert not win.controller.close()                      # "save" could not save it
        assert win.session is not None and editor.text.toPlainText() == "id: [get_order\n"
    finally:
        win.controller.close(ask=False)


def test_knowledge_article_keeps_its_exact_markdown(qtbot, window, demo_project):
    path = demo_project / "knowledge/refund-policy.md"
    editor = open_text(window, "knowledge", "refund-policy")
    assert editor.text.toPlainText() == path.read_text()      # front matter and all
    typed = "# Refund policy  \n\nDamaged orders:\n\n* refunded within 24 h\n\n\n"
    type_text(qtbot, editor, typed)
    assert window.session.project.knowledge["refund-policy"].title == "Refund policy"
    window.actions_["save"].trigger()
    assert path.read_text() == typed
    window.actions_["undo"].trigger()
    window.actions_["save"].trigger()
    assert path.read_text().startswith("---\ntitle: Refund policy\n---")


def test_studio_yaml_as_text(qtbot, window, demo_project):
    path = demo_project / "studio.yaml"
    window.actions_["settings_text"].trigger()
    editor = window.documents.currentWidget()
    assert editor.title() == "studio.yaml"
    typed = "schema: studio/v1\nname: Fresh Bites   # the brand\ntone: Warm.\nmodel: {name: offline}\n"
    type_text(qtbot, editor, typed)
    assert window.session.project.settings.tone == "Warm."
    window.actions_["save"].trigger()
    assert path.read_text() == typed
    window.actions_["undo"].trigger()
    assert window.session.project.settings.tone != "Warm."


def test_text_typed_just_before_closing_is_asked_about_and_saved(qtbot, demo_project):
    win = open_window(qtbot, demo_project, save_discard_cancel="save")
    editor = open_text(win, "connector", "get_order")
    editor.text.setPlainText(CONNECTOR)                        # no typing pause yet
    assert win.controller.close()
    assert [a for a in win.prompts.asked if a[0] == "save_discard_cancel"]
    assert (demo_project / "connectors/get_order.yaml").read_text() == CONNECTOR
