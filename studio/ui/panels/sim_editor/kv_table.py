"""A name/value table for the simulation forms (expected variables, connector call
inputs, an attachment's extracted fields). Names are picked from suggestions fed by
the procedure or typed; values are JSON scalars (42.5, true, null, "42") or plain
text, so designers never write a JSON object by hand."""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QPushButton,
                               QStyledItemDelegate, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from ...theme import qcolor
from .form_problems import Problem, problem


def parse_value(text: str) -> Any:
    """What a typed value means: JSON when it parses (numbers, true, null, "quoted"), else the text."""
    try:
        return json.loads(text)
    except (json.JSONDecodeError, ValueError):
        return text


def value_text(value: Any) -> str:
    """The cell text that parses back to `value` (a string that looks like JSON gets quotes)."""
    if isinstance(value, str) and value and parse_value(value) == value and value == value.strip():
        return value
    return json.dumps(value, ensure_ascii=False)


class NameDelegate(QStyledItemDelegate):
    """The name column edits in an editable combo box offering the suggested names."""

    def __init__(self, table: "KeyValueTable"):
        super().__init__(table)
        self.owner = table

    def createEditor(self, parent, option, index):
        combo = QComboBox(parent)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.addItems(self.owner.suggestions)
        return combo

    def setEditorData(self, editor, index):
        editor.setCurrentText(index.data() or "")

    def setModelData(self, editor, model, index):
        model.setData(index, editor.currentText().strip())


class KeyValueTable(QWidget):
    changed = Signal()

    def __init__(self, name_title: str = "Name", value_title: str = "Value",
                 value_hint: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.suggestions: list[str] = []
        self.value_hint = value_hint
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([name_title, value_title])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 170)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.setItemDelegateForColumn(0, NameDelegate(self))
        self.add_button = QPushButton("Add")
        self.remove_button = QPushButton("Remove")
        for button in (self.add_button, self.remove_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.table.itemChanged.connect(self._item_changed)
        self.add_button.clicked.connect(self._add_clicked)
        self.remove_button.clicked.connect(self.remove_selected)
        self._fit()

    # -- content ----------------------------------------------------------------------
    def set_suggestions(self, names: list[str]) -> None:
        self.suggestions = list(dict.fromkeys(names))

    def load(self, values: dict[str, Any], preset: list[str] = ()) -> None:
        """Rows for `values`, then empty rows for `preset` names not in it."""
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for name, value in values.items():
            self._append(name, value_text(value))
        for name in preset:
            if name not in values:
                self._append(name, "")
        self.table.blockSignals(False)
        self._fit()

    def add_row(self, name: str = "", value: Any = None, text: str | None = None) -> int:
        """Append a row (value as JSON-ish text); returns its index."""
        self.table.blockSignals(True)
        row = self._append(name, text if text is not None else ("" if value is None else value_text(value)))
        self.table.blockSignals(False)
        self._fit()
        self.changed.emit()
        return row

    def preset(self, names: list[str]) -> None:
        """Names a form offers (a connector's declared inputs): empty rows for missing ones,
        and rows still empty whose name is no longer offered go."""
        self.table.blockSignals(True)
        for row in reversed(range(self.table.rowCount())):
            name, text = self.row(row)
            if not text and name not in names:
                self.table.removeRow(row)
        present = {self.row(r)[0] for r in range(self.table.rowCount())}
        for name in names:
            if name not in present:
                self._append(name, "")
        self.table.blockSignals(False)
        self._fit()

    def row(self, row: int) -> tuple[str, str]:
        name, value = self.table.item(row, 0), self.table.item(row, 1)
        return (name.text().strip() if name else "", value.text() if value else "")

    def rows(self) -> list[tuple[str, str]]:
        return [self.row(r) for r in range(self.table.rowCount())]

    def set_cell(self, row: int, column: int, text: str) -> None:
        self.table.item(row, column).setText(text)

    def values(self) -> dict[str, Any]:
        """Named rows with a value; an empty value means "not checked" and is left out."""
        return {name: parse_value(text) for name, text in self.rows() if name and text != ""}

    def problems(self) -> list[Problem]:
        out, seen = [], set()
        for index, (name, text) in enumerate(self.rows(), 1):
            if not name and text:
                out.append(problem("row-without-name", f"row {index} has a value but no name", True))
            elif name in seen:
                out.append(problem("name-twice", f"'{name}' is listed twice", True))
            seen.add(name)
        return out

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()} or
                      ({self.table.currentRow()} if self.table.currentRow() >= 0 else set()), reverse=True)
        for row in rows:
            self.table.removeRow(row)
        if rows:
            self._fit()
            self.changed.emit()

    # -- internals ---------------------------------------------------------------------
    def _append(self, name: str, text: str) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(name))
        value = QTableWidgetItem(text)
        self.table.setItem(row, 1, value)
        self._style(row)
        return row

    def _style(self, row: int) -> None:
        """An empty value reads as a hint in grey, a text value (not JSON) says so on hover."""
        item = self.table.item(row, 1)
        if item is None:
            return
        text = item.text()
        if text == "":
            item.setToolTip(self.value_hint or "Empty: left out")
        elif isinstance(parse_value(text), str) and not text.startswith('"'):
            item.setToolTip(f"Text: {text!r}")
        else:
            item.setToolTip(f"JSON value: {text}")
        name = self.table.item(row, 0)
        if name is not None:
            name.setForeground(qcolor("#7a8590") if text == "" else self.palette().text())

    def _item_changed(self, item: QTableWidgetItem) -> None:
        self.table.blockSignals(True)
        self._style(item.row())
        self.table.blockSignals(False)
        self.changed.emit()

    def _add_clicked(self) -> None:
        row = self.add_row()
        self.table.setCurrentCell(row, 0)
        self.table.editItem(self.table.item(row, 0))

    def _fit(self) -> None:
        """As tall as its rows (a few at least), so a form of tables scrolls as one page."""
        header = self.table.horizontalHeader().sizeHint().height()
        default = self.table.verticalHeader().defaultSectionSize()
        count = self.table.rowCount()
        rows = sum(self.table.rowHeight(r) for r in range(count)) + max(0, 1 - count) * default
        height = header + rows + 2 * self.table.frameWidth() + 2
        self.table.setFixedHeight(min(height, 260))
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
