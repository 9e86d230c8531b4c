"""Undoing or redoing a project-settings change reaches the simulation editor and the
runner at once (segment choices, engine choices), not only after the next save."""
from __future__ import annotations

import pytest

from test_ui_support import demo_project, studio_home, window  # noqa: F401

pytestmark = pytest.mark.gui


def _items(combo) -> list:
    return [combo.itemData(i) for i in range(combo.count())]


def test_undo_and_redo_of_settings_refresh_segments_and_engines(qtbot, window):
    panels = window.panels_host.ensure_built()
    segments, engines = panels.editor.customer.segment, panels.runner.engine
    settings = window.session.project.settings.model_copy(deep=True)
    settings.segments["student"] = {"plan": "free"}
    settings.model.name = "ollama/llama3"
    assert window.controller.apply_settings(settings)
    assert "student" in _items(segments) and "ollama/llama3" in _items(engines)

    window.session.undo_stack.undo()
    assert "student" not in _items(segments)
    assert _items(engines) == ["offline"]

    window.session.undo_stack.redo()
    assert "student" in _items(segments) and "ollama/llama3" in _items(engines)
