"""The flowchart opens readable: beside the cards with a fair share of the width, whole
when it fits at a legible size, else from the top at a legible size with the wide
branches a scroll away; Fit (Ctrl+0) shows everything. Steps after an `end` are
flagged unreachable."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QAbstractSlider

from studio.core.yaml_io import atomic_write, dump_yaml
from studio.ui.editor.flowchart import LEGIBLE_SCALE
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


def _in_view(view, *ids) -> bool:
    seen = _visible(view).adjusted(-1, -1, 1, 1)
    return all(seen.contains(view.nodes[i].sceneBoundingRect()) for i in ids)


def _all_nodes_in_view(view) -> bool:
    return _in_view(view, *view.nodes)


def _opened(qtbot, window, procedure_id):
    editor = window.open_item("procedure", procedure_id)
    qtbot.waitUntil(lambda: editor.flowchart.viewport().width() > 100)
    qtbot.wait(30)                       # the first-start dock sizes are applied
    return editor, editor.flowchart


def test_the_flowchart_gets_a_fair_share_of_the_editor(qtbot, window):
    editor, chart = _opened(qtbot, window, "wide")
    cards, flow = editor.splitter.sizes()
    assert flow >= 0.4 * (cards + flow)
    assert cards >= flow                 # the cards stay the main thing
    window.resize(1100, 800)             # a smaller window keeps the proportion
    qtbot.waitUntil(lambda: editor.splitter.width() < cards + flow - 100)
    cards2, flow2 = editor.splitter.sizes()
    assert flow2 / (cards2 + flow2) == pytest.approx(flow / (cards + flow), abs=0.02)
    editor.flow_toggle.click()           # hidden and shown again: the same share
    assert not chart.isVisible()
    editor.flow_toggle.click()
    qtbot.waitUntil(lambda: chart.isVisible() and chart.width() > 100)
    cards3, flow3 = editor.splitter.sizes()
    assert flow3 / (cards3 + flow3) == pytest.approx(flow / (cards + flow), abs=0.02)


def test_a_wide_procedure_opens_legible_and_fit_shows_it_all(qtbot, window):
    editor, chart = _opened(qtbot, window, "wide")
    assert len(chart.nodes) == 14
    scale = chart.transform().m11()
    assert LEGIBLE_SCALE - 1e-6 <= scale <= 1.0       # node text readable, not a smudge
    assert _in_view(chart, "ask", "route")             # the main path, from the top
    assert not _all_nodes_in_view(chart)
    bar = chart.horizontalScrollBar()                  # every branch a scroll away
    bar.setValue(bar.minimum())
    assert _in_view(chart, "s0-a")
    bar.setValue(bar.maximum())
    assert _in_view(chart, "s5-a")

    for _ in range(4):
        window.actions_["zoom_in"].trigger()
    assert not _all_nodes_in_view(chart)
    assert window.actions_["zoom_fit"].shortcut().toString() == "Ctrl+0"
    window.actions_["zoom_fit"].trigger()
    assert _all_nodes_in_view(chart)                   # Fit: everything, however small
    editor.splitter.setSizes([700, 300])               # and it keeps fitting on resize
    qtbot.waitUntil(lambda: chart.viewport().width() < 320)
    assert _all_nodes_in_view(chart)

    window.actions_["zoom_in"].trigger()
    editor.fit_button.click()                          # the same from the editor's header
    assert _all_nodes_in_view(chart)


def test_a_scrolled_flowchart_stays_put_when_the_procedure_changes(qtbot, window):
    editor, chart = _opened(qtbot, window, "wide")
    bar = chart.horizontalScrollBar()
    bar.triggerAction(QAbstractSlider.SliderToMaximum)  # the user scrolls to the last branch
    assert _in_view(chart, "s5-a")
    editor.select_step("s5-a")
    editor.insert_step("instruction")
    qtbot.waitUntil(lambda: len(chart.nodes) == 15, timeout=3000)
    assert _in_view(chart, "s5-a")


def test_a_small_procedure_is_not_blown_up(qtbot, window):
    editor, chart = _opened(qtbot, window, "complaints")
    assert _all_nodes_in_view(chart)
    assert chart.transform().m11() <= 1.0
    editor.splitter.setSizes([300, 900])                 # room to spare: shown at 100%, no more
    qtbot.waitUntil(lambda: chart.transform().m11() == pytest.approx(1.0))
    assert _all_nodes_in_view(chart)


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
