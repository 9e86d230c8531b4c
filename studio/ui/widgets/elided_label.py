"""A one-line label that elides long text with "…" and shows all of it as a tooltip."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget


class ElidedLabel(QWidget):
    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._text = ""
        self._tip = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        self._text = text or ""
        self._update_tip()
        self.updateGeometry()
        self.update()

    def setToolTip(self, tip: str) -> None:   # an extra line under the full text
        self._tip = tip or ""
        self._update_tip()

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self._text) > self.width()

    def _update_tip(self) -> None:
        super().setToolTip("\n".join(t for t in (self._text, self._tip) if t))

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(min(fm.horizontalAdvance(self._text), 600) + 4, fm.height() + 4)

    def minimumSizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance("M" * 6), fm.height() + 4)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().windowText().color())
        text = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight, self.width())
        painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
