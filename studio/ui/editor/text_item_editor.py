"""The file of a procedure, connector, simulation, knowledge article or studio.yaml as text.

What the designer types is what lands on disk (comments, key order, quoting):
each pause in typing checks the text into the model and pushes one merging
undo command carrying the text (a save starts a new undo step). Text that
does not parse or validate changes nothing: its problems show with line and
column, it stays in the editor as the session's draft (autosaved for
recovery) and saving skips the file until it is fixed.
A richer editor for a kind replaces this one through `DocumentArea.register_kind`.
"""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from studio.core.problems import Severity

from studio.document.item_text import describe, parse_item_text
from studio.document.project_commands import replace_item_text
from studio.document.session import ProjectSession


class TextItemEditor(QWidget):
    def __init__(self, session: ProjectSession, kind: str, item_id: str, parent=None):
        super().__init__(parent)
        self.session, self.kind, self.item_id = session, kind, item_id
        self.item_kind = kind      # `kind` may become the document's ("procedure:text")
        self.key = (kind, item_id)
        self._loading = False
        self._edit_round = 0        # bumped by each save: the next edit is a new undo step
        self.problems: list = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        self.heading = QLabel(f"{kind.capitalize()} · {item_id}" if item_id else "Project settings · "
                              + session.rel_path(self.key))
        self.heading.setObjectName("InspectorTitle")
        layout.addWidget(self.heading)
        self.text = QPlainTextEdit()
        font = QFont("monospace")
        font.setStyleHint(QFont.Monospace)
        self.text.setFont(font)
        layout.addWidget(self.text, 1)
        self.status = QLabel()
        self.status.setObjectName("Muted")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self._timer = QTimer(self, singleShot=True, interval=400)
        self._timer.timeout.connect(self._apply)
        self.text.textChanged.connect(lambda: None if self._loading else self._timer.start())
        self.refresh()
        session.item_changed.connect(self._on_item)
        session.flush_requested.connect(self.flush)
        session.saved.connect(self._on_saved)

    def title(self) -> str:
        if self.item_kind in ("procedure", "connector"):    # the form or flowchart has the plain id
            return f"{self.item_id} (YAML)"
        return self.item_id or self.session.rel_path(self.key)

    def dispose(self) -> None:
        self.flush()
        self.session.item_changed.disconnect(self._on_item)
        self.session.flush_requested.disconnect(self.flush)
        self.session.saved.disconnect(self._on_saved)

    def flush(self) -> None:
        """Apply text still waiting for the typing pause (before a save or a close)."""
        if self._timer.isActive():
            self._timer.stop()
            self._apply()

    def _on_saved(self) -> None:
        self._edit_round += 1

    def _on_item(self, kind: str, item_id: str) -> None:
        if (kind, item_id) == self.key:
            self.refresh()

    def refresh(self) -> None:
        """Show the file's text as it would be saved; a draft (text with problems) is
        the designer's and stays until they fix it or the file is reloaded."""
        item = self.session.get(self.item_kind, self.item_id)
        if item is None:
            self.status.setText("This item no longer exists.")
            self.setEnabled(False)
            return
        self.setEnabled(True)
        draft = self.session.draft(self.key)
        text = draft if draft is not None else self.session.current_text(self.key)
        if text != self.text.toPlainText():
            self._loading = True
            try:
                self.text.setPlainText(text)
            finally:
                self._loading = False
        if draft is None:
            self._show([])

    def _apply(self) -> None:
        if self.session.get(self.item_kind, self.item_id) is None:
            return
        text = self.text.toPlainText()
        new, problems = parse_item_text(self.item_kind, self.item_id, text,
                                        self.session.rel_path(self.key))
        self._show(problems)
        if new is None:
            self.session.set_draft(self.key, text)
            return
        self.session.set_draft(self.key, None)
        if text != self.session.current_text(self.key):
            self.session.push(replace_item_text(
                self.session, self.item_kind, self.item_id, new, text,
                merge_key=f"text:{self.item_kind}:{self.item_id}:{self._edit_round}"))

    def _show(self, problems: list) -> None:
        """Problems under the editor (line, column, message) and wavy lines at their place."""
        self.problems = problems
        errors = [p for p in problems if p.severity == Severity.error]
        self.status.setText(("Not saved until fixed:\n" if errors else "") + describe(problems))
        marks = []
        for problem in problems:
            if not problem.line:
                continue
            block = self.text.document().findBlockByLineNumber(problem.line - 1)
            if not block.isValid():
                continue
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(block)
            cursor.movePosition(QTextCursor.EndOfBlock, QTextCursor.KeepAnchor)
            selection.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.WaveUnderline)
            fmt.setUnderlineColor(QColor("#d64545" if problem.severity == Severity.error else "#d69a2d"))
            fmt.setToolTip(problem.message)
            selection.format = fmt
            marks.append(selection)
        self.text.setExtraSelections(marks)
