"""The test half of the app wired together (runner, simulation editor, library
view, coverage, reports) and added to the main window as dock widgets.

`TestPanels` works without a main window (tests, benchmark); `install_panels`
finds what it needs on the window by duck typing (a `session` with the
project and undo stack, procedure editors among its children), so it keeps
working while the main window evolves."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QLabel, QWidget

from studio.core.project import Project
from studio.core.simulation import Simulation

from studio.document.library_sync import LibrarySync
from studio.document.project_commands import ReplaceItems

from .marks import editor_coverage


REFRESH_AFTER_MS = 250    # the library table follows simulation edits after a typing pause


class TestPanels(QObject):
    __test__ = False   # not a pytest class

    def __init__(self, project: Project, library: Any, *, session: Any = None,
                 run_fn: Any = None, parent: QObject | None = None):
        super().__init__(parent)
        # imported here, not at module level: the docks are built after the first paint
        from .coverage.coverage_panel import CoveragePanel
        from .library.library_view import LibraryView
        from .reports.reports import ReportsPanel
        from .runner.runner import RunnerPanel
        from .sim_editor.simulation_editor import SimulationEditor
        self.project, self.library, self.session = project, library, session
        self.runner = RunnerPanel(project, run_fn, save_simulation=self.save_simulation)
        self.editor = SimulationEditor(project, save_fn=self.save_simulation, session=session)
        self.library_view = LibraryView(project, library, runner=run_fn) if library is not None else None
        self.coverage = CoveragePanel(project, library) if library is not None else None
        self.reports = ReportsPanel(library) if library is not None else None
        self.sync: LibrarySync | None = None
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_AFTER_MS)
        if self.library_view is not None:
            self._refresh_timer.timeout.connect(self.library_view.refresh)
        if session is not None:      # undo / redo / tree edits of simulations reach the library
            self.sync = LibrarySync(session, library)
            self.sync.failed.connect(self._sync_failed)
            session.item_changed.connect(self._item_changed)
        self.editor.run_requested.connect(self._run_edited)
        self.editor.saved.connect(lambda key, sim: self.runner.open_simulation(sim, key))
        if self.library_view is not None:
            self.library_view.simulation_activated.connect(self.open_simulation)
            self.library_view.run_finished.connect(self._after_run)
            self.coverage.add_requested.connect(self._add_suggestions)
            self.library_view.refresh()
            self.coverage.refresh()

    # -- simulations ----------------------------------------------------------
    def key_of(self, name: str) -> str:
        record = self.library.get(name) if self.library is not None else None
        if record is not None and record.source_file:
            return Path(record.source_file).stem
        found = next((k for k, s in self.project.simulations.items() if s.name == name), None)
        from .runner.runner import slug
        return found or slug(name)

    def open_simulation(self, name: str, simulation: Simulation) -> None:
        key = self.key_of(name)
        self.editor.set_simulation(simulation, key)
        self.runner.open_simulation(simulation, key)

    def save_simulation(self, key: str, simulation: Simulation, previous: str | None = None) -> None:
        """YAML file (through the undo stack when there is a session) and the library."""
        old = self.project.simulations.get(key)
        previous = previous or (old.name if old is not None and old.name != simulation.name else None)
        rel = self.project.file_of("simulation", key)
        if self.sync is not None:     # the library already follows the session's edits
            clash = self.sync.clash(key, simulation)
            if clash:
                raise ValueError(clash)
        else:
            existing = self.library.get(simulation.name) if self.library is not None else None
            if existing is not None and (previous or (existing.source_file or rel) != rel):
                raise ValueError(f"a simulation named {simulation.name!r} already exists; choose another name")
        if self.session is not None:      # the command's event brings the library along (LibrarySync)
            if old is None or old.to_data() != simulation.to_data():   # the editor pushed its edits
                self.session.push(ReplaceItems(self.session, [("simulation", key if old else None,
                                                               old, key, simulation)],
                                               f"Edit simulation {simulation.name}"))
            self.session.save([("simulation", key)])
        else:
            if self.library is not None:
                self.library.save_simulation(simulation, source_file=rel, previous_name=previous)
            self.project.save_simulation(key, simulation)
        if self.library_view is not None:
            self.library_view.refresh()

    def _item_changed(self, kind: str, key: str) -> None:
        """A simulation changed outside `save_simulation` (undo, redo, the project tree):
        the library row, the open editor and the table follow. Settings changes (the
        dialog, undo, redo) refresh the segment and engine lists at once."""
        if kind == "settings":
            self.set_project(self.project)
            return
        if kind != "simulation":
            return
        simulation = self.project.simulations.get(key)       # the editor follows by itself
        if self.runner.simulation_key == key and simulation is not None and not self.runner.is_running():
            if self.editor.is_pushing():      # typing in the editor: the runner keeps its transcript
                self.runner.simulation = simulation
                self.runner.title.setText(simulation.name)
            else:
                self.runner.open_simulation(simulation, key)
        if self.library_view is not None:
            self._refresh_timer.start()       # once typing pauses

    def _sync_failed(self, message: str) -> None:
        """A name clash or a locked library: the editor says so, editing goes on."""
        self.editor.problems.setText(message)
        self.editor.problems.setVisible(True)

    def _add_suggestions(self, chosen: list) -> None:
        for key, simulation in chosen:
            base, n = key, 2
            while key in self.project.simulations:
                key, n = f"{base}-{n}", n + 1
            self.save_simulation(key, simulation)

    def _run_edited(self, simulation: Simulation) -> None:
        self.runner.open_simulation(simulation, self.editor.key)
        self.runner.run()

    # -- project changes ------------------------------------------------------
    def set_project(self, project: Project) -> None:
        self.project = project
        self.runner.set_project(project)
        self.editor.customer.set_segments(sorted(project.settings.segments))
        if self.library_view is not None:
            self.library_view.set_project(project)
            self.coverage.set_project(project)

    def _after_run(self, _summary: Any) -> None:
        self.coverage.refresh()
        if self.reports is not None and self.reports.isVisible():
            self.reports.refresh()

    def restyle(self) -> None:
        """The theme changed: panels whose colours are baked in re-draw."""
        self.runner.restyle()
        if self.reports is not None:
            self.reports.restyle()
        if self.library_view is not None and not self.library_view.is_running():
            self.library_view._update_summary_label()

    def widgets(self) -> list[tuple[str, str, QWidget]]:
        """(object name, title, widget) for every panel there is."""
        out = [("runner", "Runner", self.runner), ("simulation", "Simulation", self.editor)]
        if self.library_view is not None:
            out += [("library", "Library", self.library_view), ("coverage", "Coverage", self.coverage),
                    ("reports", "Reports", self.reports)]
        return out


# -- the main window hook ------------------------------------------------------
BUILD_DELAY_MS = 300       # keep opening the library out of the start-up path
DOCKS = (("runner", "Runner", "bottom"), ("library", "Library", "bottom"),
         ("coverage", "Coverage", "bottom"), ("reports", "Reports", "bottom"),
         ("simulation", "Simulation", "right"))


def _open_library(root: Path) -> Any:
    from studio.library import Library, LibraryInUse
    try:
        return Library.open(root)
    except LibraryInUse:
        return Library.open(root, read_only=True)


class PanelsHost(QObject):
    """Keeps the docks of the test half and rebuilds their panels per project.

    Uses the main window's extension points: `add_dock`, `controller.session_changed`,
    `procedure_editor(id, open_it=False)` (set_marks / set_coverage) and the project
    tree's `open_requested` for simulations.
    """

    def __init__(self, window: Any):
        super().__init__(window)
        self.window = window
        self.panels: TestPanels | None = None
        self.library: Any = None
        self.docks: dict[str, QDockWidget] = {}
        areas = {"bottom": Qt.DockWidgetArea.BottomDockWidgetArea,
                 "right": Qt.DockWidgetArea.RightDockWidgetArea}
        for name, title, area in DOCKS:
            placeholder = QLabel("Open a project to run its simulations.")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            if hasattr(window, "add_dock"):
                dock = window.add_dock(name, title, placeholder, areas[area])
            else:
                dock = QDockWidget(title, window)
                dock.setObjectName(f"dock-{name}")
                dock.setWidget(placeholder)
                window.addDockWidget(areas[area], dock)
            self.docks[name] = dock
        bottom = [self.docks[n] for n, _, a in DOCKS if a == "bottom"]
        first = getattr(window, "docks", {}).get("problems", bottom[0])
        for dock in bottom:
            if dock is not first:
                window.tabifyDockWidget(first, dock)
        inspector = getattr(window, "docks", {}).get("inspector")
        if inspector is not None:
            window.tabifyDockWidget(inspector, self.docks["simulation"])
            inspector.raise_()
        self._grown: set[str] = set()
        for name, dock in self.docks.items():   # built when first looked at, after the first paint
            dock.visibilityChanged.connect(
                lambda visible: visible and QTimer.singleShot(BUILD_DELAY_MS, self.ensure_built))
            if name != "simulation":
                dock.visibilityChanged.connect(lambda visible, n=name: self._first_look(n, visible))
        if "problems" in getattr(window, "docks", {}):
            window.docks["problems"].raise_()
        else:
            self.docks["runner"].raise_()
        self._pending: tuple[Project, Any, Any] | None = None
        controller = getattr(window, "controller", None)
        if controller is not None and hasattr(controller, "session_changed"):
            controller.session_changed.connect(self.set_session)
        tree = getattr(window, "project_tree", None)
        if tree is not None and hasattr(tree, "open_requested"):
            tree.open_requested.connect(self._tree_open)
        self._add_menu(window)
        library_ref = self
        window.destroyed.connect(lambda *_: library_ref.library is not None and library_ref.library.close())
        session = getattr(window, "session", None)
        if session is not None:
            self.set_session(session)
        elif getattr(window, "project", None) is not None:
            self._pending = (window.project, getattr(window, "library", None), None)
            self.ensure_built()

    def _add_menu(self, window: Any) -> None:
        """A Simulation menu, so the runner and library have listed shortcuts."""
        if not hasattr(window, "menuBar"):
            return
        from PySide6.QtGui import QAction, QKeySequence
        menu = window.menuBar().addMenu("&Simulation")
        self.actions: dict[str, QAction] = {}
        for name, text, shortcut, slot in (
                ("run", "&Run simulation", "Ctrl+R", lambda p: p.runner.run()),
                ("try", "&Try it (play the customer)", "Ctrl+T",
                 lambda p: p.runner.set_try_mode(not p.runner.try_mode)),
                ("stop", "&Stop run", "Ctrl+.", self._stop),
                (None, None, None, None),
                ("run_all", "Run &all simulations", "Ctrl+Shift+R",
                 lambda p: p.library_view and p.library_view.run(None)),
                ("run_failed", "Run &failed simulations", "Ctrl+Alt+R",
                 lambda p: p.library_view and p.library_view.run_failed()),
                (None, None, None, None),
                ("show_library", "Show &library", "Ctrl+Shift+L", None),
                ("show_coverage", "Show &coverage", None, None),
                ("show_reports", "Show r&eports", None, None)):
            if name is None:
                menu.addSeparator()
                continue
            action = QAction(text, window)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            if slot is None:
                dock = name.removeprefix("show_")
                action.triggered.connect(lambda _c=False, d=dock: self._show(d))
            else:
                action.triggered.connect(lambda _c=False, f=slot, d=name: self._call(d, f))
            menu.addAction(action)
            self.actions[name] = action
        self.menu = menu

    def _show(self, dock: str) -> None:
        widget = self.docks[dock]
        widget.show()
        widget.raise_()
        QTimer.singleShot(0, self.ensure_built)
        self._grow(dock)

    def _grow(self, dock: str) -> None:
        """A bottom panel shown in a thin strip gets room for a transcript or a table."""
        widget, window = self.docks[dock], self.window
        if (hasattr(window, "resizeDocks") and window.isVisible() and not widget.isFloating()
                and window.dockWidgetArea(widget) == Qt.DockWidgetArea.BottomDockWidgetArea
                and widget.height() < window.height() * 0.3):
            share = 0.36 if window.height() <= 900 else 0.42     # the cards keep room at 800 px
            window.resizeDocks([widget], [int(window.height() * share)], Qt.Orientation.Vertical)

    def _first_look(self, dock: str, visible: bool) -> None:
        """The first time a bottom panel is looked at in this session, it gets room once."""
        if visible and dock not in self._grown and self.window.isVisible():
            self._grown.add(dock)
            QTimer.singleShot(0, lambda: self._grow(dock))

    def _call(self, action: str, fn: Any) -> None:
        panels = self.ensure_built()
        if panels is None:
            return
        self._show("library" if action.startswith("run_") else "runner")
        fn(panels)

    def _stop(self, panels: TestPanels) -> None:
        panels.runner.cancel()
        if panels.library_view is not None:
            panels.library_view.cancel()

    def set_session(self, session: Any) -> None:
        """A project was opened or closed; its library opens when a panel is first shown."""
        self._restore_unsaved()
        self._close_library()
        old, self.panels = self.panels, None
        if old is not None:
            old.deleteLater()
        for dock in self.docks.values():
            label = QLabel("Open a project to run its simulations." if session is None else "Loading…")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            previous = dock.widget()
            dock.setWidget(label)
            if previous is not None:
                previous.deleteLater()
        self._pending = None if session is None else (session.project, None, session)
        if session is not None:
            if any(d.isVisible() and not d.visibleRegion().isEmpty() for d in self.docks.values()):
                QTimer.singleShot(BUILD_DELAY_MS, self.ensure_built)

    def ensure_built(self) -> "TestPanels | None":
        if self.panels is None and self._pending is not None:
            pending, self._pending = self._pending, None
            self._build(*pending)
        return self.panels

    def _build(self, project: Project, library: Any, session: Any) -> None:
        if library is None:
            try:
                library = self.library = _open_library(project.root)
            except Exception as exc:   # a damaged library: say how to fix it, keep the editor usable
                library = None
                self.docks["library"].setWidget(self._library_notice(project, session, exc))
        self.panels = TestPanels(project, library, session=session, parent=self)
        self.window.test_panels = self.panels
        for name, _title, widget in self.panels.widgets():
            self.docks[name].setWidget(widget)
        if self.panels.sync is not None:
            self.panels.sync.folder_synced.connect(self._session_saved)
        self.panels.runner.steps_marked.connect(self._mark_steps)
        if getattr(self.window, "prompts", None) is not None:
            self.panels.editor.set_prompts(self.window.prompts)
        if hasattr(self.window, "open_item"):    # "YAML": the file as text, for power users
            self.panels.editor.yaml_requested.connect(
                lambda key: self.window.open_item("simulation", key))
        if self.panels.coverage is not None:
            self.panels.coverage.coverage_marks.connect(self._mark_coverage)
        self.panels.runner.simulation_saved.connect(self._open_in_editor)
        if self.panels.library_view is not None:
            self.panels.library_view.result_requested.connect(self._show_stored)
            self.panels.library_view.action_requested.connect(self._library_action)

    def _library_notice(self, project: Project, session: Any, exc: Exception) -> QWidget:
        """The library's error and, for a damaged one, a Rebuild button; once rebuilt, the
        panels are built again on the new library."""
        from studio.library import LibraryCorrupt
        from .library.damaged_notice import DamagedLibraryNotice
        notice = DamagedLibraryNotice(project.root, str(exc),
                                      can_rebuild=isinstance(exc, LibraryCorrupt) and session is not None)
        notice.rebuilt.connect(lambda message: self._library_rebuilt(session, message))
        return notice

    def _library_rebuilt(self, session: Any, message: str) -> None:
        if getattr(self.window, "session", session) is not session:
            return                                  # another project was opened meanwhile
        self.set_session(session)
        self.ensure_built()
        self._show("library")
        if hasattr(self.window, "statusBar"):
            self.window.statusBar().showMessage(message, 15000)

    def _open_in_editor(self, key: str, simulation: Simulation) -> None:
        """A run saved as a simulation opens in the simulation editor, to trim its expectations."""
        self.panels.editor.set_simulation(simulation, key)
        self._show("simulation")

    def _show_stored(self, name: str, result: Any) -> None:
        record = self.library.get(name) if self.library is not None else None
        simulation = getattr(record, "simulation", None)
        key = self.panels.key_of(name) if simulation else None
        self.panels.runner.show_stored_result(simulation, key, result)
        if simulation is not None and not self.panels.editor.dirty:    # the same one, beside it
            self.panels.editor.set_simulation(simulation, key)
        self._show("runner")

    def _library_action(self, key: str, names: list[str]) -> None:
        from .library.library_edit import library_action
        library_action(self, key, names)

    def _session_saved(self) -> None:
        """The library re-read the folder (LibrarySync); the panels show it."""
        if self.panels is None or self.panels.session is None:
            return
        self.panels.set_project(self.panels.project)
        if self.panels.library_view is not None:
            self.panels.library_view.refresh()

    def _editor(self, procedure_id: str) -> Any:
        finder = getattr(self.window, "procedure_editor", None)
        if finder is not None:
            return finder(procedure_id, open_it=False)
        from studio.ui.editor.procedure_editor import ProcedureEditor
        return next((e for e in self.window.findChildren(ProcedureEditor)
                     if getattr(e, "item_id", None) == procedure_id), None)

    def _mark_steps(self, procedure_id: str, marks: dict) -> None:
        editor = self._editor(procedure_id)
        if editor is not None and hasattr(editor, "set_marks"):
            editor.set_marks(marks)

    def _mark_coverage(self, procedure_id: str, marks: dict) -> None:
        editor = self._editor(procedure_id)
        if editor is not None and hasattr(editor, "set_coverage"):
            editor.set_coverage(editor_coverage(marks))

    def _tree_open(self, kind: str, item_id: str) -> None:
        if kind != "simulation" or self.ensure_built() is None:
            return
        simulation = self.panels.project.simulations.get(item_id)
        if simulation is not None:
            self.panels.editor.set_simulation(simulation, item_id)
            self.panels.runner.open_simulation(simulation, item_id)
            self.docks["simulation"].show()
            self.docks["simulation"].raise_()

    def _restore_unsaved(self) -> None:
        """The closing project's simulation edits that were not saved leave the library too,
        so it matches the files again (undo / redo change the library at once)."""
        panels = self.panels
        if panels is not None and panels.sync is not None:
            panels.sync.restore_unsaved()
            panels.sync.close()

    def _close_library(self) -> None:
        if self.library is not None:
            for widget in (self.panels.widgets() if self.panels else []):
                pool = getattr(widget[2], "_pool", None)
                if pool is not None:
                    for task in (getattr(widget[2], "_task", None),):
                        if task is not None:
                            task.cancel()
                    pool.waitForDone(10000)
            self.library.close()
            self.library = None


def install_panels(window: Any) -> PanelsHost:
    """Add the runner, library, coverage, reports and simulation docks to `window`.

    Panels are (re)built for each project the window's controller opens; a
    window without a controller may carry `project` (and `library`) itself.
    The current TestPanels is `window.test_panels`.
    """
    host = PanelsHost(window)
    window.panels_host = host
    return host
