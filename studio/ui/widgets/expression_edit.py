"""One-line (or short) fields for expressions and `{{ }}` templates.

Highlighting, completion of variable names and connector result fields, and
live problems: validated 300 ms after the last keystroke with the core
parsers, shown as a wavy underline with the message on hover.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QFontMetrics, QTextCursor
from PySide6.QtWidgets import QCompleter, QPlainTextEdit

from studio.core.expressions import SAFE_FUNCTIONS, ExpressionError, parse
from studio.core.templates import parse_template

from .checked_edit import CheckedEdit
from .highlight import CodeHighlighter

Problem = tuple[int, int, str, str]   # start, length, message, severity


def check_expression(text: str, known: set[str] | None, template: bool = False) -> Problem | None:
    """The first problem of an expression or template, located in `text`."""
    if not text.strip():
        return None if template else (0, 0, "the expression is empty", "error")
    try:
        if template:
            parts = parse_template(text)
            refs = [(p.expression, p.start) for p in parts]
        else:
            refs = [(parse(text), len(text) - len(text.lstrip()))]
    except ExpressionError as exc:
        if not exc.column:     # no position (the text ended too early): mark its end
            end = len(text.rstrip())
            return (max(0, end - 1), 1 if end else 0, exc.message, "error")
        col = max(0, exc.column - 1)
        if not template:
            col += len(text) - len(text.lstrip())
        return (min(col, max(0, len(text) - 1)), 1 if col < len(text) else 0, exc.message, "error")
    if known is None:
        return None
    for expr, offset in refs:
        for name in sorted(expr.names()):
            if name not in known and name != "customer":
                at = text.find(name, offset)
                return (max(at, 0), len(name),
                        f"'{name}' is not set by anything in this project", "warning")
    return None


class ExpressionEdit(CheckedEdit):
    """`mode`: "expression" (a condition) or "template" (text with `{{ }}`)."""

    problem_changed = Signal(object)

    def __init__(self, mode: str = "expression", lines: int = 1, parent=None):
        super().__init__(parent)
        self.mode = mode
        self.optional = False          # empty is fine (an optional `when`)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.WidgetWidth if lines > 1 else QPlainTextEdit.NoWrap)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff if lines == 1 else Qt.ScrollBarAsNeeded)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        fm = QFontMetrics(self.font())
        self.setFixedHeight(fm.lineSpacing() * lines + 14)
        self.highlighter = CodeHighlighter(self.document(),
                                           "template" if mode == "template" else "expression")
        self._names_fn: Callable[[], tuple[set[str], list[str]]] | None = None
        self.completer = QCompleter(self)
        self.completer.setWidget(self)
        self.completer.setCaseSensitivity(Qt.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchStartsWith)
        self.completer.setModel(QStringListModel(self))
        self.completer.activated.connect(self._complete)

    def set_names(self, fn: Callable[[], tuple[set[str], list[str]]]) -> None:
        """`fn()` -> (known root names, completion words such as `order.total`)."""
        self._names_fn = fn

    def text(self) -> str:
        return self.toPlainText()

    def _typed(self) -> None:
        self._maybe_complete()

    def validate(self) -> Problem | None:
        known = self._names_fn()[0] if self._names_fn else None
        text = self.toPlainText()
        self.problem = (None if self.optional and not text.strip()
                        else check_expression(text, known, self.mode == "template"))
        self.highlighter.set_problem(self.problem)
        self.setToolTip(self.problem[2] if self.problem else "")
        self.problem_changed.emit(self.problem)
        return self.problem

    def flush(self) -> None:
        """Validate now (tests, and before save)."""
        self._timer.stop()
        self.validate()

    # -- completion --------------------------------------------------------------------
    def _word_before_cursor(self) -> str:
        cursor = self.textCursor()
        text = self.toPlainText()[: cursor.position()]
        i = len(text)
        while i > 0 and (text[i - 1].isalnum() or text[i - 1] in "_."):
            i -= 1
        return text[i:]

    def _in_placeholder(self) -> bool:
        if self.mode != "template":
            return True
        before = self.toPlainText()[: self.textCursor().position()]
        return before.rfind("{{") > before.rfind("}}")

    def _maybe_complete(self) -> None:
        word = self._word_before_cursor()
        if not self._names_fn or len(word) < 1 or not self._in_placeholder():
            self.completer.popup().hide()
            return
        words = sorted(set(self._names_fn()[1]) | set(SAFE_FUNCTIONS))
        self.completer.model().setStringList(words)
        self.completer.setCompletionPrefix(word)
        if self.completer.completionCount() == 0 or (
                self.completer.completionCount() == 1 and self.completer.currentCompletion() == word):
            self.completer.popup().hide()
            return
        rect = self.cursorRect()
        rect.setWidth(240)
        self.completer.complete(rect)
        popup = self.completer.popup()     # Enter or Tab takes the first match at once
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))

    def _complete(self, word: str) -> None:
        prefix = self._word_before_cursor()
        cursor = self.textCursor()
        cursor.movePosition(QTextCursor.Left, QTextCursor.KeepAnchor, len(prefix))
        cursor.insertText(word)
        self.setTextCursor(cursor)

    def keyPressEvent(self, event):
        popup = self.completer.popup()
        if popup.isVisible() and event.key() in (Qt.Key_Return, Qt.Key_Enter, Qt.Key_Tab,
                                                  Qt.Key_Escape, Qt.Key_Up, Qt.Key_Down):
            event.ignore()
            return
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and (
                self.mode == "expression" or self.lineWrapMode() == QPlainTextEdit.NoWrap):
            event.ignore()
            return
        super().keyPressEvent(event)
