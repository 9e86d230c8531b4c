"""The Review screen in the main window: a "Review" dock rebuilt per project and a Review
menu (show, Approve…, Export…, Verify bundle…). It borrows the library the test panels
opened (one writer per library), through the window's `panels_host`."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel

PLACEHOLDER = "Open a project to review, approve and export its procedures."


class ReviewHost(QObject):
    def __init__(self, window: Any):
        super().__init__(window)
        self.window = window
        self.screen: Any = None
        label = QLabel(PLACEHOLDER)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dock = window.add_dock("review", "Review", label, Qt.DockWidgetArea.BottomDockWidgetArea)
        library_dock = getattr(window, "docks", {}).get("library")
        if library_dock is not None:
            window.tabifyDockWidget(library_dock, self.dock)
        problems = getattr(window, "docks", {}).get("problems")
        if problems is not None:      # tabifying raised Review: it would build every panel (and
            problems.raise_()         # load pyqtgraph) before the first paint
        self.dock.visibilityChanged.connect(lambda visible: visible and self.ensure_built())
        self._menu(window)
        window.controller.session_changed.connect(self.set_session)

    def _menu(self, window: Any) -> None:
        menu = window.menuBar().addMenu("Re&view")
        self.actions: dict[str, QAction] = {}
        for name, text, shortcut, slot in (
                ("show", "Show &review", "Ctrl+Shift+V", self.show),
                ("approve", "&Approve procedure…", None, self.approve),
                ("export", "&Export bundle…", "Ctrl+Shift+E", self.export),
                ("verify", "&Verify bundle…", None, self.verify)):
            action = QAction(text, window)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _c=False, f=slot: f())
            menu.addAction(action)
            self.actions[name] = action
        self.menu = menu

    def library(self) -> Any:
        host = getattr(self.window, "panels_host", None)
        if host is None:
            return None
        host.ensure_built()
        return host.library

    def set_session(self, session: Any) -> None:
        old, self.screen = self.screen, None
        label = QLabel(PLACEHOLDER if session is None else "Loading…")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dock.setWidget(label)
        if old is not None:
            old.shutdown()
            old.deleteLater()
        if session is not None:
            session.saved.connect(lambda: self.screen is not None and self.screen.refresh())
            if self.dock.isVisible() and not self.dock.visibleRegion().isEmpty():
                self.ensure_built()

    def ensure_built(self) -> Any:
        session = getattr(self.window, "session", None)
        if self.screen is None and session is not None:
            from .review_screen import ReviewScreen
            self.screen = ReviewScreen(session.project, self.library)
            self.screen.approve_requested.connect(self.approve)
            self.screen.export_requested.connect(self.export)
            self.screen.verify_requested.connect(self.verify)
            self.dock.setWidget(self.screen)
            self.screen.refresh()
        return self.screen

    def show(self) -> None:
        self.dock.show()
        self.dock.raise_()
        self.ensure_built()
        wanted = self.window.height() * 55 // 100       # two flowcharts side by side need room
        if not self.dock.isFloating() and self.dock.height() < wanted:
            self.window.resizeDocks([self.dock], [wanted], Qt.Orientation.Vertical)

    def approve(self, procedure_id: str | None = None) -> None:
        screen = self.ensure_built()
        if screen is None or self.library() is None:
            return
        procedure_id = procedure_id or screen.procedure_id
        if procedure_id is None:
            return
        if not self._saved_first():
            return
        from .approve_dialog import ApproveDialog
        self.approve_dialog = ApproveDialog(screen.project, self.library(), procedure_id,
                                            parent=self.window)
        self.approve_dialog.accepted.connect(screen.refresh)
        self.approve_dialog.open()

    def _saved_first(self) -> bool:
        """What is approved is what the files hold: unsaved edits are saved first (asked)."""
        session = getattr(self.window, "session", None)
        dirty = [k for k in (session.dirty_keys() if session is not None else [])
                 if k[0] in ("procedure", "connector", "knowledge")]
        if not dirty:
            return True
        prompts = getattr(self.window, "prompts", None)
        if prompts is None or not prompts.confirm(
                "Save before approving",
                f"{len(dirty)} changed file(s) are not saved. An approval is for what the files "
                "hold, so save them now?"):
            return False
        session.save()
        return True

    def export(self) -> None:
        screen = self.ensure_built()
        if screen is None or self.library() is None:
            return
        from .export_dialog import ExportDialog
        prompts = getattr(self.window, "prompts", None)
        ask = (lambda _parent, default: prompts.save_file(
            "Export bundle", default, "Studio bundles (*.studio-bundle.zip)")) if prompts else None
        self.export_dialog = ExportDialog(screen.project, self.library(), parent=self.window,
                                          ask_path=ask)
        self.export_dialog.open()

    def verify(self) -> None:
        filters = "Studio bundles (*.studio-bundle.zip);;Zip files (*.zip)"
        prompts = getattr(self.window, "prompts", None)
        path = (prompts.open_file("Verify bundle", filters) if prompts else
                QFileDialog.getOpenFileName(self.window, "Verify bundle", "", filters)[0])
        if path:
            from .verify_dialog import VerifyDialog
            self.verify_dialog = VerifyDialog(path, parent=self.window)
            self.verify_dialog.open()


def install_review(window: Any) -> ReviewHost:
    """Add the Review dock and menu to the main window (`window.review_host`)."""
    host = ReviewHost(window)
    window.review_host = host
    return host
