"""The main window as a user meets it: File menu (new from a sample or empty, recent),
layout that survives a restart, themes, shortcuts, a save that fails without losing
anything, collapsed branches, completion and the problems panel's double-click."""
from __future__ import annotations

import os

import pytest
import yaml
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from studio.ui import app_settings, theme
from studio.ui.main_window import MainWindow

from test_ui_support import ScriptedPrompts, demo_project, studio_home, window  # noqa: F401

pytestmark = pytest.mark.gui


def make_window(qtbot, **answers) -> MainWindow:
    win = MainWindow(ScriptedPrompts(**answers))
    qtbot.addWidget(win)
    win.resize(1400, 900)
    return win


def test_file_new_project_from_a_sample_or_empty_and_recent(qtbot, studio_home, tmp_path):
    if "food-delivery" not in app_settings.sample_names():
        pytest.skip("the bundled samples are not there")
    win = make_window(qtbot, choose="Sample: food-delivery", open_folder=str(tmp_path / "fresh"))
    win.actions_["new"].trigger()
    assert win.session is not None and win.session.root == (tmp_path / "fresh").resolve()
    assert "damaged-order" in win.session.project.procedures
    assert win.current_editor() is not None                     # a procedure is open at once
    assert not (app_settings.samples_dir() / "food-delivery" / "library.sqlite").exists()

    win.prompts.answers.update(choose="Empty project", open_folder=str(tmp_path / "blank"))
    win.actions_["new"].trigger()
    assert win.session.root == (tmp_path / "blank").resolve()
    assert not win.session.project.procedures and not win.session.project.load_problems
    assert "Blank" in win.windowTitle()

    win.fill_recent_menu()                                      # File → Open recent
    recent = [a.text() for a in win.recent_menu.actions()]
    assert recent[:2] == [str((tmp_path / "blank").resolve()), str((tmp_path / "fresh").resolve())]
    win.recent_menu.actions()[1].trigger()                     # reopen the sample copy
    assert win.session.root == (tmp_path / "fresh").resolve()
    win.controller.close(ask=False)


def test_layout_and_splitter_sizes_survive_a_restart(qtbot, demo_project):
    first = make_window(qtbot)
    first.controller.open(demo_project)
    first.show()
    qtbot.waitExposed(first)
    qtbot.wait(20)                          # the first-start dock sizes are applied
    first.resizeDocks([first.docks["project"]], [333], Qt.Horizontal)
    qtbot.waitUntil(lambda: abs(first.docks["project"].width() - 333) <= 8, timeout=2000)
    first.docks["problems"].hide()
    editor = first.current_editor()
    editor.splitter.moveSplitter(int(editor.splitter.width() * 0.7), 1)   # the user drags it
    sizes = editor.splitter.sizes()
    assert sizes[1] < 0.35 * sum(sizes)
    width = first.docks["project"].width()
    first.close()                                              # closeEvent saves the layout

    second = make_window(qtbot)
    second.controller.open(demo_project)
    second.show()
    qtbot.waitExposed(second)
    qtbot.wait(20)
    assert not second.docks["problems"].isVisible()
    assert abs(second.docks["project"].width() - width) <= 2
    restored = second.current_editor().splitter.sizes()
    assert all(abs(a - b) <= 2 for a, b in zip(restored, sizes))
    other = second.open_item("procedure", "complaints")      # every editor opens that way
    qtbot.waitUntil(lambda: other.splitter.width() > 0 and other.isVisible())
    assert abs(other.splitter.share() - sizes[1] / sum(sizes)) < 0.01
    second.controller.close(ask=False)


def test_theme_choice_is_kept_and_follows_the_system_when_asked(qtbot, window):
    window.actions_["theme_dark"].trigger()
    assert theme.colors().dark
    assert app_settings.settings().value("theme") == "dark"
    window.set_theme(None, save=False)           # the system changed: an explicit choice wins
    assert theme.colors().dark
    window.actions_["theme_system"].trigger()
    assert app_settings.settings().value("theme") == "system"
    assert theme.colors().dark == theme.system_is_dark()
    window.actions_["theme_light"].trigger()
    assert not theme.colors().dark


def test_common_actions_have_shortcuts(window):
    expected = {"new": "Ctrl+N", "open": "Ctrl+O", "save": "Ctrl+S", "save_all": "Ctrl+Shift+S",
                "undo": "Ctrl+Z", "copy": "Ctrl+C", "paste": "Ctrl+V", "duplicate": "Ctrl+D",
                "insert": "Ctrl+I", "find": "Ctrl+F", "move_up": "Alt+Up", "validate": "F7",
                "zoom_fit": "Ctrl+0"}
    for name, keys in expected.items():
        assert window.actions_[name].shortcut().toString() == keys, name
    editor = window.current_editor()
    assert editor.insert_actions["condition"].shortcut().toString() == "Ctrl+2"
    for action in ("new", "open", "save", "undo", "insert", "delete"):
        assert not window.actions_[action].icon().isNull(), action


def test_a_failed_save_keeps_the_file_and_the_edits(qtbot, window, demo_project, monkeypatch):
    path = demo_project / "procedures/complaints.yaml"
    before = path.read_text()
    window.open_item("procedure", "complaints").insert_step("end")

    def disk_full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    window.actions_["save_all"].trigger()
    assert window.prompts.asked[-1][0] == "error" and "No space left" in window.prompts.asked[-1][1][1]
    assert path.read_text() == before                          # the old file is whole
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert window.windowTitle().startswith("*")                # and the edit is still there
    monkeypatch.undo()
    window.actions_["save_all"].trigger()
    assert yaml.safe_load(path.read_text())["steps"][-1]["kind"] == "end"
    assert not window.windowTitle().startswith("*")


def test_a_collapsed_branch_stays_collapsed_while_editing(qtbot, window):
    editor = window.open_item("procedure", "damaged-order")
    editor.view.setExpanded(editor.model.index_of("eligible"), False)
    editor.select_step("lookup")
    editor.insert_step("end")                                  # a structural edit rebuilds the cards
    assert not editor.view.isExpanded(editor.model.index_of("eligible"))
    window.actions_["undo"].trigger()
    assert not editor.view.isExpanded(editor.model.index_of("eligible"))
    editor.select_step("amount")                               # jumping inside opens it again
    assert editor.view.isExpanded(editor.model.index_of("eligible"))


def test_enter_takes_the_first_completion_and_a_cut_off_condition_is_marked_at_its_end(
        qtbot, window):
    editor = window.open_item("procedure", "damaged-order")
    editor.select_step("eligible")
    edit = window.inspector.step_form.branch_edits[0]
    edit.setFocus()
    edit.setPlainText("")
    QTest.keyClicks(edit, "order.to")
    popup = edit.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    QTest.keyClick(popup, Qt.Key_Return)
    assert edit.text() == "order.total"
    QTest.keyClicks(edit, " >")
    edit.flush()
    start, length, message, severity = edit.problem
    assert severity == "error" and (start, length) == (len("order.total >") - 1, 1)
    assert edit.toolTip() == message


def test_double_click_on_a_problem_selects_its_step(qtbot, window):
    editor = window.open_item("procedure", "damaged-order")
    editor.select_step("amount")
    window.inspector.step_form.fields["code"].setPlainText("refund = round(orderx.total, 2)")
    qtbot.waitUntil(lambda: any(p.step == "amount" for p in window.problems_panel.problems),
                    timeout=3000)
    editor.select_step("ask-order")
    window.docks["problems"].raise_()
    tree = window.problems_panel.tree
    row = next(i for i in range(tree.topLevelItemCount()) if tree.topLevelItem(i).text(2) == "amount")
    point = tree.visualItemRect(tree.topLevelItem(row)).center()
    QTest.mouseClick(tree.viewport(), Qt.LeftButton, Qt.NoModifier, point)
    QTest.mouseDClick(tree.viewport(), Qt.LeftButton, Qt.NoModifier, point)
    assert window.current_editor().selected_step_ids() == ["amount"]
    assert window.inspector.step_form.step_id == "amount"


def test_the_inspector_has_a_form_for_every_step_kind(qtbot, window, demo_project):
    editor = window.open_item("procedure", "complaints")
    form = lambda: window.inspector.step_form               # noqa: E731 (rebuilt per step)
    edits = {
        "instruction": lambda f: f.fields["text"].setPlainText("Ask what went wrong."),
        "condition": lambda f: f.branch_edits[0].setPlainText("order.total > 20"),
        "connector": lambda f: f.fields["connector"].setCurrentText("get_order"),
        "code": lambda f: f.fields["code"].setPlainText("bonus = 5"),
        "knowledge": lambda f: f.fields["article"].setCurrentText("refund-policy"),
        "checkpoint": lambda f: f.fields["mode"].setCurrentText("approval"),
        "subprocedure": lambda f: f.fields["procedure"].setCurrentText("damaged-order"),
        "switch": lambda f: f.fields["to"].setCurrentText("damaged-order"),
        "end": lambda f: f.fields["outcome"].setCurrentText("unresolved"),
    }
    for kind, edit in edits.items():
        editor.select_step("escalate")
        step_id = editor.insert_step(kind)
        assert form().step_id == step_id and form().kind == kind
        edit(form())
    window.actions_["save_all"].trigger()
    saved = {s["kind"]: s for s in yaml.safe_load(
        (demo_project / "procedures/complaints.yaml").read_text())["steps"]}
    assert saved["instruction"]["text"] == "Ask what went wrong."
    assert saved["condition"]["branches"][0]["when"] == "order.total > 20"
    assert saved["connector"]["connector"] == "get_order"
    assert saved["code"]["code"] == "bonus = 5"
    assert saved["knowledge"]["article"] == "refund-policy"
    assert saved["checkpoint"]["mode"] == "approval"
    assert saved["subprocedure"]["procedure"] == "damaged-order"
    assert saved["switch"]["to"] == "damaged-order"
    assert saved["end"]["outcome"] == "unresolved"
    # the knowledge form previews the article it points at
    editor.select_step("knowledge")
    assert "Damaged orders are refunded within 24 h." in form().preview.toPlainText()


def test_autosave_runs_every_30_seconds_into_the_recovery_folder(qtbot, window, demo_project):
    timer = window.controller.autosave_timer
    assert timer.isActive() and timer.interval() == 30_000
    window.open_item("procedure", "complaints").insert_step("end")
    before = (demo_project / "procedures/complaints.yaml").read_text()
    timer.timeout.emit()                                       # what 30 s of editing triggers
    assert window.controller.recovery.pending() == ["procedures/complaints.yaml"]
    assert (demo_project / "procedures/complaints.yaml").read_text() == before   # not saved over


def test_a_broken_file_fixed_outside_the_app_is_picked_up(qtbot, demo_project):
    path = demo_project / "procedures/complaints.yaml"
    good = path.read_text()
    path.write_text("schema: procedure/v1\nid: complaints\ntitle: [unclosed\n")
    win = make_window(qtbot, external_change=False)
    win.controller.open(demo_project)
    assert "complaints" not in win.session.project.procedures
    problem = next(p for p in win.problems_panel.problems if p.file == "procedures/complaints.yaml")
    assert problem.line and problem.hint                       # where, and what to do
    assert str(path) in win.controller.watcher.files()
    win.jump_to_problem(problem)                               # double-click: where and what to do
    assert win.prompts.asked[-1][0] == "error" and "text editor" in win.prompts.asked[-1][1][1]

    path.write_text(good.replace("title:", "title: [still broken"))      # a first try
    assert win.controller.check_external_changes([str(path)]) == []
    assert any(p.file == "procedures/complaints.yaml" for p in win.problems_panel.problems)

    path.write_text(good)                                      # fixed in a text editor
    assert win.controller.check_external_changes([str(path)]) == ["procedures/complaints.yaml"]
    assert not [a for a in win.prompts.asked if a[0] == "external_change"]   # nothing to lose
    assert "complaints" in win.session.project.procedures
    assert not any(p.file == "procedures/complaints.yaml" for p in win.problems_panel.problems)
    assert not win.session.is_dirty
    win.open_item("procedure", "complaints")
    assert win.current_editor().item_id == "complaints"
    win.controller.close(ask=False)
