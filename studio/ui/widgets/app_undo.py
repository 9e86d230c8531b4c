"""Ctrl+Z / Ctrl+Shift+Z in a form field are the app's undo and redo, not the field's.

A text field's own undo would change its text and commit that as a new edit,
losing the redo history; the project's undo stack already holds each field
edit (merged while typing), so the shortcut is left to the window's actions.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

_KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)


class AppUndoInFields(QObject):
    """Watches the fields inside `root` (as they get focus) and lets undo/redo through."""

    def __init__(self, root: QWidget):
        super().__init__(root)
        self.root = root
        self._watched: set[int] = set()
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        try:
            inside = new is not None and self.root.isAncestorOf(new)
        except RuntimeError:             # the root was deleted
            return
        if inside and id(new) not in self._watched:
            self._watched.add(id(new))
            new.installEventFilter(self)
            new.destroyed.connect(lambda *_a, key=id(new): self._watched.discard(key))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and any(event.matches(k) for k in _KEYS):
            event.ignore()               # not the field's: the window's Undo/Redo action fires
            return True
        return False
