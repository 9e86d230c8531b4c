"""The Conversations dock on the main window, built from the project's open library the
first time it is looked at, and rebuilt when another project opens."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel

PLACEHOLDER = "Open a project to see its production conversations."


class ConversationsHost(QObject):
    def __init__(self, window: Any):
        super().__init__(window)
        self.window = window
        self.screen = None
        self.dock = window.add_dock("conversations", "Conversations", self._label(PLACEHOLDER),
                                    Qt.DockWidgetArea.BottomDockWidgetArea)
        library_dock = getattr(window, "docks", {}).get("library")
        if library_dock is not None:
            window.tabifyDockWidget(library_dock, self.dock)
        self.dock.visibilityChanged.connect(lambda v: v and QTimer.singleShot(0, self.ensure_built))
        window.controller.session_changed.connect(self._session_changed)
        self.action = QAction("&Conversations", window)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self.action.triggered.connect(self.show)
        menu = getattr(getattr(window, "panels_host", None), "menu", None)
        if menu is not None:
            menu.addAction(self.action)

    @staticmethod
    def _label(text: str) -> QLabel:
        label = QLabel(text)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label

    def show(self) -> None:
        self.dock.show()
        self.dock.raise_()
        self.ensure_built()

    def _session_changed(self, _session: Any) -> None:
        old, self.screen = self.screen, None
        if old is not None:
            old.dispose()
        self.dock.setWidget(self._label(PLACEHOLDER))
        if old is not None:
            old.deleteLater()
        if self.dock.isVisible():
            QTimer.singleShot(0, self.ensure_built)

    def ensure_built(self):
        if self.screen is not None:
            return self.screen
        session = getattr(self.window, "session", None)
        host = getattr(self.window, "panels_host", None)
        panels = host.ensure_built() if host is not None else None
        library = getattr(host, "library", None)
        if session is None or library is None:
            return None
        from .screen import ConversationsScreen
        self.screen = ConversationsScreen(session.project, library,
                                          save_simulation=getattr(panels, "save_simulation", None))
        self.dock.setWidget(self.screen)
        return self.screen
