"""The main window: wiring only. Panels, documents and the project controller live elsewhere.

Extension points (issue 7): `documents.register_kind(kind, factory)`,
`add_dock(name, title, widget, area)`, `controller.session_changed`,
`procedure_editor(id)` for `set_marks` / `set_coverage` / `select_step`.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QCursor, QGuiApplication, QUndoGroup
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow

from . import app_settings, theme
from .actions import build_actions, build_menus
from .documents import DocumentArea
from .editor.procedure_editor import ProcedureEditor
from .editor.text_item_editor import TextItemEditor
from .documents import TEXT_VIEW, item_kind
from .inspector.inspector import Inspector
from .panels.problems_panel import ProblemsPanel
from .panels.project_tree import ProjectTree
from .project_controller import ProjectController
from .prompts import Prompts
from .resources import icon


def _connector_form(session, item_id):
    from .editor.connector_editor import ConnectorEditor      # imported when first opened
    return ConnectorEditor(session, item_id)


class MainWindow(QMainWindow):
    def __init__(self, prompts: Prompts | None = None):
        super().__init__()
        self.setWindowIcon(icon("app"))
        self.prompts = prompts or Prompts(self)
        self.controller = ProjectController(self.prompts, self)
        self.undo_group = QUndoGroup(self)
        self.documents = DocumentArea(self)
        self.setCentralWidget(self.documents)
        self.documents.register_kind("procedure", ProcedureEditor)
        for kind in ("knowledge", "simulation", "settings"):
            self.documents.register_kind(kind, lambda s, i, k=kind: TextItemEditor(s, k, i))
        self.documents.register_kind("connector", _connector_form)      # a form; YAML one click away
        for kind in ("procedure", "connector"):
            self.documents.register_kind(kind + TEXT_VIEW, lambda s, i, k=kind: TextItemEditor(s, k, i))
        self.docks: dict[str, QDockWidget] = {}
        self.project_tree = ProjectTree(self.prompts)
        self.inspector = Inspector()
        self.inspector.prompts = self.prompts
        self.problems_panel = ProblemsPanel()
        self.add_dock("project", "Project", self.project_tree, Qt.LeftDockWidgetArea)
        self.add_dock("inspector", "Inspector", self.inspector, Qt.RightDockWidgetArea)
        self.add_dock("problems", "Problems", self.problems_panel, Qt.BottomDockWidgetArea)
        self.actions_ = build_actions(self)
        build_menus(self, self.actions_)
        for dock in self.docks.values():
            self.view_menu.addAction(dock.toggleViewAction())
        self._wire()
        # [issue 7 hook, test-half engineer] runner, library, coverage, reports and
        # simulation docks, rebuilt per project via controller.session_changed.
        from .panels import install_panels
        install_panels(self)
        from .conversations import install_conversations     # issue 15: production conversations
        install_conversations(self)
        from .review import install_review     # issue 14: the lead's Review screen
        install_review(self)
        self._build_start_page()
        self.menuBar().addAction(self.help_menu.menuAction())   # Help stays the last menu
        self.resize(1480, 920)
        self._restore_layout()
        self.update_title()

    # -- start page and new procedures ----------------------------------------------
    def _build_start_page(self) -> None:
        """The start page is made the first time nothing is open (not at every start-up)."""
        self.start_page = None
        for signal in (self.documents.currentChanged, self.controller.session_changed):
            signal.connect(lambda *_: QTimer.singleShot(0, self.update_start_page))
        QTimer.singleShot(0, self.update_start_page)      # after a project given at start-up opens

    def _make_start_page(self):
        from .start_page import StartPage
        page = self.start_page = StartPage(self.documents)
        page.sample_requested.connect(lambda name: self.open_project(app_settings.copy_sample(name)))
        page.new_project_requested.connect(self.new_project)
        page.open_requested.connect(self.open_project_dialog)
        page.recent_requested.connect(self.open_project)
        page.new_procedure_requested.connect(lambda t: self.new_procedure(t or None))
        return page

    def update_start_page(self) -> None:
        if self.start_page is None and self.documents.count():
            return
        session, page = self.session, self.start_page or self._make_start_page()
        if session is None:
            page.show_start(app_settings.sample_names(), app_settings.recent_projects()[:8])
        else:
            page.show_project(session.project.name, len(session.project.procedures))
        page.update_visible()

    def new_procedure(self, template: str | None = None) -> str | None:
        """File → New procedure… (Ctrl+Shift+N), the toolbar and the start page."""
        if self.session is None:
            return None
        if template is None:
            return self.project_tree.add("procedure")
        name = self.prompts.ask_text("New procedure", "Name (an id is made from it):")
        return self.project_tree.add("procedure", name, template) if name else None

    # -- wiring ----------------------------------------------------------------------
    def add_dock(self, name: str, title: str, widget, area=Qt.RightDockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{name}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[name] = dock
        if hasattr(self, "view_menu"):
            self.view_menu.addAction(dock.toggleViewAction())
        return dock

    def _wire(self) -> None:
        c = self.controller
        c.session_changed.connect(self._on_session)
        c.problems_changed.connect(self._on_problems)
        c.dirty_changed.connect(lambda _d: self.update_title())
        self.project_tree.open_requested.connect(self._tree_open)
        self.project_tree.text_requested.connect(self.show_text)
        c.recovered.connect(self._open_recovered_drafts)
        self.problems_panel.jump_requested.connect(self.jump_to_problem)
        self.documents.current_document_changed.connect(self._on_document)
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(lambda _s: self.set_theme(None, save=False))

    @property
    def session(self):
        return self.controller.session

    def _on_session(self, session) -> None:
        self.documents.set_session(session)
        self.project_tree.set_session(session)
        self.inspector.set_session(session)
        for stack in list(self.undo_group.stacks()):
            self.undo_group.removeStack(stack)
        if session is not None:
            self.undo_group.addStack(session.undo_stack)
            self.undo_group.setActiveStack(session.undo_stack)
            session.dirty_changed.connect(self.documents.update_titles)
            first = sorted(session.project.procedures)
            if first:
                self.open_item("procedure", first[0])
        self.update_title()

    def _on_problems(self, problems: list) -> None:
        self.problems_panel.set_problems(problems)
        for widget in self.documents.documents():
            if isinstance(widget, ProcedureEditor):
                widget.set_problems(problems)

    def _on_document(self, widget) -> None:
        if isinstance(widget, ProcedureEditor):
            self.inspector.show_step(widget.item_id, widget._key(widget.view.currentIndex()))
            widget.set_problems(self.controller.problems)
        self.update_title()

    def _tree_open(self, kind: str, item_id: str) -> None:
        """Simulations open in the simulation editor (the panels host listens to the tree
        too); their YAML is one "Show YAML" away. Everything else opens as a tab."""
        if kind != "simulation":
            self.open_item(kind, item_id)

    def open_item(self, kind: str, item_id: str):
        widget = self.documents.open(kind, item_id)
        if hasattr(widget, "text_requested") and not getattr(widget, "_wired", False):
            widget._wired = True
            widget.text_requested.connect(lambda i, k=kind: self.show_text(k, i))
        if isinstance(widget, ProcedureEditor) and not getattr(widget, "_wired", False):
            widget._wired = True
            widget.current_changed.connect(lambda key, w=widget: self.inspector.show_step(w.item_id, key))
            widget.set_problems(self.controller.problems)
            self._restore_split(widget)
            self.inspector.show_step(item_id, None)
        return widget

    def show_text(self, kind: str, item_id: str):
        """An item's file as YAML text ("Show YAML"); a procedure's beside its flowchart."""
        return self.open_item(kind + TEXT_VIEW if kind in ("procedure", "connector") else kind, item_id)

    def show_current_text(self) -> None:
        editor = self.current_editor()
        if editor is not None:
            self.show_text("procedure", editor.item_id)

    def _open_recovered_drafts(self, _rels: list) -> None:
        """A recovered procedure whose text does not parse can only be fixed as text."""
        session = self.session
        for kind, item_id in (session.drafts() if session is not None else {}):
            if kind == "procedure":
                self.show_text(kind, item_id)

    def _restore_split(self, editor: ProcedureEditor) -> None:
        """The flowchart's share of the editor, once the user has chosen one (an older
        "editor/splitter" value is ignored: it was saved whether or not anyone chose it)."""
        try:
            share = float(app_settings.settings().value("editor/flowchart_share", 0) or 0)
        except (TypeError, ValueError):
            share = 0
        if share > 0:
            editor.splitter.set_share(share)
        editor.splitter.share_chosen.connect(self._save_split)

    def _save_split(self, share: float) -> None:
        store = app_settings.settings()
        store.setValue("editor/flowchart_share", round(share, 4))
        store.sync()

    def procedure_editor(self, procedure_id: str, open_it: bool = True) -> ProcedureEditor | None:
        """The editor of a procedure (opened if needed): for marks, coverage and selection."""
        widget = self.documents.find("procedure", procedure_id)
        if widget is None and open_it:
            widget = self.open_item("procedure", procedure_id)
        return widget

    def current_editor(self) -> ProcedureEditor | None:
        widget = self.documents.currentWidget()
        return widget if isinstance(widget, ProcedureEditor) else None

    def editor_call(self, name: str, *args) -> None:
        editor = self.current_editor()
        focus = QApplication.focusWidget()
        tree_command = {"delete_selected": "delete", "duplicate_selected": "duplicate"}.get(name)
        if tree_command and focus is not None and self.project_tree.isAncestorOf(focus):
            self.project_tree.run_key(tree_command)      # Edit → Delete with the tree focused
            return
        if editor is None or (focus is not None and not editor.isAncestorOf(focus)
                              and name in ("delete_selected", "copy_selected", "cut_selected", "paste")):
            return
        getattr(editor, name)(*args)

    def flowchart_call(self, name: str, *args) -> None:
        editor = self.current_editor()
        if editor is not None:
            getattr(editor.flowchart, name)(*args)

    def show_insert_menu(self) -> None:
        editor = self.current_editor()
        if editor is not None:
            editor.insert_menu().exec(QCursor.pos())

    def jump_to_problem(self, problem) -> None:
        if self.session is None or problem is None:
            return
        key = self.session.key_of_rel(problem.file or "")
        if key is None and problem.file in self.session.broken_files():
            self.prompts.error("File could not be read",
                               f"{problem.format()}\n\nFix {self.session.root / problem.file} in a "
                               "text editor: Procedure Studio loads it as soon as it is saved.")
            return
        if key is None:
            return
        if key[0] == "simulation":
            self.project_tree.open_requested.emit(*key)   # the simulation editor
            return
        widget = self.open_item(*key)
        if isinstance(widget, ProcedureEditor) and problem.step:
            widget.select_step(problem.step)

    # -- title, files ------------------------------------------------------------------
    def update_title(self) -> None:
        session = self.session
        if session is None:
            self.setWindowTitle("Procedure Studio")
            return
        mark = "*" if session.is_dirty else ""
        self.setWindowTitle(f"{mark}{session.project.name} — Procedure Studio")

    def open_project(self, path) -> bool:
        try:
            self.controller.open(Path(path))
        except (OSError, RuntimeError) as exc:
            self.prompts.error("Open project", str(exc))
            return False
        return True

    def open_project_dialog(self) -> None:
        folder = self.prompts.open_folder("Open project folder")
        if folder:
            self.open_project(folder)

    def fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in app_settings.recent_projects():
            self.recent_menu.addAction(path, lambda p=path: self.open_project(p))

    def new_project(self) -> None:
        choices = ["Empty project"] + [f"Sample: {n}" for n in app_settings.sample_names()]
        choice = self.prompts.choose("New project", "Start from:", choices)
        if not choice:
            return
        folder = self.prompts.open_folder("Folder for the new project (an empty folder)")
        if not folder:
            return
        sample = choice.removeprefix("Sample: ") if choice.startswith("Sample: ") else None
        try:
            self.controller.new_project(Path(folder), sample)
        except (OSError, RuntimeError) as exc:
            self.prompts.error("New project", str(exc))

    def save_current(self) -> None:
        panels = getattr(self, "test_panels", None)
        focus = QApplication.focusWidget()
        if panels is not None and focus is not None and panels.editor.isAncestorOf(focus):
            panels.editor.save()                    # Ctrl+S in the simulation editor saves it
            return
        widget = self.documents.currentWidget()
        if widget is None:
            return self.save_all()
        self.controller.save_item(item_kind(widget.kind), widget.item_id)
        self.controller.save_item("settings", "")

    def save_all(self) -> None:
        try:
            self.controller.save_all()
        except OSError as exc:
            self.prompts.error("Save", f"Could not save: {exc}")

    def close_project(self) -> None:
        self.controller.close()

    def controller_validate(self) -> None:
        self.controller.validate()
        self.docks["problems"].show()

    def show_project_settings(self):
        """Project → Settings…: a window-modal dialog; OK pushes one undo step and saves."""
        if self.session is None:
            return None
        from .dialogs.project_settings import ProjectSettingsDialog
        project = self.session.project
        dialog = ProjectSettingsDialog(project.settings, sorted(project.connectors), self)
        dialog.accepted.connect(lambda: self.controller.apply_settings(dialog.settings()))
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def export_flowchart(self) -> None:
        editor = self.current_editor()
        if editor is None:
            return
        path = self.prompts.save_file("Export flowchart", f"{editor.item_id}.svg",
                                      "SVG image (*.svg);;PNG image (*.png)")
        if not path:
            return
        if path.lower().endswith(".png"):
            editor.flowchart.export_png(path)
        else:
            editor.flowchart.export_svg(path)

    def set_theme(self, dark: bool | None, save: bool = True) -> None:
        if save:
            app_settings.settings().setValue("theme", {None: "system", True: "dark", False: "light"}[dark])
        stored = app_settings.settings().value("theme", "system")
        if not save and stored != "system":
            return
        theme.apply_theme(QApplication.instance(), dark)
        panels = getattr(self, "test_panels", None)
        if panels is not None:
            panels.restyle()
        for widget in self.documents.documents():
            if isinstance(widget, ProcedureEditor):
                widget.flowchart.show_procedure(widget.model.procedure)
                widget.view.viewport().update()

    # -- layout persistence ------------------------------------------------------------
    def _restore_layout(self) -> None:
        store = app_settings.settings()
        geometry, state = store.value("window/geometry"), store.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        else:
            self._default_layout = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if getattr(self, "_default_layout", False):   # first start: sensible dock sizes
            self._default_layout = False
            QTimer.singleShot(0, self._default_dock_sizes)

    def _default_dock_sizes(self) -> None:
        """Side docks in proportion to the window: at 1280 px the editor keeps ~60% of the
        width, at 1920 px the inspector and tree get room too."""
        width, height = self.width(), self.height()
        side = [max(180, min(280, width * 14 // 100)), max(400, min(500, width * 26 // 100))]
        self.resizeDocks([self.docks["project"], self.docks["inspector"]], side, Qt.Horizontal)
        self.resizeDocks([self.docks["problems"]], [max(140, height * 20 // 100)], Qt.Vertical)

    def save_layout(self) -> None:
        store = app_settings.settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.saveState())
        store.sync()

    def closeEvent(self, event) -> None:
        self.save_layout()            # while the editors (and their splitters) still exist
        if not self.controller.close():
            event.ignore()
            return
        event.accept()
