"""Undo commands and their stack, without Qt (after glue's glue/core/command.py).

A `Command` does and undoes one edit; typing merges consecutive commands with
the same `merge_id` into one (Qt's rules: never into the saved state, and a
merge that brings the value back where it started drops the command). The
`CommandStack` keeps the history, the clean (saved) index and macros, and
tells listeners through psygnal. The app wraps commands for a `QUndoStack`
(studio/ui/undo_adapter.py) so menus and the undo view stay Qt's; the CLI and
tests use `CommandStack` itself.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from psygnal import Signal


class Command:
    """One undoable edit. Subclasses implement `redo` and `undo`; to merge, give
    `merge_id` (>= 0) and `merge_with`, and set `obsolete` when the merged
    command changes nothing any more."""

    merge_id = -1

    def __init__(self, text: str = ""):
        self.text = text
        self.obsolete = False

    def redo(self) -> None:
        raise NotImplementedError

    def undo(self) -> None:
        raise NotImplementedError

    def merge_with(self, other: "Command") -> bool:
        """Absorb `other` (pushed right after this one, already done); True when merged."""
        return False


class MacroCommand(Command):
    """Several commands that undo and redo as one (a multi-step move)."""

    def __init__(self, text: str = ""):
        super().__init__(text)
        self.children: list[Command] = []

    def redo(self) -> None:
        for child in self.children:
            child.redo()

    def undo(self) -> None:
        for child in reversed(self.children):
            child.undo()


class CommandStack:
    """The undo history: `push` does a command, `undo`/`redo` walk the history.

    Signals: ``index_changed(int)`` after every change of position and
    ``clean_changed(bool)`` when the stack enters or leaves its clean state."""

    index_changed = Signal(int)
    clean_changed = Signal(bool)

    def __init__(self) -> None:
        self._commands: list[Command] = []
        self._index = 0           # commands[:index] are done
        self._clean = 0           # -1: the saved state is no longer reachable
        self._macros: list[MacroCommand] = []

    # -- history -------------------------------------------------------------
    def push(self, command: Command) -> None:
        command.redo()
        if self._macros:
            self._macros[-1].children.append(command)
            return
        was_clean = self.is_clean()
        top = self._commands[self._index - 1] if self._index else None
        del self._commands[self._index:]
        if self._clean > self._index:
            self._clean = -1
        if (top is not None and command.merge_id >= 0 and top.merge_id == command.merge_id
                and self._index != self._clean and top.merge_with(command)):
            if top.obsolete:
                self._commands.pop()
                self._index -= 1
                if self._clean > self._index:
                    self._clean = -1
        else:
            self._commands.append(command)
            self._index += 1
        self._changed(was_clean)

    def undo(self) -> None:
        if self.can_undo():
            was_clean = self.is_clean()
            self._index -= 1
            self._commands[self._index].undo()
            self._changed(was_clean)

    def redo(self) -> None:
        if self.can_redo():
            was_clean = self.is_clean()
            self._commands[self._index].redo()
            self._index += 1
            self._changed(was_clean)

    def clear(self) -> None:
        was_clean = self.is_clean()
        self._commands, self._index, self._clean, self._macros = [], 0, 0, []
        self._changed(was_clean)

    def can_undo(self) -> bool:
        return self._index > 0 and not self._macros

    def can_redo(self) -> bool:
        return self._index < len(self._commands) and not self._macros

    def count(self) -> int:
        return len(self._commands)

    def index(self) -> int:
        return self._index

    def undo_text(self) -> str:
        return self._commands[self._index - 1].text if self.can_undo() else ""

    def redo_text(self) -> str:
        return self._commands[self._index].text if self.can_redo() else ""

    # -- clean state -----------------------------------------------------------
    def set_clean(self) -> None:
        was_clean = self.is_clean()
        self._clean = self._index
        self._changed(was_clean)

    def is_clean(self) -> bool:
        return self._clean == self._index

    # -- macros -------------------------------------------------------------------
    def begin_macro(self, text: str) -> None:
        self._macros.append(MacroCommand(text))

    def end_macro(self) -> None:
        macro = self._macros.pop()
        if not macro.children:
            return
        if self._macros:
            self._macros[-1].children.append(macro)
            return
        was_clean = self.is_clean()
        del self._commands[self._index:]
        if self._clean > self._index:
            self._clean = -1
        self._commands.append(macro)
        self._index += 1
        self._changed(was_clean)

    @contextmanager
    def macro(self, text: str) -> Iterator[None]:
        self.begin_macro(text)
        try:
            yield
        finally:
            self.end_macro()

    def _changed(self, was_clean: bool) -> None:
        self.index_changed.emit(self._index)
        if was_clean != self.is_clean():
            self.clean_changed.emit(self.is_clean())
