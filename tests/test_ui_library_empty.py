"""An empty library says how to add a simulation; a search that hides every row says so."""
import shutil

import pytest

from test_ui_support import close_library_view, open_library_view  # noqa: E402

pytestmark = pytest.mark.gui


def _view(qtbot, root):
    _, library, view = open_library_view(qtbot, root, concurrency=1)
    return view, library


def test_empty_library_shows_how_to_add_a_simulation(qtbot, sample_copy):
    root = sample_copy("food-delivery")
    shutil.rmtree(root / "simulations")
    view, library = _view(qtbot, root)
    try:
        assert view.model.rowCount() == 0
        assert view.showing_empty_hint() and not view.run_all_button.isEnabled()
        hint = view.empty.text()
        assert "No simulations yet" in hint
        assert "Try it" in hint and "Save this run as a simulation" in hint
        assert "Suggest simulations" in hint and "Add simulation" in hint
    finally:
        close_library_view(qtbot, view, library)


def test_filters_that_hide_everything_say_so(qtbot, sample_copy):
    view, library = _view(qtbot, sample_copy("food-delivery"))
    try:
        assert not view.showing_empty_hint()
        view.search.setText("zzzz-nothing-like-this")
        qtbot.waitUntil(lambda: view.showing_empty_hint(), timeout=3000)
        assert "No simulation matches" in view.empty.text()
        view.search.clear()
        qtbot.waitUntil(lambda: not view.showing_empty_hint(), timeout=3000)
    finally:
        close_library_view(qtbot, view, library)
