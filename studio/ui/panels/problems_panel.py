"""Problems of the whole project; double-click jumps to the file and step."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ..resources import icon

PROBLEM_ROLE = Qt.UserRole + 1


class ProblemsPanel(QWidget):
    jump_requested = Signal(object)    # the Problem

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel()
        self.summary.setObjectName("Muted")
        self.summary.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.summary)
        self.tree = QTreeWidget(self)
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels(["Problem", "Where", "Step"])
        self.tree.setColumnWidth(0, 520)
        self.tree.setColumnWidth(1, 260)
        self.tree.itemDoubleClicked.connect(
            lambda item, _c: self.jump_requested.emit(item.data(0, PROBLEM_ROLE)))
        layout.addWidget(self.tree)
        self.problems: list = []

    def set_problems(self, problems: list) -> None:
        self.problems = list(problems)
        self.tree.clear()
        for p in self.problems:
            text = p.message + (f"  — {p.hint}" if p.hint else "")
            item = QTreeWidgetItem([text, p.where(), p.step or ""])
            item.setIcon(0, icon(p.severity.value))
            item.setToolTip(0, p.format())
            item.setData(0, PROBLEM_ROLE, p)
            self.tree.addTopLevelItem(item)
        errors = sum(1 for p in self.problems if p.severity.value == "error")
        warnings = sum(1 for p in self.problems if p.severity.value == "warning")
        self.summary.setText(f"{errors} error(s), {warnings} warning(s)" if self.problems
                             else "No problems.")
