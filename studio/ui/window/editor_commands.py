"""Edit and View menu commands that act on the current procedure editor (or, for
Delete and Duplicate, on the project tree when it has the focus)."""
from __future__ import annotations

from typing import Any

from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication

FOCUS_BOUND = ("delete_selected", "copy_selected", "cut_selected", "paste")
TREE_COMMANDS = {"delete_selected": "delete", "duplicate_selected": "duplicate"}


class EditorCommands:
    def __init__(self, window: Any, opener: Any):
        self.window, self.opener = window, opener

    def editor_call(self, name: str, *args) -> None:
        editor = self.opener.current_editor()
        focus = QApplication.focusWidget()
        tree = self.window.project_tree
        tree_command = TREE_COMMANDS.get(name)
        if tree_command and focus is not None and tree.isAncestorOf(focus):
            tree.run_key(tree_command)      # Edit → Delete with the tree focused
            return
        if editor is None or (focus is not None and not editor.isAncestorOf(focus)
                              and name in FOCUS_BOUND):
            return
        getattr(editor, name)(*args)

    def flowchart_call(self, name: str, *args) -> None:
        editor = self.opener.current_editor()
        if editor is not None:
            getattr(editor.flowchart, name)(*args)

    def show_insert_menu(self) -> None:
        editor = self.opener.current_editor()
        if editor is not None:
            editor.insert_menu().exec(QCursor.pos())
