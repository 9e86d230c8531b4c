"""The window's layout across restarts: geometry and dock state, sensible dock sizes on a
first start, and the flowchart's share of a procedure editor once the user has chosen one."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer

from .. import app_settings


class WindowLayout:
    def __init__(self, window: Any):
        self.window = window
        self.first_start = False

    def restore(self) -> None:
        store = app_settings.settings()
        geometry, state = store.value("window/geometry"), store.value("window/state")
        if isinstance(geometry, QByteArray):
            self.window.restoreGeometry(geometry)
        else:
            self.fit_screen()
        if isinstance(state, QByteArray):
            self.window.restoreState(state)
        else:
            self.first_start = True

    def fit_screen(self) -> None:
        """A first start on a small screen (a 1366x768 laptop) opens within it: the default
        size is a preference, not a reason to put the status bar and bottom docks off-screen."""
        screen = self.window.screen()
        if screen is None:
            return
        room = screen.availableGeometry()
        if self.window.width() <= room.width() and self.window.height() <= room.height():
            return
        self.window.resize(min(self.window.width(), room.width()),
                           min(self.window.height(), room.height()))
        self.window.move(room.topLeft())

    def shown(self) -> None:
        """The window is shown: on a first start, dock sizes in proportion to it."""
        if self.first_start:
            self.first_start = False
            QTimer.singleShot(0, self.default_dock_sizes)

    def default_dock_sizes(self) -> None:
        """Side docks in proportion to the window: at 1280 px the editor keeps ~60% of the
        width, at 1920 px the inspector and tree get room too."""
        window = self.window
        width, height = window.width(), window.height()
        side = [max(180, min(280, width * 14 // 100)), max(400, min(500, width * 26 // 100))]
        window.resizeDocks([window.docks["project"], window.docks["inspector"]], side, Qt.Horizontal)
        window.resizeDocks([window.docks["problems"]], [max(140, height * 20 // 100)], Qt.Vertical)

    def save(self) -> None:
        store = app_settings.settings()
        store.setValue("window/geometry", self.window.saveGeometry())
        store.setValue("window/state", self.window.saveState())
        store.sync()

    # -- the procedure editor's splitter ----------------------------------------------------
    def restore_split(self, editor: Any) -> None:
        """The flowchart's share of the editor, once the user has chosen one (an older
        "editor/splitter" value is ignored: it was saved whether or not anyone chose it)."""
        try:
            share = float(app_settings.settings().value("editor/flowchart_share", 0) or 0)
        except (TypeError, ValueError):
            share = 0
        if share > 0:
            editor.splitter.set_share(share)
        editor.splitter.share_chosen.connect(self.save_split)

    @staticmethod
    def save_split(share: float) -> None:
        store = app_settings.settings()
        store.setValue("editor/flowchart_share", round(share, 4))
        store.sync()
