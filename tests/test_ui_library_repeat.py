"""The library view beyond run all: run selected, repeat K times with a flaky badge
and filter, a simulation's own run history, and the tag and procedure filters."""
import itertools
import threading

import pytest

from PySide6.QtCore import QItemSelectionModel  # noqa: E402


from test_ui_support import library_setup  # noqa: E402,F401  (fixture)

pytestmark = pytest.mark.gui
FLAKY = "Crushed pizza within 24 h with photo is refunded in full"
STEADY = "Spilled food without a photo gets half the total back"


def select(view, names):
    view.table.clearSelection()
    for row in range(view.proxy.rowCount()):
        index = view.proxy.index(row, 0)
        if index.data() in names:
            view.table.selectionModel().select(
                index, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)


def test_repeat_k_times_finds_the_flaky_one(qtbot, library_setup):
    project, library, view = library_setup
    from studio.simulate.runner import run_simulation
    lock, flips = threading.Lock(), itertools.cycle([True, False])

    def sometimes(project, simulation, *, options=None, cancel=None):
        result = run_simulation(project, simulation, options=options, cancel=cancel)
        if simulation.name == FLAKY:
            with lock:
                passes = next(flips)
            if not passes:      # what a model engine does now and then
                result = result.model_copy(update={"status": "failed"})
        return result

    view.runner = sometimes
    select(view, {FLAKY, STEADY})
    assert view.run_selected_button.isEnabled()
    view.repeat.setValue(3)
    with qtbot.waitSignal(view.run_finished, timeout=30000) as blocker:
        view.run_selected_button.click()
    summary = blocker.args[0]
    assert summary.done == 6 and set(summary.verdicts()) == {FLAKY, STEADY}   # only the selection
    assert view.progress.value() == 6

    flaky, steady = view.model.row_of(FLAKY), view.model.row_of(STEADY)
    assert flaky.flaky and flaky.status == "failed" and not steady.flaky
    column = 5
    assert view.model.data(view.model.index(view.model.rows.index(flaky), column)) == "⚑ flaky"
    view.status_filter.setCurrentText("flaky")
    assert view.visible_names() == [FLAKY]
    view.status_filter.setCurrentText("any status")

    # the badge comes back from the library after a restart of the view
    with qtbot.waitSignal(view.refreshed, timeout=10000):
        view.refresh()
    view.model.load([], {})
    with qtbot.waitSignal(view.refreshed, timeout=10000):
        view.refresh()
    assert view.model.row_of(FLAKY).flaky

    # the simulation's own history lists each repeat
    select(view, {FLAKY})
    view.table.setCurrentIndex(next(view.proxy.index(r, 0) for r in range(view.proxy.rowCount())
                                    if view.proxy.index(r, 0).data() == FLAKY))
    statuses = sorted(view.sim_history.topLevelItem(i).text(1)
                      for i in range(view.sim_history.topLevelItemCount()))
    assert statuses == ["failed", "passed", "passed"]


def test_procedure_and_tag_filters(qtbot, library_setup):
    project, library, view = library_setup
    total = view.model.rowCount()
    procedure = view.procedure_filter.findData("cancel-order")
    view.procedure_filter.setCurrentIndex(procedure)
    names = view.visible_names()
    expected = {s.name for s in project.simulations.values() if s.procedure == "cancel-order"}
    assert set(names) == expected and 0 < len(names) < total
    view.procedure_filter.setCurrentIndex(0)
    view.tag_filter.setCurrentIndex(view.tag_filter.findData("approvals"))
    expected = {s.name for s in project.simulations.values() if "approvals" in s.tags}
    assert set(view.visible_names()) == expected and expected
