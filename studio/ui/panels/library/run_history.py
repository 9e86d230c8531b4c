"""The list of past runs (newest first) and one simulation's verdict history."""
from __future__ import annotations

from typing import Any

from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

from ...theme import qcolor

RUN_COLOURS = {"complete": "#1e7b34", "cancelled": "#b35c00", "interrupted": "#b3261e",
               "running": "#2f5d8f"}


class RunHistory(QTreeWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setColumnCount(6)
        self.setHeaderLabels(["Run", "Started", "Status", "Passed", "Failed", "Errors"])
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def set_runs(self, runs: list[Any]) -> None:
        self.clear()
        for run in runs:
            started = (run.started or "").replace("T", " ")[:19]
            item = QTreeWidgetItem(self, [f"#{run.id}", started, run.status, str(run.passed),
                                          str(run.failed), str(run.errors)])
            item.setForeground(2, QBrush(qcolor(RUN_COLOURS.get(run.status, "#5c6b7a"))))
            if run.failed:
                item.setForeground(4, QBrush(qcolor("#b3261e")))
            item.setToolTip(0, f"engine {run.engine or 'offline'}, repeat {run.repeat}, "
                               f"{run.done}/{run.total} done")
            item.setData(0, 256, run.id)


class SimulationHistory(QTreeWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setColumnCount(4)
        self.setHeaderLabels(["Run", "Status", "Outcome", "Duration"])
        self.setRootIsDecorated(False)
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def set_records(self, records: list[Any]) -> None:
        self.clear()
        colours = {"passed": "#1e7b34", "failed": "#b3261e", "error": "#b35c00"}
        for rec in records:
            r = rec.result
            item = QTreeWidgetItem(self, [f"#{rec.run_id}" + (f" ×{rec.repeat_index + 1}" if rec.repeat_index else ""),
                                          r.status, r.outcome or "", f"{r.duration_ms:.0f} ms"])
            item.setForeground(1, QBrush(qcolor(colours.get(r.status, "#5c6b7a"))))
            if r.error:
                item.setToolTip(1, r.error)
