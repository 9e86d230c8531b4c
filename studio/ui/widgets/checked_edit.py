"""The base of the code and expression fields: text checked after a typing pause.

Typing emits `edited` at once (the undo command merges it); the check runs
300 ms after the last keystroke, and the problem it finds is underlined by
the field's highlighter with its message on hover.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QPlainTextEdit, QToolTip


class CheckedEdit(QPlainTextEdit):
    edited = Signal(str)          # every keystroke by the user, never `set_text`
    keep_cursor = True            # `set_text` leaves the cursor where it was

    def __init__(self, parent=None):
        super().__init__(parent)
        self.problem = None       # (start, length, message, severity) or None
        self._loading = False
        self._timer = QTimer(self, singleShot=True, interval=300)
        self._timer.timeout.connect(self.validate)
        self.textChanged.connect(self._on_text)

    def validate(self):
        """Find the problem of the text, underline it, return it."""
        raise NotImplementedError

    def set_text(self, text: str) -> None:
        """Set without emitting `edited` (model → view), then check at once."""
        if text == self.toPlainText():
            return
        self._loading = True
        try:
            position = self.textCursor().position()
            self.setPlainText(text)
            if self.keep_cursor:
                cursor = self.textCursor()
                cursor.setPosition(min(position, len(text)))
                self.setTextCursor(cursor)
        finally:
            self._loading = False
        self.validate()

    def _on_text(self) -> None:
        self._timer.start()
        if not self._loading:
            self.edited.emit(self.toPlainText())
            self._typed()

    def _typed(self) -> None:
        """After each keystroke by the user (completion, for instance)."""

    def event(self, event):
        if event.type() == QEvent.ToolTip and self.problem:
            QToolTip.showText(event.globalPos(), self.problem[2], self)
            return True
        return super().event(event)
