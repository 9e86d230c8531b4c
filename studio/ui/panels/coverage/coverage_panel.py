"""Coverage per procedure from each simulation's latest result: which steps a
passing simulation covers, which only failing ones do, which none do, and
"Suggest simulations" for the uncovered paths (the model-driven generator,
used only when it is installed)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from ...theme import qcolor

from ..marks import COVERED_FAILING, COVERED_PASSING, UNCOVERED, library_coverage, uncovered_steps
from ...background import Task, make_pool

MARK_STYLE = {COVERED_PASSING: ("● covered by a passing simulation", "#1e7b34"),
              COVERED_FAILING: ("● covered only by failing simulations", "#b3261e"),
              UNCOVERED: ("○ not covered", "#7a8590")}


class CoveragePanel(QWidget):
    coverage_marks = Signal(str, dict)     # procedure id, {step: covered-passing|covered-failing|uncovered}
    suggestions_ready = Signal(str, object)   # procedure id, SuggestReport
    add_requested = Signal(list)              # [(file stem, Simulation)] the designer ticked
    loaded = Signal()

    def __init__(self, project: Any, library: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.project, self.library = project, library
        self.marks: dict[str, dict[str, str]] = {}
        self._pool = make_pool(1, self)
        self._task: Task | None = None
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Procedure / step", "Coverage"])
        self.tree.setColumnWidth(0, 220)
        self.suggest_button = QPushButton("Suggest simulations")
        self.suggest_button.setToolTip("Draft simulations for the uncovered steps of the selected procedure")
        self.add_button = QPushButton("Add ticked suggestions")
        self.add_button.setVisible(False)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.suggestion_items: list[tuple[QTreeWidgetItem, Any]] = []
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.suggest_button)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        self.suggest_button.clicked.connect(self.suggest_for_selected)
        self.add_button.clicked.connect(self._add_ticked)

    def set_project(self, project: Any) -> None:
        self.project = project

    def refresh(self) -> None:
        if self._task is not None:
            return
        project, library = self.project, self.library
        task = Task(lambda _p: library_coverage(project, library))
        task.finished.connect(self._loaded)
        task.failed.connect(lambda m: self.message.setText(m.splitlines()[0]))
        self._task = task
        self._pool.start(task)

    def _loaded(self, marks: dict[str, dict[str, str]]) -> None:
        self._task = None
        self.marks = marks
        self.tree.clear()
        if all(m == UNCOVERED for steps in marks.values() for m in steps.values()):
            self.message.setText("Nothing covered yet: press “Run all” in the Library (Ctrl+Shift+R) "
                                 "to see which steps your simulations reach.")
        else:
            self.message.setText("Steps no simulation reaches are marked ○ here and in the editor; "
                                 "select a procedure and press Suggest simulations to draft some.")
        for pid, steps in marks.items():
            covered = sum(m != UNCOVERED for m in steps.values())
            top = QTreeWidgetItem(self.tree, [pid, f"{covered}/{len(steps)} steps"])
            top.setToolTip(0, pid)
            top.setData(0, Qt.ItemDataRole.UserRole, pid)
            for step, mark in steps.items():
                label, colour = MARK_STYLE[mark]
                item = QTreeWidgetItem(top, [step, label])
                item.setForeground(1, QBrush(qcolor(colour)))
                item.setData(0, Qt.ItemDataRole.UserRole, pid)
            self.coverage_marks.emit(pid, steps)
        self.loaded.emit()

    def selected_procedure(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item else None

    def suggest_for_selected(self) -> None:
        pid = self.selected_procedure()
        if pid is None:
            self.message.setText("Select a procedure first.")
            return
        missing = uncovered_steps(self.marks.get(pid, {}))
        if not missing:
            self.message.setText(f"Every step of {pid} is covered.")
            return
        from studio.simulate.suggest import suggest_simulations as fn

        from ..services import snapshot
        project = snapshot(self.project)
        task = Task(lambda _p: fn(project, pid))
        task.finished.connect(lambda sims: self._suggested(pid, sims))
        task.failed.connect(lambda m: self.message.setText("Suggest failed: " + m.splitlines()[0]))
        self._suggest_task = task
        self.message.setText(f"Asking the model for simulations covering {len(missing)} step(s)…")
        self._pool.start(task)

    def _suggested(self, pid: str, report: Any) -> None:
        suggestions = list(getattr(report, "suggestions", None) or [])
        top = QTreeWidgetItem(self.tree, [f"Suggested for {pid}", f"{len(suggestions)} simulation(s)"])
        self.suggestion_items = []
        for suggestion in suggestions:
            sim = suggestion.simulation
            item = QTreeWidgetItem(top, [sim.name, "covers " + ", ".join(suggestion.steps[:6])])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked)
            self.suggestion_items.append((item, suggestion))
        for unreached in getattr(report, "unreached", []) or []:
            item = QTreeWidgetItem(top, [unreached.target, f"not reachable: {unreached.reason}"])
            item.setForeground(1, QBrush(qcolor("#b35c00")))
        for target, name in (getattr(report, "reached_by_saved", None) or {}).items():
            QTreeWidgetItem(top, [target, f"reached by the saved simulation “{name}”"])
        top.setExpanded(True)
        self.tree.scrollToItem(top)
        self.add_button.setVisible(bool(suggestions))
        self.message.setText(f"{len(suggestions)} suggestion(s) for {pid}; untick what you don't want.")
        self.suggestions_ready.emit(pid, report)

    def _add_ticked(self) -> None:
        chosen = [(s.key, s.simulation) for item, s in self.suggestion_items
                  if item.checkState(0) == Qt.CheckState.Checked]
        if chosen:
            self.add_requested.emit(chosen)
            self.message.setText(f"Added {len(chosen)} simulation(s) to the library.")
        self.add_button.setVisible(False)
