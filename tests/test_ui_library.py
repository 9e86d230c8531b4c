"""The library view: run all off the GUI thread with rows updating live, a
procedure edit that breaks a simulation shows first in the diff, and a
cancelled run keeps what finished."""
import threading
import time

import pytest

from studio.core.project import load_project  # noqa: E402

from test_ui_support import library_setup  # noqa: E402,F401  (fixture)

pytestmark = pytest.mark.gui
SIM_NAME = "Crushed pizza within 24 h with photo is refunded in full"


def run_and_wait(qtbot, view, names=None):
    with qtbot.waitSignal(view.run_finished, timeout=30000) as blocker:
        view.run(names)
    return blocker.args[0]


def test_run_all_fills_the_table_and_history(qtbot, library_setup):
    project, library, view = library_setup
    total = view.model.rowCount()
    assert total == len(project.simulations) and total > 10
    assert {r.status for r in view.model.rows} == {""}          # never run yet
    summary = run_and_wait(qtbot, view)
    assert summary.status == "complete" and summary.done == total
    row = view.model.row_of(SIM_NAME)
    assert row.status == "passed" and row.duration_ms is not None
    assert view.progress.value() == total
    assert f"{summary.passed} passed" in view.counts.text()
    assert view.history.topLevelItemCount() == 1

    # filters: status and full-text search
    view.status_filter.setCurrentText("passed")
    assert SIM_NAME in view.visible_names()
    view.status_filter.setCurrentText("any status")
    view.search.setText("crushed")
    qtbot.waitUntil(lambda: view.visible_names() and len(view.visible_names()) < total, timeout=3000)
    assert SIM_NAME in view.visible_names()


def test_procedure_edit_that_breaks_a_simulation_is_first_in_the_diff(qtbot, library_setup):
    project, library, view = library_setup
    first = run_and_wait(qtbot, view)
    assert SIM_NAME in {name for name, v in first.verdicts().items() if v == "passed"}

    # a designer changes the refund reason sent to the payment connector
    proc = project.procedures["damaged-order"]
    pay = proc.find_step("pay")
    pay.inputs["reason"] = "broken"
    project.save_procedure(proc)
    view.set_project(load_project(project.root))

    second = run_and_wait(qtbot, view)
    assert second.verdicts()[SIM_NAME] == "failed"
    ordered = view.diff_view.ordered()
    assert ordered[0][0] == "regressions"
    regressions = [name for section, name in ordered if section == "regressions"]
    assert SIM_NAME in regressions
    assert view.model.row_of(SIM_NAME).status == "failed"

    # run failed re-runs exactly what did not pass
    with qtbot.waitSignal(view.run_finished, timeout=30000) as blocker:
        view.run_failed()
    third = blocker.args[0]
    assert SIM_NAME in third.verdicts() and len(third.verdicts()) < len(first.verdicts())


def test_cancel_half_way_keeps_finished_results(qtbot, library_setup):
    project, library, view = library_setup
    from studio.simulate.runner import run_simulation
    gate = threading.Event()

    def slow(project, simulation, *, options=None, cancel=None):
        gate.wait(0.2)
        time.sleep(0.05)
        return run_simulation(project, simulation, options=options, cancel=cancel)

    view.runner = slow
    total = view.model.rowCount()
    with qtbot.waitSignal(view.run_finished, timeout=30000) as blocker:
        view.run()
        qtbot.waitUntil(lambda: sum(view._counts.values()) >= 3, timeout=20000)
        qtbot.waitUntil(lambda: "ETA" in view.counts.text(), timeout=5000)    # live counts and ETA
        assert view.progress.value() >= 3 and view.cancel_button.isEnabled()
        view.cancel()
    summary = blocker.args[0]
    assert summary.status == "cancelled"
    assert 3 <= summary.done < total
    stored = library.results(summary.run_id, light=True)
    assert len(stored) == summary.done                       # every finished result is kept
    shown = [r for r in view.model.rows if r.status in ("passed", "failed", "error")]
    assert len(shown) == summary.done                         # and shown; the rest never ran
    assert not [r for r in view.model.rows if r.status == "queued"]
    assert library.run(summary.run_id).status == "cancelled"


def test_run_failed_with_nothing_failing_says_so(qtbot, library_setup):
    project, library, view = library_setup
    summary = run_and_wait(qtbot, view, [SIM_NAME])
    assert summary.verdicts() == {SIM_NAME: "passed"}
    view.run_failed()                                  # each simulation's latest result passed
    assert not view.is_running()
    assert view.counts.text() == "Every simulation passed in its latest run."
    with qtbot.waitSignal(view.refreshed, timeout=10000):   # the table's verdicts are the library's
        view.refresh()
    assert view.model.row_of(SIM_NAME).status == library.latest_verdicts()[SIM_NAME] == "passed"
