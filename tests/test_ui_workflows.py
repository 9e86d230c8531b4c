"""A designer's day through the real main window: the Simulation menu runs the
open simulation and lights up the editor, a simulation renamed in the
simulation editor stays one simulation, empty panels say what to do."""
from __future__ import annotations

import pytest
import yaml


from test_ui_support import sample_window as window  # noqa: F401  (fixture)
from test_ui_support import studio_home  # noqa: F401

pytestmark = pytest.mark.gui
KEY = "damaged-photo-full-refund"


def test_menu_run_lights_up_the_open_procedure(qtbot, window):
    editor = window.open_item("procedure", "damaged-order")
    panels = window.panels_host.ensure_built()
    assert not panels.runner.run_button.isEnabled()          # nothing open: say so, don't pretend
    assert not panels.library_view.cancel_button.isEnabled()
    assert not panels.library_view.run_selected_button.isEnabled()
    assert panels.editor.pages.currentIndex() == 0           # the editor's empty state
    window.project_tree.open_requested.emit("simulation", KEY)
    assert panels.editor.pages.currentIndex() == 1
    assert panels.runner.simulation.name == panels.editor.name.text()

    menu = window.panels_host.actions
    assert menu["run"].shortcut().toString() == "Ctrl+R"
    assert menu["run_all"].shortcut().toString() == "Ctrl+Shift+R"
    with qtbot.waitSignal(panels.runner.run_finished, timeout=20000) as blocker:
        menu["run"].trigger()
    assert blocker.args[0].status == "passed"
    marks = editor.model.marks
    assert marks["pay"] == "passed" and "active" not in marks.values()
    assert editor.flowchart.nodes["pay"].mark == "passed"


def test_renaming_a_simulation_keeps_one_simulation(qtbot, window):
    panels = window.panels_host.ensure_built()
    qtbot.waitUntil(lambda: panels.library_view.model.rowCount() > 0, timeout=10000)
    count = panels.library_view.model.rowCount()
    window.project_tree.open_requested.emit("simulation", KEY)
    panels.editor.name.setText("Crushed pizza, renamed")
    assert panels.editor.save(), panels.editor.problems.text()
    library = window.panels_host.library
    assert library.get("Crushed pizza, renamed") is not None
    assert library.simulation_count() == count
    root = window.session.project.root
    assert yaml.safe_load((root / "simulations" / f"{KEY}.yaml").read_text())["name"] == "Crushed pizza, renamed"

    # a name another simulation has is refused, with the reason, and nothing is saved
    other = next(s.name for k, s in window.session.project.simulations.items() if k != KEY)
    panels.editor.name.setText(other)
    assert not panels.editor.save()
    assert "already exists" in panels.editor.problems.text()
    assert library.simulation_count() == count


def test_run_all_from_the_menu_marks_coverage_in_the_editor(qtbot, window):
    editor = window.open_item("procedure", "late-delivery")
    panels = window.panels_host.ensure_built()
    qtbot.waitUntil(lambda: panels.library_view.model.rowCount() > 0, timeout=10000)
    with qtbot.waitSignal(panels.coverage.loaded, timeout=30000):
        with qtbot.waitSignal(panels.library_view.run_finished, timeout=30000):
            window.panels_host.actions["run_all"].trigger()
    assert window.panels_host.docks["library"].isVisible()
    coverage = editor.model.coverage
    assert coverage["lookup"] == "covered"
    assert set(coverage.values()) <= {"covered", "failing", "uncovered"}
    tip = editor.model.index_of("lookup").data(0x03)               # Qt.ToolTipRole
    assert "a passing simulation reaches this step" in tip
