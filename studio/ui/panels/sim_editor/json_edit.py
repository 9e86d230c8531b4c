"""A small JSON editor with live parse errors and an optional shape check
against a connector's sample (keys the sample lacks, types that differ)."""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from studio.core.problems import Problem

from .form_problems import problem

_TYPE_NAMES = {bool: "boolean", int: "number", float: "number", str: "string",
               list: "list", dict: "object", type(None): "null"}


def shape_problems(value: Any, sample: Any, path: str = "") -> list[str]:
    """Where `value` does not look like `sample`; a list value is checked item by item
    (a fixture list is consumed one call at a time)."""
    if sample is None:
        return []
    if isinstance(value, list) and not isinstance(sample, list):
        out: list[str] = []
        for i, item in enumerate(value):
            out += shape_problems(item, sample, f"{path}[{i}]")
        return out
    if isinstance(value, dict) and isinstance(value.get("error"), str) and len(value) <= 2:
        return []   # an injected failure, e.g. {error: "timeout"}
    want, got = _TYPE_NAMES.get(type(sample), "value"), _TYPE_NAMES.get(type(value), "value")
    if value is None:
        return []
    if want != got:
        return [f"{path or 'value'}: {got}, the sample has a {want}"]
    if isinstance(value, dict):
        out = []
        for key, sub in value.items():
            where = f"{path}.{key}" if path else key
            if key not in sample:
                out.append(f"{where}: not in the connector's sample")
            else:
                out += shape_problems(sub, sample[key], where)
        return out
    return []


class JsonEdit(QWidget):
    changed = Signal()

    def __init__(self, value: Any = None, sample: Any = None, placeholder: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.sample = sample
        self.edit = QPlainTextEdit()
        self.edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.edit.setPlaceholderText(placeholder)
        self.edit.setTabChangesFocus(True)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("font-size:11px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.message)
        self.set_value(value)
        self.edit.textChanged.connect(self._on_text)

    def set_value(self, value: Any) -> None:
        text = "" if value is None else json.dumps(value, indent=2, ensure_ascii=False)
        self.edit.blockSignals(True)
        self.edit.setPlainText(text)
        self.edit.blockSignals(False)
        self._check()

    def text(self) -> str:
        return self.edit.toPlainText()

    def value(self) -> Any:
        """The parsed JSON (None when empty); raises ValueError when it does not parse."""
        text = self.text().strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from None

    def problems(self) -> list[Problem]:
        try:
            value = self.value()
        except ValueError as exc:
            return [problem("json-invalid", f"not valid JSON: {exc}", blocking=True)]
        shapes = shape_problems(value, self.sample) if value is not None else []
        return [problem("json-shape", text) for text in shapes]

    def is_valid(self) -> bool:
        try:
            self.value()
            return True
        except ValueError:
            return False

    def _on_text(self) -> None:
        self._check()
        self.changed.emit()

    def _check(self) -> None:
        problems = self.problems()
        if not problems:
            self.message.setText("")
            self.message.setVisible(False)
            return
        error = not self.is_valid()
        colour = "#b3261e" if error else "#8a5a00"
        self.message.setStyleSheet(f"font-size:11px; color:{colour};")
        self.message.setText(("✘ " if error else "⚠ ") + "; ".join(p.message for p in problems[:4]))
        self.message.setVisible(True)
