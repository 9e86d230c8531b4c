"""Shared fixtures of the UI tests (no tests here): a demo project, scripted prompts, the window."""
from __future__ import annotations

import pytest

from studio.ui.prompts import Prompts

from document_support import demo_project, studio_home  # noqa: F401  (fixtures, shared)


class ScriptedPrompts(Prompts):
    """Answers every question from `answers`, and records what was asked."""

    def __init__(self, **answers):
        super().__init__(None)
        self.answers = answers
        self.asked: list[tuple[str, tuple]] = []

    def _answer(self, name, *args):
        self.asked.append((name, args))
        value = self.answers.get(name)
        return value(*args) if callable(value) else value

    def ask_text(self, title, label, text=""):
        return self._answer("ask_text", title, label, text)

    def new_procedure(self):
        """(name, template) from `new_procedure`, else the `ask_text` answer, empty."""
        if "new_procedure" in self.answers:
            return self._answer("new_procedure")
        name = self.ask_text("New procedure", "Name (an id is made from it):")
        return (name, None) if name else None

    def confirm(self, title, text):
        return bool(self._answer("confirm", title, text))

    def yes_no_cancel(self, title, text):
        return self._answer("yes_no_cancel", title, text) or "cancel"

    def save_discard_cancel(self, title, text):
        return self._answer("save_discard_cancel", title, text) or "discard"

    def offer_recovery(self, files):
        return bool(self._answer("offer_recovery", files))

    def external_change(self, rel, dirty):
        return bool(self._answer("external_change", rel, dirty))

    def error(self, title, text):
        self._answer("error", title, text)

    def open_folder(self, title):
        return self._answer("open_folder", title)

    def save_file(self, title, name, filters):
        return self._answer("save_file", title, name, filters)

    def open_file(self, title, filters="All files (*)"):
        return self._answer("open_file", title, filters)

    def choose(self, title, label, items):
        return self._answer("choose", title, label, items)


def open_window(qtbot, project, **answers):
    """The main window on `project`, shown and painted, answering prompts from `answers`."""
    from studio.ui.main_window import MainWindow
    win = MainWindow(ScriptedPrompts(**answers))
    qtbot.addWidget(win)
    win.controller.open(project)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def window(qtbot, demo_project):
    """The main window on the demo project: confirms, answers "yes", discards on close."""
    win = open_window(qtbot, demo_project, confirm=True, yes_no_cancel="yes",
                      save_discard_cancel="discard")
    yield win
    win.controller.close(ask=False)


def open_library_view(qtbot, root, concurrency: int = 2):
    """The library view on the project at `root`, shown with its table filled:
    (project, library, view). Close with `close_library_view`."""
    from studio.core.project import load_project
    from studio.library import Library
    from studio.ui.panels.library.library_view import LibraryView
    project = load_project(root)
    library = Library.open(root)
    view = LibraryView(project, library, concurrency=concurrency)
    qtbot.addWidget(view)
    view.resize(1400, 800)
    view.show()
    with qtbot.waitSignal(view.refreshed, timeout=10000):
        view.refresh()
    return project, library, view


def close_library_view(qtbot, view, library) -> None:
    """Let a run end and the view's threads finish before the library closes."""
    qtbot.waitUntil(lambda: not view.is_running(), timeout=20000)
    view._pool.waitForDone(10000)
    library.close()


@pytest.fixture
def library_setup(qtbot, sample_copy):
    """(project, library, view) on a copy of the food-delivery sample."""
    project, library, view = open_library_view(qtbot, sample_copy("food-delivery"))
    yield project, library, view
    close_library_view(qtbot, view, library)


def close_window(win) -> None:
    """Let the test panels' threads finish, then close the project without asking."""
    host = getattr(win, "panels_host", None)
    panels = host.panels if host is not None else None
    if panels is not None:
        for widget in (panels.runner, panels.library_view, panels.coverage):
            widget._pool.waitForDone(10000)
    win.controller.close(ask=False)


@pytest.fixture
def sample_window(qtbot, studio_home, sample_copy):
    """The main window on a copy of the food-delivery sample (confirms every question)."""
    win = open_window(qtbot, sample_copy("food-delivery"), confirm=True)
    yield win
    close_window(win)


SAMPLE_SIMULATION = "damaged-photo-full-refund"


@pytest.fixture
def simulation_editor(window):
    """The simulation editor on the sample's photo-refund simulation, opened from the tree.
    Modules using it import `sample_window as window`."""
    panels = window.panels_host.ensure_built()
    window.project_tree.open_requested.emit("simulation", SAMPLE_SIMULATION)
    assert panels.editor.key == SAMPLE_SIMULATION
    return panels.editor
