"""A dock whose content cannot decide how tall the dock area is: the window gives the
bottom panels a share of its height, and a panel that asks for more (the Conversations
charts asked for 312 px) would take the procedure's cards down to a strip at 1280x800."""
from __future__ import annotations

from PySide6.QtWidgets import QDockWidget, QWidget

# below this a panel scrolls or clips; the user can still drag the dock taller
CONTENT_MIN_HEIGHT = 110


class Dock(QDockWidget):
    def setWidget(self, widget: QWidget | None) -> None:
        if widget is not None and widget.minimumHeight() == 0:     # no size hint: not built yet
            widget.setMinimumHeight(CONTENT_MIN_HEIGHT)
        super().setWidget(widget)
