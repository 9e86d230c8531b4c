"""Simulations from the project tree open in the simulation editor only (YAML on request),
and undo / redo of a simulation edit reach the library row and the open editor."""
from __future__ import annotations

import pytest


from test_ui_support import sample_window as window  # noqa: F401  (fixture)
from test_ui_support import studio_home  # noqa: F401

pytestmark = pytest.mark.gui
KEY = "damaged-photo-full-refund"


def _library_names(window) -> set[str]:
    return {r.name for r in window.panels_host.library.simulations()}


def test_tree_opens_only_the_simulation_editor(qtbot, window):
    panels = window.panels_host.ensure_built()
    tabs_before = window.documents.count()
    window.project_tree.open_requested.emit("simulation", KEY)
    assert window.documents.count() == tabs_before            # no YAML tab
    assert window.documents.find("simulation", KEY) is None
    assert panels.editor.pages.currentIndex() == 1 and panels.editor.key == KEY

    panels.editor.yaml_button.click()                          # for power users
    tab = window.documents.find("simulation", KEY)
    assert tab is not None and window.documents.currentWidget() is tab


def test_undo_of_a_simulation_edit_updates_the_library(qtbot, window):
    panels = window.panels_host.ensure_built()
    qtbot.waitUntil(lambda: panels.library_view.model.rowCount() > 0, timeout=10000)
    window.project_tree.open_requested.emit("simulation", KEY)
    old_name = panels.editor.name.text()
    old_tags = list(window.session.project.simulations[KEY].tags)
    count = panels.library_view.model.rowCount()
    panels.editor.name.setText("Crushed pizza, renamed")
    panels.editor.tags.setText("refunds, renamed")
    assert panels.editor.save(), panels.editor.problems.text()
    assert "Crushed pizza, renamed" in _library_names(window)

    window.actions_["undo"].trigger()                          # Ctrl+Z: the last edit (tags)
    library = window.panels_host.library
    assert library.get("Crushed pizza, renamed").tags == old_tags
    assert panels.editor.tags.text() == ", ".join(old_tags) and panels.editor.dirty
    window.actions_["undo"].trigger()                          # and the one before (the name)
    names = _library_names(window)
    assert old_name in names and "Crushed pizza, renamed" not in names
    assert len(names) == count
    assert window.panels_host.library.get(old_name).tags == old_tags
    assert panels.editor.name.text() == old_name
    assert panels.editor.dirty and window.session.is_dirty     # the file still has the new name
    qtbot.waitUntil(lambda: any(panels.library_view.model.index(r, 0).data() == old_name
                                for r in range(panels.library_view.model.rowCount())),
                    timeout=10000)

    window.actions_["redo"].trigger()
    window.actions_["redo"].trigger()
    assert "Crushed pizza, renamed" in _library_names(window)
    assert window.panels_host.library.get("Crushed pizza, renamed").tags == ["refunds", "renamed"]
    assert old_name not in _library_names(window)
    assert panels.editor.name.text() == "Crushed pizza, renamed"


def test_deleting_a_simulation_in_the_tree_and_undoing_it(qtbot, window):
    panels = window.panels_host.ensure_built()
    qtbot.waitUntil(lambda: panels.library_view.model.rowCount() > 0, timeout=10000)
    window.project_tree.open_requested.emit("simulation", KEY)
    name = panels.editor.name.text()
    assert window.project_tree.delete("simulation", KEY)
    assert name not in _library_names(window)
    assert panels.editor.pages.currentIndex() == 0             # nothing to edit any more
    window.session.undo_stack.undo()
    assert name in _library_names(window)


def test_discarding_an_undone_edit_puts_the_library_back_to_the_file(qtbot, window, tmp_path):
    from studio.library import Library
    panels = window.panels_host.ensure_built()
    qtbot.waitUntil(lambda: panels.library_view.model.rowCount() > 0, timeout=10000)
    window.project_tree.open_requested.emit("simulation", KEY)
    old_name = panels.editor.name.text()
    panels.editor.name.setText("Crushed pizza, renamed")
    assert panels.editor.save(), panels.editor.problems.text()     # file and library: renamed
    window.actions_["undo"].trigger()                               # library: old name, file: dirty
    assert old_name in _library_names(window)
    root = window.session.root
    for widget in (panels.runner, panels.library_view, panels.coverage):
        widget._pool.waitForDone(10000)
    assert window.controller.close(ask=False)                       # discard the unsaved undo
    with Library.open(root) as library:
        names = {r.name for r in library.simulations()}
    assert "Crushed pizza, renamed" in names and old_name not in names
