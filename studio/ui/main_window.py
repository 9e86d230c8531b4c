"""The main window: wiring only. It builds the widgets and controllers and connects
them; what the window does lives in the controllers of `ui/window/` (documents, file
commands, start page, layout, theme), the project in `ProjectController`, the test
half in `panels/`.

Extension points (issue 7): `documents.register_kind(kind, factory)`,
`add_dock(name, title, widget, area)`, `controller.session_changed`,
`procedure_editor(id)` for `set_marks` / `set_coverage` / `select_step`.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QUndoGroup
from PySide6.QtWidgets import QDockWidget, QMainWindow

from .actions import build_actions, build_menus
from .documents import TEXT_VIEW, DocumentArea
from .editor.procedure_editor import ProcedureEditor
from .editor.text_item_editor import TextItemEditor
from .inspector.inspector import Inspector
from .panels.problems_panel import ProblemsPanel
from .panels.project_tree import ProjectTree
from .project_controller import ProjectController
from .prompts import Prompts
from .resources import icon
from .window.appearance import set_theme
from .window.document_opener import DocumentOpener
from .window.editor_commands import EditorCommands
from .window.file_commands import FileCommands
from .window.start_page_host import StartPageHost
from .widgets.dock import Dock
from .window.window_layout import WindowLayout


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
        self._register_documents()
        self.docks: dict[str, QDockWidget] = {}
        self.project_tree = ProjectTree(self.prompts)
        self.inspector = Inspector()
        self.inspector.prompts = self.prompts
        self.problems_panel = ProblemsPanel()
        self.add_dock("project", "Project", self.project_tree, Qt.LeftDockWidgetArea)
        self.add_dock("inspector", "Inspector", self.inspector, Qt.RightDockWidgetArea)
        self.add_dock("problems", "Problems", self.problems_panel, Qt.BottomDockWidgetArea)

        self.layout_ = WindowLayout(self)
        self.opener = DocumentOpener(self, self.layout_)
        self.editing = EditorCommands(self, self.opener)
        self.files = FileCommands(self)
        self._entry_points()
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
        self.start_pages = StartPageHost(self)
        self.menuBar().addAction(self.help_menu.menuAction())   # Help stays the last menu
        self.resize(1480, 920)
        self.layout_.restore()
        self.update_title()

    def _register_documents(self) -> None:
        self.documents.register_kind("procedure", ProcedureEditor)
        for kind in ("knowledge", "simulation", "settings"):
            self.documents.register_kind(kind, lambda s, i, k=kind: TextItemEditor(s, k, i))
        self.documents.register_kind("connector", _connector_form)      # a form; YAML one click away
        for kind in ("procedure", "connector"):
            self.documents.register_kind(kind + TEXT_VIEW, lambda s, i, k=kind: TextItemEditor(s, k, i))

    def _entry_points(self) -> None:
        """The window's commands by the names actions, panels and tests call them."""
        opener, editing, files = self.opener, self.editing, self.files
        self.open_item, self.show_text = opener.open_item, opener.show_text
        self.show_current_text, self.jump_to_problem = opener.show_current_text, opener.jump_to_problem
        self.procedure_editor, self.current_editor = opener.procedure_editor, opener.current_editor
        self.editor_call, self.flowchart_call = editing.editor_call, editing.flowchart_call
        self.show_insert_menu = editing.show_insert_menu
        self.open_project, self.open_project_dialog = files.open_project, files.open_project_dialog
        self.new_project, self.new_procedure = files.new_project, files.new_procedure
        self.fill_recent_menu, self.save_current = files.fill_recent_menu, files.save_current
        self.save_all, self.close_project = files.save_all, files.close_project
        self.controller_validate, self.export_flowchart = files.validate, files.export_flowchart
        self.show_project_settings = files.show_project_settings
        self.set_theme = lambda dark, save=True: set_theme(self, dark, save)

    # -- wiring ----------------------------------------------------------------------
    def add_dock(self, name: str, title: str, widget, area=Qt.RightDockWidgetArea) -> QDockWidget:
        dock = Dock(title, self)
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
        c.problems_changed.connect(self.opener.problems_changed)
        c.dirty_changed.connect(lambda _d: self.update_title())
        c.recovered.connect(self.opener.open_recovered_drafts)
        self.project_tree.open_requested.connect(self.opener.tree_open)
        self.project_tree.text_requested.connect(self.show_text)
        self.problems_panel.jump_requested.connect(self.jump_to_problem)
        self.documents.current_document_changed.connect(self.opener.document_changed)
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(lambda _s: self.set_theme(None, save=False))

    @property
    def session(self):
        return self.controller.session

    @property
    def start_page(self):
        return self.start_pages.page

    @property
    def settings_dialog(self):
        return self.files.settings_dialog

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
            self.opener.open_first_procedure(session)
        self.update_title()

    def update_title(self) -> None:
        session = self.session
        mark = "*" if session is not None and session.is_dirty else ""
        name = f"{mark}{session.project.name} — " if session is not None else ""
        self.setWindowTitle(f"{name}Procedure Studio")

    # -- Qt events -----------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.layout_.shown()          # first start: sensible dock sizes

    def save_layout(self) -> None:
        self.layout_.save()

    def closeEvent(self, event) -> None:
        self.layout_.save()           # while the editors (and their splitters) still exist
        if not self.controller.close():
            event.ignore()
            return
        event.accept()
