"""The library view: every simulation with its last verdict, search and
filters, run all / selected / failed (repeat K), live progress with ETA and
cancel, run history and the diff with the previous run, regressions first.

Run-all runs on a worker thread; results land in a deque the GUI drains on a
timer, so a thousand results cost a handful of repaints, not a thousand."""
from __future__ import annotations

import collections
import time
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QScrollArea, QSizePolicy, QSpinBox,
                               QSplitter, QStackedWidget, QTableView, QTabWidget, QVBoxLayout, QWidget)

from studio.core.progress import Progress
from studio.core.project import Project

from .. import services
from ...theme import tone
from . import library_actions
from .diff_view import DiffView
from .library_model import ROW_ROLE, LibraryFilter, LibraryModel, latest_statuses
from .run_history import RunHistory, SimulationHistory
from ...background import Task, make_pool

EMPTY_HINT = (
    "<b>No simulations yet.</b> A simulation is a customer conversation with expectations; "
    "the library re-runs them all after every change. To add one:"
    "<ul style='margin-top:4px'>"
    "<li><b>Runner → Try it</b>: play the customer yourself, then "
    "<b>Save this run as a simulation…</b> (expectations are filled in from what happened)</li>"
    "<li><b>Coverage → Suggest simulations</b>: one per path of a procedure, then "
    "<b>Add ticked suggestions</b></li>"
    "<li><b>Project tree → Simulations → right-click → Add simulation…</b> and fill in the "
    "simulation editor</li>"
    "<li>or put simulation YAML files in <code>simulations/</code> "
    "(<code>studio sim import</code>)</li></ul>")
NO_MATCH_HINT = ("No simulation matches the search and filters. Clear the search box or set "
                 "the filters back to “all”.")
NO_DIFF_HINT = "Nothing to compare yet: run all, change something, run all again."
STATUS_FILTERS = ["any status", "passed", "failed", "error", "not run", "flaky"]
DRAIN_MS = 100


def load_snapshot(project: Project, library: Any) -> dict[str, Any]:
    """Everything the view shows, read in one go (on a worker thread)."""
    from studio.library.diff import diff_runs
    from studio.library.records import LibraryError
    snapshot: dict[str, Any] = {
        "records": library.simulations(), "last": latest_statuses(library),
        "runs": library.runs(limit=100), "tags": library.tags(), "diff": None, "diff_note": ""}
    try:
        snapshot["diff"] = diff_runs(library)
    except LibraryError as exc:
        snapshot["diff_note"] = str(exc)
    snapshot["causes"] = {}
    if snapshot["diff"] is not None and snapshot["diff"].regressions:
        from studio.govern.regression import regression_causes   # the edit behind each regression
        snapshot["causes"] = regression_causes(library, snapshot["diff"])
    return snapshot


class LibraryView(QWidget):
    refreshed = Signal()
    run_started = Signal()
    run_finished = Signal(object)                 # RunSummary
    run_failed = Signal(str)
    simulation_activated = Signal(str, object)    # name, Simulation
    result_requested = Signal(str, object)        # name, its stored SimulationResult (no re-run)
    action_requested = Signal(str, list)          # duplicate / delete / procedure, names

    def __init__(self, project: Project, library: Any, runner: services.RunFn | None = None,
                 concurrency: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("library-view")
        self.project = project
        self.library = library
        self.runner = runner
        self.concurrency = concurrency or project.settings.model.concurrency or 4
        self.model_name: str | None = None        # None: the project's configured engine
        self._pool = make_pool(1, self)
        if runner is None:       # its own thread: the first refresh does not wait for it
            self._warm_pool = make_pool(1, self)
            self._warm_pool.run(services.warm_up_run_all)
        self._task: Task | None = None
        self._refresh_task: Task | None = None
        self._pending: collections.deque = collections.deque()
        self._progress_state: tuple[int, int, str] = (0, 0, "")
        self._started_at = 0.0
        self._counts = collections.Counter()
        self._first_error: tuple[str, str | None] | None = None    # (message, code)
        self.last_summary: Any = None
        self._build()
        self._drain_timer = QTimer(self)
        self._drain_timer.setInterval(DRAIN_MS)
        self._drain_timer.timeout.connect(self._drain)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self._apply_filters)

    # -- layout ---------------------------------------------------------------
    def _build(self) -> None:
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search names, tags and customer scripts…")
        self.search.setClearButtonEnabled(True)
        self.procedure_filter = QComboBox()
        self.tag_filter = QComboBox()
        self.status_filter = QComboBox()
        self.status_filter.addItems(STATUS_FILTERS)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.procedure_filter, 1)
        filters.addWidget(self.tag_filter, 1)
        filters.addWidget(self.status_filter, 1)

        self.run_all_button = QPushButton("▶ Run all")
        self.run_selected_button = QPushButton("Run selected")
        self.run_failed_button = QPushButton("Run failed")
        self.repeat = QSpinBox()
        self.repeat.setRange(1, 20)
        self.repeat.setPrefix("Repeat ×")
        self.repeat.setAccelerated(True)
        self.repeat.setToolTip("Run each simulation K times to find flaky ones")
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("not run yet")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.counts = QLabel("")
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        self.counts.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the run; finished results are kept (Ctrl+.)")
        self.cancel_button.setEnabled(False)
        self.run_all_button.setToolTip("Run every simulation in the library (Ctrl+Shift+R)")
        self.run_selected_button.setToolTip("Run the simulations selected in the table")
        self.run_failed_button.setToolTip("Run what did not pass in the last run (Ctrl+Alt+R)")
        actions = QHBoxLayout()
        for w in (self.run_all_button, self.run_selected_button, self.run_failed_button, self.repeat):
            actions.addWidget(w)
        actions.addSpacing(12)
        actions.addWidget(self.progress, 2)
        actions.addWidget(self.counts, 3)
        actions.addWidget(self.cancel_button)

        self.model = LibraryModel(self)
        self.proxy = LibraryFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 120), (2, 120), (3, 90), (4, 70), (5, 55)):   # the name gets the room
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(col, width)

        self.diff_view = DiffView()
        self.history = RunHistory()
        self.sim_history = SimulationHistory()
        for view in (self.table, self.diff_view, self.history, self.sim_history):
            view.setMinimumHeight(48)          # a short dock must not push the editor away
        history_box = QSplitter(Qt.Orientation.Horizontal)
        history_box.addWidget(self.history)
        history_box.addWidget(self.sim_history)
        self.side = QTabWidget()
        self.side.addTab(self.diff_view, "Changes since last run")
        self.side.addTab(history_box, "Run history")
        self.empty = QLabel(EMPTY_HINT)           # shown instead of an empty table
        self.empty.setObjectName("library-empty")
        self.empty.setTextFormat(Qt.TextFormat.RichText)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.empty.setMargin(8)
        self.empty.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        empty_area = QScrollArea()                # the dock is often short: scroll, don't cut
        empty_area.setWidgetResizable(True)
        empty_area.setFrameShape(QFrame.Shape.NoFrame)
        empty_area.setWidget(self.empty)
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.table)
        self.table_stack.addWidget(empty_area)
        self.table_stack.setMinimumHeight(48)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table_stack)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.splitter, 1)

        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        for combo in (self.procedure_filter, self.tag_filter, self.status_filter):
            combo.currentIndexChanged.connect(lambda _i: self._apply_filters())
        self.run_all_button.clicked.connect(lambda: self.run(None))
        self.run_selected_button.clicked.connect(lambda: self.run(self.selected_names()))
        self.run_failed_button.clicked.connect(self.run_failed)
        self.cancel_button.clicked.connect(self.cancel)
        self.table.doubleClicked.connect(self._activated)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(lambda pos: library_actions.show_menu(self, pos))
        self.diff_view.result_requested.connect(self.open_result)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_sized", False):   # table 3 : side 2, whatever the diff's texts
            self._sized = True
            width = max(self.splitter.width(), 800)
            self.splitter.setSizes([width * 3 // 5, width * 2 // 5])

    # -- loading --------------------------------------------------------------
    def set_project(self, project: Project) -> None:
        """The app calls this after edits so the next run sees the saved procedures."""
        self.project = project

    def refresh(self) -> None:
        """Re-read simulations, verdicts, runs and the diff off the GUI thread."""
        if self._refresh_task is not None:
            return
        project, library = self.project, self.library
        task = Task(lambda _p: load_snapshot(project, library))
        task.finished.connect(self._snapshot_loaded)
        task.failed.connect(self._refresh_failed)
        self._refresh_task = task
        self._pool.start(task)

    def _refresh_failed(self, message: str) -> None:
        self._refresh_task = None
        self.counts.setText(tone(f"<span style='color:#b3261e'>{message.splitlines()[0]}</span>"))
        self.refreshed.emit()

    def _snapshot_loaded(self, snap: dict[str, Any], *, after_run: bool = False) -> None:
        self._refresh_task = None
        if not after_run or self.model.names() != {r.name for r in snap["records"]}:
            self.model.load(snap["records"], snap["last"])
            header = self.table.horizontalHeader()
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._fill_combo(self.procedure_filter, "all procedures",
                         sorted(set(self.project.procedures) | {r.procedure for r in snap["records"] if r.procedure}))
        self._fill_combo(self.tag_filter, "all tags", snap["tags"])
        self.history.set_runs(snap["runs"])
        if snap["diff"] is not None:
            self.diff_view.set_diff(snap["diff"], snap.get("causes"))
        else:
            note = snap["diff_note"]
            self.diff_view.show_message(NO_DIFF_HINT if not note or "need two runs" in note else note)
        self._apply_filters()
        self._update_summary_label()
        self.refreshed.emit()

    @staticmethod
    def _fill_combo(combo: QComboBox, everything: str, values: list[str]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for value in values:
            combo.addItem(value, value)
        combo.setCurrentIndex(max(combo.findData(current), 0))
        combo.blockSignals(False)

    def _apply_filters(self) -> None:
        text = self.search.text().strip()
        names = None
        if text:
            try:
                names = {r.name for r in self.library.search(text)}
            except Exception:   # a query FTS can't parse: fall back to a name match
                names = {r.name for r in self.model.rows if text.lower() in r.name.lower()}
        status = self.status_filter.currentText()
        self.proxy.set_filters(procedure=self.procedure_filter.currentData(),
                               tag=self.tag_filter.currentData(),
                               status=None if status == STATUS_FILTERS[0] else status, names=names)
        self._update_empty()

    def _update_empty(self) -> None:
        """An empty table says how to fill it (or that the filters hide everything)."""
        self.run_all_button.setEnabled(self.model.rowCount() > 0 and not self.is_running())
        if self.model.rowCount() == 0:
            self.empty.setText(EMPTY_HINT)
        elif self.proxy.rowCount() == 0:
            self.empty.setText(NO_MATCH_HINT)
        else:
            self.table_stack.setCurrentIndex(0)
            return
        self.table_stack.setCurrentIndex(1)

    def showing_empty_hint(self) -> bool:
        return self.table_stack.currentIndex() == 1

    def visible_names(self) -> list[str]:
        return [self.proxy.index(i, 0).data() for i in range(self.proxy.rowCount())]

    def selected_names(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows()
        return [self.proxy.data(index, ROW_ROLE).name for index in rows]

    # -- running --------------------------------------------------------------
    def is_running(self) -> bool:
        return self._task is not None

    def run_failed(self) -> None:
        from studio.library.run_all import failed_in_last_run
        names = sorted(failed_in_last_run(self.library))
        if not names:
            self.counts.setText("Every simulation passed in its latest run.")
            return
        self.run(names)

    def run(self, names: list[str] | None = None) -> None:
        """Run `names` (None: the whole library) on a worker thread."""
        if self.is_running() or (names is not None and not names):
            return
        from studio.library.run_all import run_all
        project, library, runner = services.snapshot(self.project), self.library, self.runner
        repeat, concurrency = self.repeat.value(), self.concurrency
        options = services.make_options(self.model_name)
        pending = self._pending
        progress = Progress(self._on_progress)     # called on the worker thread: store only
        filters = {"names": len(names)} if names is not None else {}

        def work(prog: Progress) -> dict[str, Any]:
            summary = run_all(project, library, simulations=names, concurrency=concurrency,
                              repeat=repeat, options=options, progress=prog, runner=runner,
                              filters=filters, on_result=pending.append)
            return {"summary": summary} | load_snapshot(project, library)

        planned = names if names is not None else [r.name for r in self.model.rows]
        self.model.mark_queued(planned)
        total = len(planned) * repeat
        self._progress_state = (0, total, "")
        self._counts = collections.Counter()
        self._first_error = None
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self.progress.setFormat("%v / %m")
        self._started_at = time.perf_counter()
        task = Task(work, progress)
        task.finished.connect(self._run_done)
        task.failed.connect(self._run_error)
        self._task = task
        self._set_running(True)
        self._drain_timer.start()
        self.run_started.emit()
        self._pool.start(task)

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("Cancelling…")

    def _on_progress(self, done: int, total: int, message: str) -> None:   # worker thread
        self._progress_state = (done, total, message)

    def _drain(self) -> None:
        batch = []
        while self._pending:
            batch.append(self._pending.popleft())
        if batch:
            self.model.apply_results(batch)
            self._counts.update(r.status for r in batch)
            self._first_error = self._first_error or next(
                ((r.result.error, r.result.error_code) for r in batch
                 if r.status == "error" and r.result.error), None)
        done, total, _message = self._progress_state
        done = max(done, sum(self._counts.values()))
        if total:
            self.progress.setMaximum(total)
        self.progress.setValue(done)
        self.counts.setText(self._counts_text(done, total))

    def _counts_text(self, done: int, total: int) -> str:
        c = self._counts
        text = tone(f"<span style='color:#1e7b34'>{c['passed']} passed</span> · "
                f"<span style='color:#b3261e'>{c['failed']} failed</span> · "
                f"<span style='color:#b35c00'>{c['error']} errors</span>")
        if self.is_running() and done and total > done:
            elapsed = time.perf_counter() - self._started_at
            text += f" · ETA {elapsed / done * (total - done):.0f} s"
        return text

    def _run_done(self, payload: dict[str, Any]) -> None:
        self._drain()
        self._task = None
        self._drain_timer.stop()
        self._set_running(False)
        summary = payload["summary"]
        self.last_summary = summary
        self.model.clear_pending()
        self._snapshot_loaded(payload, after_run=True)
        self.side.setCurrentIndex(0)
        word = {"complete": "Finished", "cancelled": "Cancelled"}.get(summary.status, summary.status)
        took = f"{summary.duration_s:.1f} s" if summary.duration_s >= 1 else f"{summary.duration_s * 1000:.0f} ms"
        self.counts.setText(f"<b>{word}</b> run #{summary.run_id} in {took} · "
                            + self._counts_text(summary.done, summary.total))
        self.counts.setToolTip("")
        if self._first_error:    # errors are not failures: say why, and what to do
            from ..run_errors import error_hint, short_error
            import html
            error, code = self._first_error
            self.counts.setText(self.counts.text() + tone(
                f" · <span style='color:#5c6b7a'>{html.escape(short_error(error, 70))}</span>"))
            self.counts.setToolTip(f"First error: {short_error(error)}\n\n"
                                   f"What to do: {error_hint(code)}\n\n"
                                   "Hover over an error in the table for its own reason.")
        self.run_finished.emit(summary)

    def _run_error(self, message: str) -> None:
        self._drain()
        self._task = None
        self._drain_timer.stop()
        self._set_running(False)
        self.model.clear_pending()
        self.counts.setText(tone(f"<span style='color:#b3261e'>Run failed: {message.splitlines()[0]}</span>"))
        self.run_failed.emit(message)

    def _set_running(self, running: bool) -> None:
        for button in (self.run_all_button, self.run_failed_button):
            button.setEnabled(not running)
        if not running and self.model.rowCount() == 0:
            self.run_all_button.setEnabled(False)
        self._update_buttons()
        self.repeat.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.cancel_button.setText("Cancel")

    def _update_buttons(self) -> None:
        selected = self.table.selectionModel().hasSelection()
        self.run_selected_button.setEnabled(selected and not self.is_running())

    def _update_summary_label(self) -> None:
        if self.is_running():
            return
        rows = self.model.rows
        counts = collections.Counter(r.status for r in rows)
        self.counts.setText(tone(f"{len(rows)} simulations · <span style='color:#1e7b34'>{counts['passed']} passed</span>"
                                 f" · <span style='color:#b3261e'>{counts['failed']} failed</span>"
                                 f" · <span style='color:#b35c00'>{counts['error']} errors</span>"
                                 f" · {counts['']} not run"))

    # -- selection ------------------------------------------------------------
    def _current_changed(self, current, _previous) -> None:
        row = self.proxy.data(current, ROW_ROLE) if current.isValid() else None
        if row is None:
            self.sim_history.clear()
            return
        try:
            self.sim_history.set_records(self.library.simulation_history(row.name, limit=30))
        except Exception:   # history is a nicety; never block selection on it
            self.sim_history.clear()

    def open_result(self, name: str) -> None:
        """Show `name`'s last stored transcript and trace (nothing runs again)."""
        result = library_actions.stored_result(self.library, name)
        if result is not None:
            self.result_requested.emit(name, result)

    def _activated(self, index) -> None:
        row = self.proxy.data(index, ROW_ROLE)
        record = self.library.get(row.name) if row else None
        if record is not None:
            self.simulation_activated.emit(record.name, record.simulation)
