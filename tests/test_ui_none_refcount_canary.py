"""Canary for a broken Qt binding: painting the real window must not leak references
to None. PySide6/shiboken6 6.12.0 on Python 3.11 drops one reference to None on every
call that returns nothing (QPainter.save, setPen, fillRect...), so after enough
repaints None is freed and the app aborts with "none_dealloc". pyproject excludes
that release; this test catches the next one in CI instead of on a user's desk.
On Python 3.12+ None is immortal and its count never moves, so it passes there."""
from __future__ import annotations

import gc
import sys

import pytest

from studio.ui.editor.flowchart import StepNode
from studio.ui.editor.step_view import StepView

from test_ui_support import demo_project, open_window, studio_home  # noqa: F401

pytestmark = pytest.mark.gui

PAINTS = 2000           # editor repaints: branch lanes and flowchart nodes each time
BATCH = 50              # check between batches, so a leak fails before None is freed
TOLERANCE = 200         # None's count wobbles a little with caches; a leak drops thousands


def _count_calls(monkeypatch, cls, name, counts):
    original = getattr(cls, name)

    def counted(self, *args):
        counts[name] = counts.get(name, 0) + 1
        return original(self, *args)
    monkeypatch.setattr(cls, name, counted)


@pytest.mark.timeout(300)       # a few seconds of CPU; generous for a busy CI machine
def test_painting_the_editor_thousands_of_times_keeps_none_alive(qtbot, demo_project, monkeypatch):
    win = open_window(qtbot, demo_project)
    editor = win.open_item("procedure", "damaged-order")      # branch lanes: an if/else
    qtbot.waitUntil(editor.flowchart.isVisible)
    counts: dict[str, int] = {}
    _count_calls(monkeypatch, StepView, "drawBranches", counts)
    _count_calls(monkeypatch, StepNode, "paint", counts)
    editor.select_step("approve")               # a selected card and node paint differently
    for _ in range(5):                          # caches, fonts and pixmaps settle first
        win.grab()
    gc.collect()
    before = sys.getrefcount(None)
    lowest = before
    for done in range(0, PAINTS, BATCH):
        for _ in range(BATCH):
            editor.grab()
        gc.collect()
        lowest = min(lowest, sys.getrefcount(None))
        assert before - lowest < TOLERANCE, (
            f"None lost {before - lowest} references after {done + BATCH} repaints: the Qt "
            f"binding leaks (PySide6 6.12.0 on Python < 3.12 does); exclude this release")
    win.grab()                                  # the whole window too, menus and docks
    assert before - sys.getrefcount(None) < TOLERANCE
    # the paint paths where users saw the crash did run, thousands of times
    assert counts["drawBranches"] >= PAINTS and counts["paint"] >= PAINTS
