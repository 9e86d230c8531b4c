"""A small Python editor for code steps: monospace, highlighting, syntax problems underlined."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QPlainTextEdit, QToolTip

from studio.core.snippets import analyze_snippet

from .highlight import CodeHighlighter


class CodeEdit(QPlainTextEdit):
    edited = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        font = QFont("monospace")
        font.setStyleHint(QFont.Monospace)
        self.setFont(font)
        self.setTabStopDistance(QFontMetrics(font).horizontalAdvance(" ") * 4)
        self.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.setMinimumHeight(QFontMetrics(font).lineSpacing() * 6 + 12)
        self.highlighter = CodeHighlighter(self.document(), "python")
        self.problem = None
        self._loading = False
        self._timer = QTimer(self, singleShot=True, interval=300)
        self._timer.timeout.connect(self.validate)
        self.textChanged.connect(self._on_text)

    def set_text(self, text: str) -> None:
        if text == self.toPlainText():
            return
        self._loading = True
        try:
            self.setPlainText(text)
        finally:
            self._loading = False
        self.validate()

    def _on_text(self) -> None:
        self._timer.start()
        if not self._loading:
            self.edited.emit(self.toPlainText())

    def validate(self):
        info = analyze_snippet(self.toPlainText())
        if info.error:
            block = self.document().findBlockByNumber(max(0, (info.line or 1) - 1))
            start = block.position() + max(0, (info.column or 1) - 1)
            self.problem = (start, 1, info.error, "error")
        else:
            self.problem = None
        self.highlighter.set_problem(self.problem)
        return self.problem

    def keyPressEvent(self, event):
        if event.key() == Qt.Key_Tab and not event.modifiers():
            self.insertPlainText("    ")
            return
        super().keyPressEvent(event)

    def event(self, event):
        if event.type() == QEvent.ToolTip and self.problem:
            QToolTip.showText(event.globalPos(), self.problem[2], self)
            return True
        return super().event(event)
