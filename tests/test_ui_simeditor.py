"""The simulation editor: forms round-trip a simulation, bad JSON blocks the
save with a message, a save writes the YAML and the library; the panels
install into a main window and work together."""
import pytest

from PySide6.QtWidgets import QDockWidget, QMainWindow  # noqa: E402

from studio.core.project import load_project  # noqa: E402
from studio.library import Library  # noqa: E402
from studio.ui.panels.sim_editor.json_edit import shape_problems  # noqa: E402
from studio.ui.panels.sim_editor.simulation_editor import SimulationEditor  # noqa: E402

pytestmark = pytest.mark.gui
KEY = "damaged-photo-full-refund"


@pytest.fixture
def project(sample_copy):
    return load_project(sample_copy("food-delivery"))


def test_forms_round_trip_and_save(qtbot, project):
    saved = []
    editor = SimulationEditor(project, save_fn=lambda key, sim, prev: (project.save_simulation(key, sim),
                                                                       saved.append((key, sim, prev))))
    qtbot.addWidget(editor)
    original = project.simulations[KEY]
    editor.set_simulation(original, KEY)
    assert editor.simulation().to_data() == original.to_data()
    assert not editor.dirty and not editor.save_button.isEnabled()

    # pickers are fed from the procedure
    steps = [editor.expect.visited.item(i).text() for i in range(editor.expect.visited.count())]
    assert steps[:3] == project.procedures["damaged-order"].step_ids()[:3]
    assert "get_order" in editor.fixtures.editors and "approve" in editor.fixtures.approvals

    # edit: expected outcome, a new customer turn, a rejected approval
    editor.expect.outcome.setCurrentText("handoff")
    assert editor.dirty and "unsaved" in editor.marker.text()
    editor.customer.add_turn.click()
    editor.customer.turn_text.setPlainText("Thanks!")
    editor.fixtures.approvals["approve"].setCurrentText("rejected")

    # broken JSON in a fixture blocks the save and says why
    check, edit = editor.fixtures.editors["get_order"]
    edit.edit.setPlainText('{"status": "delivered", ')
    assert not editor.save()
    assert "not valid JSON" in editor.problems.text()
    edit.edit.setPlainText('{"status": "delivered", "total": 99.0, "hours_since_delivery": 1}')
    assert editor.save()
    assert not editor.dirty
    reloaded = load_project(project.root).simulations[KEY]
    assert reloaded.expect.outcome == "handoff"
    assert reloaded.customer.turns()[-1].text == "Thanks!"
    assert reloaded.fixtures.approvals == {"approve": "rejected"}
    assert reloaded.fixtures.connectors["get_order"]["total"] == 99.0
    assert reloaded.customer.turns()[2].attachments[0].file == "crushed-pizza.png"


def test_fixture_shape_is_checked_against_the_connector_sample():
    sample = {"status": "delivered", "total": 42.5}
    assert shape_problems({"status": "late", "total": 3}, sample) == []
    assert shape_problems([{"status": "x"}, {"totl": 1}], sample) == ["[1].totl: not in the connector's sample"]
    assert shape_problems({"total": "lots"}, sample) == ["total: string, the sample has a number"]
    assert shape_problems({"error": "timeout"}, sample) == []


def test_panels_install_into_a_main_window(qtbot, project):
    from studio.ui.panels import install_panels
    window = QMainWindow()
    window.project = project
    window.library = Library.open(project.root)
    qtbot.addWidget(window)
    try:
        install_panels(window)
        panels = window.test_panels
        window.show()
        titles = {d.objectName() for d in window.findChildren(QDockWidget)}
        assert {"dock-runner", "dock-library", "dock-simulation", "dock-coverage", "dock-reports"} <= titles
        view = panels.library_view
        qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10000)
        name = project.simulations[KEY].name
        panels.open_simulation(name, project.simulations[KEY])
        assert panels.editor.key == KEY and panels.runner.simulation.name == name
        with qtbot.waitSignal(panels.runner.run_finished, timeout=20000) as blocker:
            panels.editor.run_button.click()
        assert blocker.args[0].status == "passed"

        # coverage after a library run: marks per step for the editor
        with qtbot.waitSignal(panels.coverage.loaded, timeout=20000):
            with qtbot.waitSignal(view.run_finished, timeout=20000):
                view.run()
        marks = panels.coverage.marks["damaged-order"]
        assert marks["pay"] == "covered-passing"
        assert set(marks.values()) <= {"covered-passing", "covered-failing", "uncovered"}
        for widget in (view, panels.coverage, panels.reports, panels.runner):
            widget._pool.waitForDone(10000)
    finally:
        window.library.close()


def test_uncovered_steps_get_suggested_simulations(qtbot, project):
    from studio.ui.panels.install import TestPanels
    library = Library.open(project.root)
    try:
        panels = TestPanels(project, library)
        coverage = panels.coverage
        qtbot.addWidget(coverage)
        qtbot.waitUntil(lambda: bool(coverage.marks), timeout=10000)   # nothing run yet
        assert set(coverage.marks["late-delivery"].values()) == {"uncovered"}
        coverage.tree.setCurrentItem(coverage.tree.topLevelItem(
            [coverage.tree.topLevelItem(i).text(0) for i in range(coverage.tree.topLevelItemCount())]
            .index("late-delivery")))
        before = library.simulation_count()
        with qtbot.waitSignal(coverage.suggestions_ready, timeout=30000) as blocker:
            coverage.suggest_button.click()
        assert blocker.args[0] == "late-delivery" and coverage.suggestion_items
        coverage.add_button.click()
        assert library.simulation_count() == before + len(coverage.suggestion_items)
        for widget in (panels.library_view, coverage, panels.runner):
            widget._pool.waitForDone(10000)
    finally:
        library.close()
