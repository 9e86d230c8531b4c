"""Qt's undo framework around the Qt-free commands of studio.document.

The session pushes `studio.document.command.Command`s; in the app its stack is
a `QtCommandStack`, a `QUndoStack` that wraps each command in a
`QUndoCommand`, so the Edit menu, the undo group and shortcuts stay Qt's.
It answers the same calls as `CommandStack` (push, undo, redo, clear, macro,
clean state), so the session does not know which one it has.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import shiboken6
from PySide6.QtGui import QUndoCommand, QUndoStack

from studio.document.command import Command


class _Wrapped(QUndoCommand):
    def __init__(self, command: Command):
        super().__init__(command.text)
        self.command = command

    def redo(self) -> None:
        self.command.redo()

    def undo(self) -> None:
        self.command.undo()

    def id(self) -> int:
        return self.command.merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _Wrapped) or not self.command.merge_with(other.command):
            return False
        self.setText(self.command.text)
        if self.command.obsolete:
            self.setObsolete(True)
        return True


class QtCommandStack(QUndoStack):
    """A QUndoStack that takes `Command`s (and keeps Qt's own API too).

    When Qt merges a pushed command into the previous one (typing) and deletes it,
    PySide (6.11) keeps its Python wrapper alive as long as the stack, clear() or not:
    the wrapper lets go of our `Command` then, so each keystroke leaks an empty shell
    instead of a command with its old and new values (tests/test_ui_undo_memory.py)."""

    def push(self, command) -> None:
        wrapped = command if isinstance(command, QUndoCommand) else _Wrapped(command)
        super().push(wrapped)
        if isinstance(wrapped, _Wrapped) and not shiboken6.isValid(wrapped):
            del wrapped.command                 # merged and deleted by Qt: let ours go

    def can_undo(self) -> bool:
        return self.canUndo()

    def can_redo(self) -> bool:
        return self.canRedo()

    def undo_text(self) -> str:
        return self.undoText()

    def redo_text(self) -> str:
        return self.redoText()

    def set_clean(self) -> None:
        self.setClean()

    def is_clean(self) -> bool:
        return self.isClean()

    def begin_macro(self, text: str) -> None:
        self.beginMacro(text)

    def end_macro(self) -> None:
        self.endMacro()

    @contextmanager
    def macro(self, text: str) -> Iterator[None]:
        self.beginMacro(text)
        try:
            yield
        finally:
            self.endMacro()
