"""The project tree from the keyboard: Delete (confirmed, undoable), F2 rename, Ctrl+D
duplicate and Enter to open, all while the tree has focus in the real window; the
context menu lists the same shortcuts."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt


from test_ui_support import demo_project, studio_home, window  # noqa: F401  (fixtures)

pytestmark = pytest.mark.gui


def focus_item(qtbot, window, kind, item_id):
    tree = window.project_tree
    tree.select(kind, item_id)
    assert tree.current() == (kind, item_id)
    tree.tree.setFocus()
    qtbot.waitUntil(tree.tree.hasFocus)
    return tree.tree


def test_delete_key_confirms_and_undo_brings_it_back(qtbot, window, demo_project):
    tree = focus_item(qtbot, window, "knowledge", "refund-policy")
    steps_before = window.session.project.procedures["damaged-order"].step_ids()
    window.prompts.answers["confirm"] = False            # "No": nothing happens
    qtbot.keyClick(tree, Qt.Key.Key_Delete)
    assert window.prompts.asked[-1][0] == "confirm"
    assert "refund-policy" in window.session.project.knowledge

    window.prompts.answers["confirm"] = True
    qtbot.keyClick(tree, Qt.Key.Key_Delete)
    title, text = window.prompts.asked[-1][1]
    assert title == "Delete knowledge" and "refund-policy" in text and "refer to it" in text
    assert "refund-policy" not in window.session.project.knowledge
    # the window's Delete (steps) did not also fire on the open procedure
    assert window.session.project.procedures["damaged-order"].step_ids() == steps_before
    window.actions_["undo"].trigger()
    assert "refund-policy" in window.session.project.knowledge

    connectors = sorted(window.session.project.connectors)
    tree = focus_item(qtbot, window, "connector", connectors[0])
    qtbot.keyClick(tree, Qt.Key.Key_Delete)
    assert window.project_tree.current() == ("connector", connectors[1])   # ready for the next key


def test_f2_renames_ctrl_d_duplicates_enter_opens(qtbot, window, demo_project):
    tree = focus_item(qtbot, window, "connector", "get_order")
    window.prompts.answers["ask_text"] = "fetch_order"
    qtbot.keyClick(tree, Qt.Key.Key_F2)
    assert "fetch_order" in window.session.project.connectors
    assert "get_order" not in window.session.project.connectors
    assert window.project_tree.current() == ("connector", "fetch_order")

    steps_before = window.session.project.procedures["damaged-order"].step_ids()
    qtbot.keyClick(tree, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert "fetch_order-copy" in window.session.project.connectors
    assert window.project_tree.current() == ("connector", "fetch_order-copy")
    assert window.session.project.procedures["damaged-order"].step_ids() == steps_before

    window.actions_["undo"].trigger()
    assert "fetch_order-copy" not in window.session.project.connectors

    tree = focus_item(qtbot, window, "procedure", "complaints")
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert window.documents.currentWidget().item_id == "complaints"

    group = tree.topLevelItem(0)                          # Enter on a group folds it
    tree.setCurrentItem(group)
    expanded = group.isExpanded()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert group.isExpanded() != expanded


def test_edit_menu_delete_acts_on_the_focused_tree(qtbot, window):
    focus_item(qtbot, window, "knowledge", "refund-policy")
    steps_before = window.session.project.procedures["damaged-order"].step_ids()
    window.actions_["duplicate"].trigger()
    assert "refund-policy-copy" in window.session.project.knowledge
    window.actions_["delete"].trigger()
    assert "refund-policy-copy" not in window.session.project.knowledge
    assert window.session.project.procedures["damaged-order"].step_ids() == steps_before


def test_context_menu_shows_the_shortcuts(qtbot, window):
    tree = window.project_tree
    tree.select("procedure", "complaints")
    menu = tree.context_menu(tree.tree.currentItem())
    keys = {a.text(): a.shortcut().toString() for a in menu.actions()}
    assert keys["Open"] == "Return" and keys["Rename…"] == "F2"
    assert keys["Duplicate"] == "Ctrl+D" and keys["Delete"] == "Del"
    assert all(a.isShortcutVisibleInContextMenu() for a in menu.actions() if a.text() != "Add procedure…")
    menu.deleteLater()
