"""Segments (customer attribute presets) as a small table: name → attributes as JSON."""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)


class SegmentsTable(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        hint = QLabel("A segment is a preset of customer attributes a simulation can pick "
                      "(customer.segment), read by procedures as customer.<attribute>.")
        hint.setWordWrap(True)
        hint.setObjectName("Muted")
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Segment", "Attributes (JSON object)"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 150)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.add_button = QPushButton("Add segment")
        self.remove_button = QPushButton("Remove")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.itemChanged.connect(lambda _i: self.changed.emit())

    def load(self, segments: dict[str, dict[str, Any]]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for name, attributes in segments.items():
            self._append(name, json.dumps(attributes, ensure_ascii=False))
        self.table.blockSignals(False)

    def _append(self, name: str, attributes: str) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(name))
        self.table.setItem(row, 1, QTableWidgetItem(attributes))
        return row

    def add_row(self, name: str = "", attributes: str = "{}") -> int:
        taken = {self._text(r, 0) for r in range(self.table.rowCount())}
        if not name:
            name, n = "segment", 2
            while name in taken:
                name, n = f"segment-{n}", n + 1
        row = self._append(name, attributes)
        self.table.setCurrentCell(row, 0)
        self.table.editItem(self.table.item(row, 0))
        self.changed.emit()
        return row

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)
        if rows:
            self.changed.emit()

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def _parse(self) -> tuple[dict[str, dict[str, Any]], list[str]]:
        segments: dict[str, dict[str, Any]] = {}
        problems = []
        for row in range(self.table.rowCount()):
            name, text = self._text(row, 0), self._text(row, 1) or "{}"
            if not name:
                problems.append(f"Segments: row {row + 1} needs a name")
                continue
            if name in segments:
                problems.append(f"Segments: '{name}' appears twice")
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                problems.append(f"Segments: '{name}' is not valid JSON ({exc.msg}, column {exc.colno})")
                continue
            if not isinstance(value, dict):
                problems.append(f"Segments: '{name}' must be a JSON object like "
                                '{"plan": "pro", "lifetime_value": 2400}')
                continue
            segments[name] = value
        return segments, problems

    def segments(self) -> dict[str, dict[str, Any]]:
        return self._parse()[0]

    def problems(self) -> list[str]:
        return self._parse()[1]
