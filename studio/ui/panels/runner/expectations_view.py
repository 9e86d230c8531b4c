"""Expectation results: pass / fail / skipped with expected vs actual."""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

from ...theme import qcolor
from ...widgets.wrap_delegate import WrapColumns

STATUS_STYLE = {
    "pass": ("✔ pass", "#1e7b34"),
    "fail": ("✘ fail", "#b3261e"),
    "skipped": ("– skipped", "#7a8590"),
}


def _short(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


class ExpectationsView(QTreeWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setColumnCount(4)
        self.setHeaderLabels(["Result", "Expectation", "Expected", "Actual"])
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setItemDelegate(WrapColumns(self, (2, 3)))   # Expected / Actual read in full
        header = self.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

    def set_results(self, expectations: list[Any]) -> None:
        self.clear()
        order = {"fail": 0, "pass": 1, "skipped": 2}
        for exp in sorted(expectations, key=lambda e: order.get(e.status, 3)):
            label, colour = STATUS_STYLE.get(exp.status, (exp.status, "#5c6b7a"))
            item = QTreeWidgetItem([label, exp.type, _short(exp.expected), _short(exp.actual)])
            item.setForeground(0, QBrush(qcolor(colour)))
            tip = exp.message or ""
            if getattr(exp, "reasoning", None):
                tip += f"\n\nJudge: {exp.reasoning}"
            for col in range(4):
                item.setToolTip(col, tip or _short(exp.actual))
            item.setData(0, 256, exp.status)   # Qt.UserRole
            self.addTopLevelItem(item)

    def show_message(self, text: str) -> None:
        """One greyed line instead of results (not run yet, not judged)."""
        self.clear()
        item = QTreeWidgetItem([text])
        item.setForeground(0, QBrush(qcolor("#7a8590")))
        self.addTopLevelItem(item)
        item.setFirstColumnSpanned(True)

    def statuses(self) -> list[tuple[str, str]]:
        return [(self.topLevelItem(i).text(1), self.topLevelItem(i).data(0, 256))
                for i in range(self.topLevelItemCount())]
