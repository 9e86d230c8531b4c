"""The library screen says what to do about an `error` result from its stored code, never
from the message's words: also for results stored in an earlier session."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from studio.core.simulation import Simulation
from studio.library import Library
from studio.simulate.result import SimulationResult
from studio.ui.panels.run_errors import CODE_HINTS
from test_ui_support import close_library_view, open_library_view

pytestmark = pytest.mark.gui
SIM_NAME = "Crushed pizza within 24 h with photo is refunded in full"


def status_tip(view, name: str) -> str:
    row = view.model.rows.index(view.model.row_of(name))
    return view.model.index(row, 3).data(Qt.ItemDataRole.ToolTipRole) or ""


def test_a_stored_error_shows_the_hint_of_its_code_not_of_its_words(qtbot, sample_copy):
    root = sample_copy("food-delivery")
    with Library.open(root) as library:
        run_id = library.start_run(engine="offline", model=None, revisions={}, filters={},
                                   planned=[(SIM_NAME, 0)])
        library.add_result(run_id, SimulationResult(
            simulation=SIM_NAME, status="error", error_code="snippet",
            error="code step 'calc' failed: connection refused by the sandbox"))
        library.finish_run(run_id, "complete")
    project, library, view = open_library_view(qtbot, root)
    try:
        tip = status_tip(view, SIM_NAME)
        assert "connection refused by the sandbox" in tip                  # the message, for people
        assert CODE_HINTS["snippet"] in tip and CODE_HINTS["connection"] not in tip
    finally:
        close_library_view(qtbot, view, library)


def test_an_error_during_a_run_shows_the_hint_of_its_code(qtbot, sample_copy):
    root = sample_copy("food-delivery")
    with Library.open(root) as library:
        library.save_simulation(Simulation(name="gold customer", procedure="damaged-order",
                                           customer={"segment": "gold",
                                                     "script": ["my pizza arrived crushed"]}))
    project, library, view = open_library_view(qtbot, root)
    try:
        with qtbot.waitSignal(view.run_finished, timeout=60000):
            view.run(["gold customer"])
        assert CODE_HINTS["simulation"] in status_tip(view, "gold customer")
        assert CODE_HINTS["simulation"] in view.counts.toolTip()
        assert "unknown customer segment 'gold'" in view.counts.toolTip()
    finally:
        close_library_view(qtbot, view, library)
