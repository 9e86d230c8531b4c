"""The flowchart shows the whole procedure when it opens, wide branches included, and Fit
(Ctrl+0) brings it back after zooming; steps after an `end` are flagged unreachable."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF

from studio.core.yaml_io import atomic_write, dump_yaml
from studio.ui.editor.step_model import PROBLEMS_ROLE

from test_ui_support import demo_project, open_window, studio_home  # noqa: F401

pytestmark = pytest.mark.gui

WIDE = {"schema": "procedure/v1", "id": "wide", "title": "Six ways",
        "trigger": {"description": "A procedure with many branches side by side."},
        "steps": [{"id": "ask", "kind": "instruction", "text": "Ask which way."},
                  {"id": "route", "kind": "condition", "branches": [
                      {"when": f"way == {n}", "steps": [
                          {"id": f"s{n}-a", "kind": "instruction", "text": f"Way {n}, first"},
                          {"id": f"s{n}-b", "kind": "end", "outcome": "resolved"}]}
                      for n in range(6)]}]}


@pytest.fixture
def window(qtbot, demo_project):
    atomic_write(demo_project / "procedures" / "wide.yaml", dump_yaml(WIDE))
    win = open_window(qtbot, demo_project, confirm=True)
    yield win
    win.controller.close(ask=False)


def _visible(view) -> QRectF:
    return view.mapToScene(view.viewport().rect()).boundingRect()


def _all_nodes_in_view(view) -> bool:
    seen = _visible(view).adjusted(-1, -1, 1, 1)
    return all(seen.contains(node.sceneBoundingRect()) for node in view.nodes.values())


def test_a_wide_procedure_is_shown_whole_and_fit_brings_it_back(qtbot, window):
    editor = window.open_item("procedure", "wide")
    chart = editor.flowchart
    qtbot.waitUntil(lambda: chart.viewport().width() > 100)
    qtbot.wait(10)
    assert len(chart.nodes) == 14
    assert _all_nodes_in_view(chart)          # all six branches, none cut off
    assert chart.transform().m11() <= 1.0

    for _ in range(4):
        window.actions_["zoom_in"].trigger()
    assert not _all_nodes_in_view(chart)
    assert window.actions_["zoom_fit"].shortcut().toString() == "Ctrl+0"
    window.actions_["zoom_fit"].trigger()
    assert _all_nodes_in_view(chart)

    editor.fit_button.click()                 # the same from the editor's header
    assert _all_nodes_in_view(chart)


def test_a_small_procedure_is_not_blown_up(qtbot, window):
    editor = window.open_item("procedure", "complaints")
    qtbot.waitUntil(lambda: editor.flowchart.viewport().width() > 100)
    assert _all_nodes_in_view(editor.flowchart)
    assert editor.flowchart.transform().m11() <= 1.0
    editor.splitter.setSizes([300, 900])                 # room to spare: shown at 100%, no more
    qtbot.waitUntil(lambda: editor.flowchart.transform().m11() == pytest.approx(1.0))
    assert _all_nodes_in_view(editor.flowchart)


def test_steps_after_an_end_are_flagged_unreachable(qtbot, window):
    editor = window.open_item("procedure", "complaints")
    editor.select_step("take")
    end_id = editor.insert_step("end")
    after_id = editor.insert_step("instruction")         # inserted after the end step
    steps = [s.id for s in window.session.project.procedures["complaints"].steps]
    assert steps.index(after_id) == steps.index(end_id) + 1

    def flagged() -> list:
        return [p for p in window.problems_panel.problems
                if p.code == "unreachable" and p.step == after_id]
    qtbot.waitUntil(lambda: bool(flagged()), timeout=5000)      # after the debounce
    assert f"step '{end_id}'" in flagged()[0].message
    index = editor.model.index_of(after_id)
    card = index.data(PROBLEMS_ROLE)
    assert any(p.code == "unreachable" for p in card)
    assert "can never run" in index.data(0x03)           # the card's tooltip (Qt.ToolTipRole)
    # the step that was already there after the end ("escalate") is flagged too
    assert any(p.code == "unreachable" and p.step == "escalate"
               for p in window.problems_panel.problems)

    window.session.undo_stack.undo()                      # remove the extra step: gone again
    qtbot.waitUntil(lambda: not flagged(), timeout=5000)
