"""The conversation list: one row per conversation, newest first, diverged ones marked."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

COLUMNS = (("id", "Conversation"), ("kinds", "Divergence"), ("started_at", "Started"),
           ("procedure", "Production"), ("outcome", "Outcome"), ("today_procedure", "Today"),
           ("today_outcome", "Today's outcome"), ("opener", "First message"))
DIVERGED = QColor(230, 150, 40, 60)


class ConversationsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, key)
        if role == Qt.ItemDataRole.BackgroundRole and row.get("diverged"):
            return QBrush(DIVERGED)
        if role == Qt.ItemDataRole.ToolTipRole and key == "opener":
            return row.get("opener")
        if role == Qt.ItemDataRole.UserRole:
            return row["id"]
        return None

    @staticmethod
    def text(row: dict[str, Any], key: str) -> str:
        value = row.get(key)
        if key == "kinds":
            if not row.get("replayed"):
                return "not replayed"
            return ", ".join(k.replace("_", " ") for k in value) if value else "same"
        if key == "started_at":
            return (value or "")[:16].replace("T", " ")
        if key in ("procedure", "today_procedure") and row.get("replayed", True) and not value:
            return "(none)" if key == "procedure" or row.get("replayed") else ""
        return "" if value is None else str(value)
