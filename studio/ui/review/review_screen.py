"""The Review screen: the lead's view. Procedures with their approval state per
environment, a procedure's revision history, and the semantic diff side by side
(default: the latest approval against the working files). Approve… and Export… open
their dialogs; Verify bundle… checks a bundle. Every library read runs off the GUI
thread on a snapshot of the project."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QSplitter, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from studio.core.project import Project
from studio.govern.approvals import APPROVED, CHANGED
from studio.govern.compare import compare
from studio.govern.revisions import WORKING, revision_history
from studio.govern.status import project_status

from ..panels.services import snapshot
from ..background import Task, make_pool
from ..theme import qcolor

STATE_COLOURS = {APPROVED: "#16A34A", CHANGED: "#D97706"}
NEVER_COLOUR = "#7A8590"
LibraryFn = Callable[[], Any]


class ReviewScreen(QWidget):
    approve_requested = Signal(str)          # procedure id
    export_requested = Signal()
    verify_requested = Signal()
    loaded = Signal()                        # status, history and diff are on screen

    def __init__(self, project: Project, library_fn: LibraryFn, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("review-screen")
        self.project = project
        self.library_fn = library_fn
        self._pool = make_pool(1, self)
        self._busy = 0
        self.status: Any = None
        self.procedure_id: str | None = None
        self._build()

    # -- layout --------------------------------------------------------------------
    def _build(self) -> None:
        self.approve_button = QPushButton("Approve…")
        self.approve_button.setToolTip("Approve the working revision of the selected procedure")
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Write the bundle of one environment")
        self.verify_button = QPushButton("Verify bundle…")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setShortcut("F5")
        self.note = QLabel()
        self.note.setObjectName("review-note")
        bar = QHBoxLayout()
        title = QLabel("<b>Review</b> — what changed, what is approved, what ships")
        bar.addWidget(title)
        bar.addWidget(self.note, 1)
        for button in (self.refresh_button, self.verify_button, self.export_button,
                       self.approve_button):
            bar.addWidget(button)
        self.approve_button.clicked.connect(
            lambda: self.procedure_id and self.approve_requested.emit(self.procedure_id))
        self.export_button.clicked.connect(self.export_requested.emit)
        self.verify_button.clicked.connect(self.verify_requested.emit)
        self.refresh_button.clicked.connect(self.refresh)

        self.procedures = QTreeWidget()
        self.procedures.setObjectName("review-procedures")
        self.procedures.setRootIsDecorated(False)
        self.procedures.setAlternatingRowColors(True)
        self.procedures.itemSelectionChanged.connect(self._procedure_selected)
        self.history = QTreeWidget()
        self.history.setObjectName("review-history")
        self.history.setRootIsDecorated(False)
        self.history.setHeaderLabels(["Revision", "First seen", "Latest run", "Approved for"])
        self.history.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.itemDoubleClicked.connect(self._compare_with_working)
        self.from_combo, self.to_combo = QComboBox(), QComboBox()
        for combo in (self.from_combo, self.to_combo):
            combo.setMinimumContentsLength(24)
            combo.activated.connect(lambda _i: self._compare_chosen())
        pick = QHBoxLayout()
        pick.addWidget(QLabel("Compare"))
        pick.addWidget(self.from_combo, 1)
        pick.addWidget(QLabel("→"))
        pick.addWidget(self.to_combo, 1)

        from .diff_panes import DiffPanes
        self.diff = DiffPanes()
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.procedures)
        history_box = QWidget()
        box = QVBoxLayout(history_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(QLabel("Revision history (double-click: compare with the working files)"))
        box.addWidget(self.history, 1)
        box.addLayout(pick)
        left.addWidget(history_box)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.diff)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)

    # -- loading -------------------------------------------------------------------
    def set_project(self, project: Project) -> None:
        self.project = project
        self.refresh()

    def _run(self, fn: Callable[[Any, Project], Any], done: Callable[[Any], None]) -> None:
        library = self.library_fn()
        if library is None:
            self.note.setText("<span style='color:#b3261e'>The library is not open: "
                              "open a project first.</span>")
            return
        project = snapshot(self.project)
        task = Task(lambda _p: fn(library, project))
        self._busy += 1
        self.note.setText("Loading…")

        def finished(value: Any) -> None:
            self._busy -= 1
            self.note.setText("")
            done(value)

        def failed(message: str) -> None:
            self._busy -= 1
            self.note.setText(f"<span style='color:#b3261e'>{message.splitlines()[0]}</span>")
        task.finished.connect(finished)
        task.failed.connect(failed)
        self._pool.start(task)

    def is_busy(self) -> bool:
        return self._busy > 0

    def refresh(self) -> None:
        self._run(lambda lib, project: project_status(project, lib), self._status_loaded)

    def _status_loaded(self, status: Any) -> None:
        self.status = status
        envs = status.environments
        self.procedures.setHeaderLabels(["Procedure", "Revision", *[e.capitalize() for e in envs],
                                         "Latest run"])
        self.procedures.clear()
        chosen = None
        for proc in status.procedures:
            run = proc.latest_run
            latest = "never run" if run is None else (
                f"run {run.run}: {run.passed} passed, {run.failed} failed"
                + (f", {run.errors} errors" if run.errors else "")
                + ("" if run.on_this_revision else " (older revision)"))
            item = QTreeWidgetItem([proc.id, (proc.revision or "?")[:12],
                                    *[e.state for e in proc.environments], latest])
            item.setData(0, Qt.ItemDataRole.UserRole, proc.id)
            for column, env in enumerate(proc.environments, start=2):
                item.setForeground(column, QBrush(qcolor(STATE_COLOURS.get(env.state, NEVER_COLOUR))))
                if env.approved_by:
                    item.setToolTip(column, f"{env.state}: {env.approved_revision[:12]} approved by "
                                            f"{env.approved_by} at {env.approved_at}")
            if run is not None and (run.failed or run.errors):
                item.setForeground(len(envs) + 2, QBrush(qcolor("#b3261e")))
            self.procedures.addTopLevelItem(item)
            if proc.id == self.procedure_id:
                chosen = item
        for column in range(self.procedures.columnCount()):
            self.procedures.resizeColumnToContents(column)
        if status.problems:
            self.note.setText("<span style='color:#b3261e'>" + status.problems[0].format()
                              .splitlines()[0] + "</span>")
        target = chosen or self.procedures.topLevelItem(0)
        if target is not None:
            self.procedures.setCurrentItem(target)
            if target is chosen:
                self._load_procedure(self.procedure_id)
        else:
            self.diff.message("This project has no procedures yet.")
            self.loaded.emit()

    def _procedure_selected(self) -> None:
        item = self.procedures.currentItem()
        if item is None:
            return
        procedure_id = item.data(0, Qt.ItemDataRole.UserRole)
        if procedure_id != self.procedure_id or self.history.topLevelItemCount() == 0:
            self.procedure_id = procedure_id
            self._load_procedure(procedure_id)

    def _load_procedure(self, procedure_id: str, old: str | None = None,
                        new: str = WORKING) -> None:
        def work(lib, project):
            return revision_history(project, lib, procedure_id), compare(
                project, lib, procedure_id, old, new)
        self._run(work, lambda found: self._procedure_loaded(procedure_id, *found))

    def _procedure_loaded(self, procedure_id: str, history: list, comparison: Any) -> None:
        if procedure_id != self.procedure_id:
            return
        self.history.clear()
        for combo in (self.from_combo, self.to_combo):
            combo.clear()
        for info in reversed(history):
            result = "never run" if info.latest_run is None else (
                f"run {info.latest_run}: {info.latest_status}")
            marks = (["working files"] if info.working else []) + (info.approved_for or [])
            item = QTreeWidgetItem([info.revision[:12], (info.first_seen or "—")[:16].replace("T", " "),
                                    result, ", ".join(marks)])
            item.setData(0, Qt.ItemDataRole.UserRole, info.revision)
            if info.latest_status in ("failed", "error"):
                item.setForeground(2, QBrush(qcolor("#b3261e")))
            self.history.addTopLevelItem(item)
            label = info.revision[:12] + (f" ({', '.join(marks)})" if marks else "")
            self.from_combo.addItem(label, info.revision)
            self.to_combo.addItem(label, info.revision)
        self._select_combo(self.from_combo, comparison.diff.old_revision)
        self._select_combo(self.to_combo, comparison.diff.new_revision)
        self.diff.show_diff(procedure_id, comparison.old, comparison.new, comparison.diff,
                            comparison.old_label, comparison.new_label)
        self.loaded.emit()

    @staticmethod
    def _select_combo(combo: QComboBox, revision: str | None) -> None:
        index = combo.findData(revision) if revision else -1
        combo.setCurrentIndex(index)

    def _compare_chosen(self) -> None:
        old, new = self.from_combo.currentData(), self.to_combo.currentData()
        if self.procedure_id and old and new:
            self._run(lambda lib, project: compare(project, lib, self.procedure_id, old, new),
                      lambda c: self.diff.show_diff(self.procedure_id, c.old, c.new, c.diff,
                                                    c.old_label, c.new_label))

    def _compare_with_working(self, item: QTreeWidgetItem) -> None:
        revision = item.data(0, Qt.ItemDataRole.UserRole)
        if self.procedure_id and revision:
            self._select_combo(self.from_combo, revision)
            self._select_combo(self.to_combo, self.to_combo.itemData(0))
            self._compare_chosen()

    def shutdown(self) -> None:
        self._pool.waitForDone(10000)
