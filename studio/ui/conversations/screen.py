"""The Conversations screen: filter the imported conversations, see one beside what
today's procedures do with it (divergences marked), save it as a simulation, import
and replay with progress and cancel, and chart trigger / resolve / handoff per week.
Everything that touches the library or the engine runs on a worker thread."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QFileDialog,
                               QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton,
                               QSplitter, QTableView, QTabWidget, QVBoxLayout, QWidget)

from studio.flywheel.browse import ListFilter, list_conversations, procedures_seen, weekly_series

from ..background import Task, make_pool
from .charts import ChartsView
from .review_dialog import review_capture
from .side_by_side import SideBySide
from .table_model import ConversationsModel

ANY = "Any"
NO_DATE = QDate(2000, 1, 1)


class ConversationsScreen(QWidget):
    simulation_saved = Signal(str)          # the new simulation's name
    _progressed = Signal(str, int, int)     # from the worker thread, queued to the GUI thread

    def __init__(self, project: Any, library: Any, *,
                 save_simulation: Callable[[str, Any], None] | None = None, parent=None):
        super().__init__(parent)
        self.project, self.library = project, library
        self.save_simulation = save_simulation
        self.pool = make_pool(1, self)
        self.task: Task | None = None          # the long task (import / replay), cancellable
        self._selected: str | None = None
        self.model = ConversationsModel(self)
        self._progressed.connect(self._show_progress)
        self._build()
        self.refresh()

    # -- layout ---------------------------------------------------------------
    def _build(self) -> None:
        self.import_button = QPushButton("Import…")
        self.import_button.setToolTip("Import production conversations (JSONL, CSV or Intercom "
                                      "export); personal data is redacted")
        self.replay_button = QPushButton("Replay")
        self.replay_button.setToolTip("Replay the listed conversations through today's procedures")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progress.setMaximumWidth(260)
        self.status = QLabel()
        top = QHBoxLayout()
        for widget in (self.import_button, self.replay_button, self.cancel_button, self.progress):
            top.addWidget(widget)
        top.addWidget(self.status, 1)

        self.procedure = QComboBox()
        self.outcome = QComboBox()
        self.outcome.addItems([ANY, "resolved", "handoff", "unresolved"])
        self.diverged = QComboBox()
        self.diverged.addItems([ANY, "Diverged", "Same as production"])
        self.unmatched = QCheckBox("Unmatched")
        self.unmatched.setToolTip("Production or today's procedures matched no procedure")
        self.since, self.until = QDateEdit(), QDateEdit()
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMinimumDate(NO_DATE)
            edit.setSpecialValueText("any date")
            edit.setDate(NO_DATE)
        filters = QHBoxLayout()
        for label, widget in (("Procedure", self.procedure), ("Outcome", self.outcome),
                              ("Replay", self.diverged), ("From", self.since), ("To", self.until)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.unmatched)
        filters.addStretch(1)
        self.counts = QLabel()
        self.counts.setMinimumWidth(280)
        self.counts.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        filters.addWidget(self.counts)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.pair = SideBySide()
        self.save_button = QPushButton("Save as simulation…")
        self.save_button.setEnabled(False)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.pair, 1)
        row = QHBoxLayout()
        row.addWidget(self.detail, 1)
        row.addWidget(self.save_button)
        right_layout.addLayout(row)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([640, 760])

        self.charts = ChartsView()
        self.tabs = QTabWidget()
        self.tabs.addTab(split, "Conversations")
        self.tabs.addTab(self.charts, "Charts")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.tabs, 1)

        self.import_button.clicked.connect(self.choose_import)
        self.replay_button.clicked.connect(self.replay_listed)
        self.cancel_button.clicked.connect(self.cancel)
        self.save_button.clicked.connect(self.save_selected)
        for combo in (self.procedure, self.outcome, self.diverged):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.unmatched.toggled.connect(lambda _c: self.refresh())
        self.since.dateChanged.connect(lambda _d: self.refresh())
        self.until.dateChanged.connect(lambda _d: self.refresh())
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _p: self._select(cur.row()))
        self.charts.export_png.clicked.connect(lambda: self._export("png"))
        self.charts.export_csv.clicked.connect(lambda: self._export("csv"))

    # -- filters and list -----------------------------------------------------
    def current_filter(self) -> ListFilter:
        proc = self.procedure.currentData()
        date = lambda e: None if e.date() == NO_DATE else e.date().toString("yyyy-MM-dd")  # noqa: E731
        diverged = {1: True, 2: False}.get(self.diverged.currentIndex())
        return ListFilter(procedure=proc, outcome=None if self.outcome.currentIndex() == 0
                          else self.outcome.currentText(), diverged=diverged,
                          unmatched=self.unmatched.isChecked(), since=date(self.since),
                          until=date(self.until))

    def refresh(self) -> None:
        flt = self.current_filter()
        task = Task(lambda _p: (list_conversations(self.library, flt), procedures_seen(self.library),
                                weekly_series(self.library, flt.procedure)))
        task.finished.connect(self._listed)
        task.failed.connect(self._failed)
        self.pool.start(task)

    def _listed(self, value: Any) -> None:
        (rows, total), procedures, series = value
        self._fill_procedures(procedures)
        self.model.set_rows(rows)
        shown = f"{len(rows)} of {total}" if total > len(rows) else f"{total}"
        diverged = sum(1 for r in rows if r.get("diverged"))
        self.counts.setText(f"{shown} conversations, {diverged} diverged" if total else
                            "No conversations: Import… brings production conversations in")
        self.charts.set_series(series)
        if self._selected:
            ids = [r["id"] for r in rows]
            if self._selected in ids:
                self.table.selectRow(ids.index(self._selected))

    def _fill_procedures(self, procedures: list[str]) -> None:
        current = self.procedure.currentData()
        wanted = [(ANY, None), ("(no procedure)", "")] + [(p, p) for p in procedures]
        if [self.procedure.itemData(i) for i in range(self.procedure.count())] == [w[1] for w in wanted]:
            return
        self.procedure.blockSignals(True)
        self.procedure.clear()
        for text, data in wanted:
            self.procedure.addItem(text, data)
        index = self.procedure.findData(current)
        self.procedure.setCurrentIndex(max(index, 0) if current is not None else 0)
        self.procedure.blockSignals(False)

    # -- one conversation -----------------------------------------------------
    def _select(self, row: int) -> None:
        if row < 0 or row >= len(self.model.rows):
            return
        conv_id = self.model.rows[row]["id"]
        self._selected = conv_id
        self.save_button.setEnabled(True)

        def work(_p):
            from studio.flywheel.replay import replay_one
            from studio.flywheel.replay_store import latest_replay, save_replays
            from studio.flywheel.store import get
            conv = get(self.library, conv_id)
            replay = latest_replay(self.library, conv_id)
            if replay is None and conv is not None:
                replay = replay_one(self.project, conv)
                if not getattr(self.library, "read_only", False):
                    from studio.runtime.options import engine_name
                    save_replays(self.library, [replay], engine_name(self.project, None))
            return conv, replay
        task = Task(work)
        task.finished.connect(lambda value, cid=conv_id: self._show_pair(cid, *value))
        task.failed.connect(self._failed)
        self.pool.start(task)

    def _show_pair(self, conv_id: str, conv: Any, replay: Any) -> None:
        if conv is None or conv_id != self._selected:
            return
        self.pair.show_pair(conv, replay)
        kinds = ", ".join(d.kind.replace("_", " ") for d in replay.divergences) if replay else ""
        self.detail.setText(f"{conv_id}: " + (f"diverges ({kinds})" if kinds else "same as production"))

    # -- long work ------------------------------------------------------------
    def _busy(self) -> bool:
        return self.task is not None

    def _start_long(self, what: str, fn: Callable[[Any], Any], done: Callable[[Any], None]) -> None:
        if self._busy():
            return
        task = Task(fn)
        task.progress._callback = lambda d, t, m: self._progressed.emit(what, d, t)
        self.task = task
        for button in (self.import_button, self.replay_button):
            button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.status.setText(f"{what}…")
        task.finished.connect(lambda value: (self._end_long(), done(value)))
        task.failed.connect(lambda message: (self._end_long(), self._failed(message)))
        self.pool.start(task)

    def _show_progress(self, what: str, done: int, total: int) -> None:
        if self.task is None:
            return
        scale = 1000 if total > 10_000_000 else 1
        self.progress.setRange(0, max(total // scale, 1))
        self.progress.setValue(done // scale)
        if scale == 1:
            self.status.setText(f"{what}: {done} / {total}")

    def _end_long(self) -> None:
        self.task = None
        self.progress.setVisible(False)
        self.cancel_button.setEnabled(False)
        for button in (self.import_button, self.replay_button):
            button.setEnabled(not getattr(self.library, "read_only", False))

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.status.setText("Cancelling…")

    def choose_import(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Import conversations", "",
                                                "Conversations (*.jsonl *.json *.csv);;All files (*)")
        if files:
            self.import_files(files)

    def import_files(self, files: list[str], fmt: str | None = None) -> None:
        from studio.flywheel.importer import import_files
        self._start_long("Importing", lambda p: import_files(self.library, files, fmt=fmt, progress=p),
                         self._imported)

    def _imported(self, summary: Any) -> None:
        red = ", ".join(f"{n} {k}" for k, n in summary.redacted.items() if n) or "nothing"
        text = (f"Imported {summary.added} new conversations ({summary.skipped} already there, "
                f"{summary.rejected} rejected; redacted {red})")
        if summary.cancelled:
            text += "; cancelled, import again for the rest"
        self.refresh()
        self.status.setText(text)
        if summary.problems:
            self.status.setToolTip("\n".join(summary.problems[:30]))

    def replay_listed(self) -> None:
        from studio.flywheel.replay_all import replay_library
        from studio.flywheel.store import Filter
        ids = [r["id"] for r in self.model.rows]
        self._start_long("Replaying",
                         lambda p: replay_library(self.project, self.library, Filter(ids=ids), progress=p),
                         self._replayed)

    def _replayed(self, summary: Any) -> None:
        self.refresh()
        self.status.setText(f"Replayed {summary.replayed}: {summary.diverged} diverged, "
                            f"{summary.errors} could not be replayed"
                            + ("; cancelled" if summary.cancelled else ""))
        if self._selected:
            rows = [r["id"] for r in self.model.rows]
            if self._selected in rows:
                self._select(rows.index(self._selected))

    # -- save as simulation ---------------------------------------------------
    def save_selected(self) -> None:
        conv_id = self._selected
        if conv_id is None:
            return

        def work(_p):
            from studio.flywheel.store import get
            from studio.flywheel.to_sim import CaptureError, capture
            try:
                return capture(self.project, get(self.library, conv_id))
            except CaptureError as exc:
                return str(exc)
        task = Task(work)
        task.finished.connect(self._review)
        task.failed.connect(self._failed)
        self.pool.start(task)

    def _review(self, cap: Any) -> None:
        if isinstance(cap, str):
            self.status.setText(cap)
            return
        if not review_capture(self, cap):
            return
        try:
            if self.save_simulation is not None:
                from studio.flywheel.to_sim import unique_key
                self.save_simulation(unique_key(self.project, cap.key), cap.simulation)
            else:
                from studio.flywheel.to_sim import save_capture
                save_capture(self.project, self.library, cap)
        except Exception as exc:   # a name already taken: say so, keep the screen usable
            self.status.setText(f"Not saved: {exc}")
            return
        self.status.setText(f"Saved simulation “{cap.simulation.name}”")
        self.simulation_saved.emit(cap.simulation.name)

    # -- export ---------------------------------------------------------------
    def _export(self, kind: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self, f"Export chart as {kind.upper()}",
                                              f"conversations.{kind}", f"{kind.upper()} (*.{kind})")
        if not path:
            return
        if kind == "png":
            self.charts.save_png(Path(path))
        else:
            self.charts.save_csv(Path(path))
        self.status.setText(f"Exported {path}")

    def _failed(self, message: str) -> None:
        self.status.setText(message.splitlines()[0] if message else "failed")

    def set_project(self, project: Any) -> None:
        self.project = project

    def dispose(self) -> None:
        if self.task is not None:
            self.task.cancel()
        self.pool.waitForDone(5000)
