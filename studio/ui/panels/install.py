"""The test half of the app wired together (runner, simulation editor, library
view, coverage, reports) and added to the main window as dock widgets.

`TestPanels` works without a main window (tests, benchmark); `install_panels`
finds what it needs on the window by duck typing (a `session` with the
project and undo stack, procedure editors among its children), so it keeps
working while the main window evolves."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QWidget

from studio.core.project import Project
from studio.core.simulation import Simulation

from .coverage_panel import CoveragePanel
from .library_view import LibraryView
from .marks import editor_coverage
from .reports import ReportsPanel
from .runner import RunnerPanel, slug
from .simulation_editor import SimulationEditor


class TestPanels(QObject):
    __test__ = False   # not a pytest class

    def __init__(self, project: Project, library: Any, *, session: Any = None,
                 run_fn: Any = None, parent: QObject | None = None):
        super().__init__(parent)
        self.project, self.library, self.session = project, library, session
        self.runner = RunnerPanel(project, run_fn, save_simulation=self.save_simulation)
        self.editor = SimulationEditor(project, save_fn=self.save_simulation)
        self.library_view = LibraryView(project, library, runner=run_fn) if library is not None else None
        self.coverage = CoveragePanel(project, library) if library is not None else None
        self.reports = ReportsPanel(library) if library is not None else None
        self.editor.run_requested.connect(self._run_edited)
        self.editor.saved.connect(lambda key, sim: self.runner.open_simulation(sim, key))
        if self.library_view is not None:
            self.library_view.simulation_activated.connect(self.open_simulation)
            self.library_view.run_finished.connect(self._after_run)
            self.library_view.refresh()
            self.coverage.refresh()

    # -- simulations ----------------------------------------------------------
    def key_of(self, name: str) -> str:
        record = self.library.get(name) if self.library is not None else None
        if record is not None and record.source_file:
            return Path(record.source_file).stem
        found = next((k for k, s in self.project.simulations.items() if s.name == name), None)
        return found or slug(name)

    def open_simulation(self, name: str, simulation: Simulation) -> None:
        key = self.key_of(name)
        self.editor.set_simulation(simulation, key)
        self.runner.open_simulation(simulation, key)

    def save_simulation(self, key: str, simulation: Simulation, previous: str | None = None) -> None:
        """YAML file (through the undo stack when there is a session) and the library."""
        old = self.project.simulations.get(key)
        if self.session is not None:
            from studio.ui.document.project_commands import ReplaceItems
            self.session.push(ReplaceItems(self.session, [("simulation", key if old else None, old,
                                                           key, simulation)],
                                           f"Edit simulation {simulation.name}"))
            self.session.save([("simulation", key)])
        else:
            self.project.save_simulation(key, simulation)
        if self.library is not None:
            rel = self.project.file_of("simulation", key)
            previous = previous or (old.name if old is not None and old.name != simulation.name else None)
            self.library.save_simulation(simulation, source_file=rel, previous_name=previous)
            self.library_view.refresh()

    def _run_edited(self, simulation: Simulation) -> None:
        self.runner.open_simulation(simulation, self.editor.key)
        self.runner.run()

    # -- project changes ------------------------------------------------------
    def set_project(self, project: Project) -> None:
        self.project = project
        self.runner.set_project(project)
        if self.library_view is not None:
            self.library_view.set_project(project)
            self.coverage.set_project(project)

    def _after_run(self, _summary: Any) -> None:
        self.coverage.refresh()
        if self.reports is not None and self.reports.isVisible():
            self.reports.refresh()

    def widgets(self) -> list[tuple[str, str, QWidget]]:
        """(object name, title, widget) for every panel there is."""
        out = [("runner", "Runner", self.runner), ("simulation", "Simulation", self.editor)]
        if self.library_view is not None:
            out += [("library", "Library", self.library_view), ("coverage", "Coverage", self.coverage),
                    ("reports", "Reports", self.reports)]
        return out


# -- the main window hook ------------------------------------------------------
def _procedure_editors(window: QWidget, procedure_id: str) -> list[Any]:
    try:
        from studio.ui.editor.procedure_editor import ProcedureEditor
    except ImportError:
        return []
    return [e for e in window.findChildren(ProcedureEditor) if getattr(e, "item_id", None) == procedure_id]


def _open_library(root: Path) -> Any:
    from studio.library import Library, LibraryInUse
    try:
        return Library.open(root)
    except LibraryInUse:
        return Library.open(root, read_only=True)


def install_panels(window: Any) -> TestPanels:
    """Add the runner, simulation, library, coverage and reports docks to `window`.

    Uses `window.session` (ProjectSession) when present, else `window.project`;
    `window.library` when present, else opens the project's library (and
    closes it with the window). Returns the TestPanels, also kept as
    `window.test_panels`.
    """
    session = getattr(window, "session", None)
    project = session.project if session is not None else getattr(window, "project")
    library = getattr(window, "library", None)
    if library is None:
        library = _open_library(project.root)
        window.destroyed.connect(lambda *_: library.close())
    panels = TestPanels(project, library, session=session, parent=window)

    def mark_steps(procedure_id: str, marks: dict) -> None:
        for editor in _procedure_editors(window, procedure_id):
            editor.set_marks(marks)

    def mark_coverage(procedure_id: str, marks: dict) -> None:
        for editor in _procedure_editors(window, procedure_id):
            if hasattr(editor, "set_coverage"):
                editor.set_coverage(editor_coverage(marks))

    panels.runner.steps_marked.connect(mark_steps)
    if panels.coverage is not None:
        panels.coverage.coverage_marks.connect(mark_coverage)
    if session is not None:
        session.saved.connect(lambda: panels.set_project(session.project))

    docks = []
    for name, title, widget in panels.widgets():
        dock = QDockWidget(title, window)
        dock.setObjectName(f"dock-{name}")
        dock.setWidget(widget)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        docks.append(dock)
    for dock in docks[1:]:
        window.tabifyDockWidget(docks[0], dock)
    docks[0].raise_()
    window.test_panels = panels
    return panels
