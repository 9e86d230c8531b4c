"""A small Python editor for code steps: monospace, highlighting, syntax problems underlined."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QPlainTextEdit

from studio.core.snippets import analyze_snippet

from .checked_edit import CheckedEdit
from .highlight import CodeHighlighter


class CodeEdit(CheckedEdit):
    keep_cursor = False

    def __init__(self, parent=None):
        super().__init__(parent)
        font = QFont("monospace")
        font.setStyleHint(QFont.Monospace)
        self.setFont(font)
        self.setTabStopDistance(QFontMetrics(font).horizontalAdvance(" ") * 4)
        self.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.setMinimumHeight(QFontMetrics(font).lineSpacing() * 6 + 12)
        self.highlighter = CodeHighlighter(self.document(), "python")

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
