"""Results are read without running again: a regression double-clicked in the
diff or "Open stored result" in the library's right-click menu gives the stored
transcript and trace; the menu also runs, duplicates, deletes and shows the
procedure."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint

from studio.core.project import load_project
from studio.ui.panels.library.library_actions import do_action
from test_ui_support import close_window, library_setup, open_window, studio_home  # noqa: F401

pytestmark = pytest.mark.gui
SIM_NAME = "Crushed pizza within 24 h with photo is refunded in full"


def run_and_wait(qtbot, view, names=None):
    with qtbot.waitSignal(view.run_finished, timeout=60000) as blocker:
        view.run(names)
    return blocker.args[0]


def _break_refund(project, view):
    proc = project.procedures["damaged-order"]
    proc.find_step("pay").inputs["reason"] = "broken"
    project.save_procedure(proc)
    view.set_project(load_project(project.root))


def test_double_clicking_a_regression_opens_its_stored_result(qtbot, library_setup):
    project, library, view = library_setup
    run_and_wait(qtbot, view)
    _break_refund(project, view)
    run_and_wait(qtbot, view)
    runs = len(library.runs())
    section = view.diff_view.topLevelItem(1)
    assert section.data(0, 256) == "regressions"
    item = next(section.child(i) for i in range(section.childCount())
                if section.child(i).data(0, 256) == SIM_NAME)
    expanded = item.isExpanded()
    with qtbot.waitSignal(view.result_requested, timeout=5000) as blocker:
        view.diff_view.itemDoubleClicked.emit(item, 0)
    name, result = blocker.args
    assert name == SIM_NAME and result.status == "failed"
    assert result.transcript and result.trace                  # stored, not re-run
    assert len(library.runs()) == runs and item.isExpanded() == expanded
    item.setExpanded(True)                     # a long Detail is read whole: its row wraps
    qtbot.wait(50)
    rows = [item] + [item.child(i) for i in range(item.childCount())]
    long_rows = [r for r in rows if len(r.text(2)) > 80]
    line = view.diff_view.fontMetrics().height()
    assert long_rows and all(view.diff_view.visualItemRect(r).height() >= 2 * line for r in long_rows)


def test_right_click_menu_lists_what_can_be_done(qtbot, library_setup):
    project, library, view = library_setup
    run_and_wait(qtbot, view)
    row = view.proxy.mapFromSource(view.model.index(view.model.rows.index(view.model.row_of(SIM_NAME)), 0))
    view.table.selectRow(row.row())
    from studio.ui.panels.library.library_actions import show_menu
    menu = show_menu(view, QPoint(5, 5))
    labels = [a.text() for a in menu.actions() if a.text()]
    assert labels == ["Open stored result", "Run", "Open in simulation editor", "Duplicate", "Delete…",
                      "Show procedure in editor"]
    assert all(a.isEnabled() for a in menu.actions() if a.text())
    menu.close()
    with qtbot.waitSignal(view.result_requested, timeout=5000) as blocker:
        do_action(view, "result", [SIM_NAME])
    assert blocker.args[1].simulation == SIM_NAME and blocker.args[1].transcript
    with qtbot.waitSignal(view.action_requested, timeout=5000) as blocker:
        do_action(view, "procedure", [SIM_NAME])
    assert blocker.args == ["procedure", [SIM_NAME]]


def test_the_window_shows_a_stored_result_and_acts_on_the_menu(qtbot, studio_home, sample_copy):
    win = open_window(qtbot, sample_copy("food-delivery"), confirm=True)
    try:
        panels = win.panels_host.ensure_built()
        view = panels.library_view
        run_and_wait(qtbot, view, [SIM_NAME])
        view.open_result(SIM_NAME)
        runner = panels.runner
        assert runner.last_result.simulation == SIM_NAME and "stored result" in runner.title.text()
        assert runner.transcript.bubbles
        do_action(view, "procedure", [SIM_NAME])
        assert win.current_editor().item_id == "damaged-order"
        key = panels.key_of(SIM_NAME)
        do_action(view, "duplicate", [SIM_NAME])
        copy = f"{key}-copy"
        assert copy in win.session.project.simulations and panels.editor.key == copy
        do_action(view, "delete", [f"{SIM_NAME} (copy)"])
        assert copy not in win.session.project.simulations
    finally:
        close_window(win)
