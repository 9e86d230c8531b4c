"""The runner: run the open simulation (offline engine or the configured
model) off the GUI thread and show transcript, reasoning and expectation
results; or "try it" by typing the customer's turns and save that run as a
new simulation. Steps passed/failed are announced with `steps_marked` so the
procedure editor can light them up."""
from __future__ import annotations

import re
from typing import Any, Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QInputDialog, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QSplitter, QTabWidget, QVBoxLayout,
                               QWidget)

from studio.core.project import Project
from studio.core.simulation import CustomerTurn, Simulation

from .. import services
from .capture import simulation_from_result
from .expectations_view import ExpectationsView
from ...theme import colors, tone
from ...widgets.elided_label import ElidedLabel
from ..marks import LIVE_EVENTS, LiveMarks, step_marks
from ..run_errors import error_hint, short_error
from .transcript_view import TranscriptView
from .try_data import TryDataPanel
from ...background import Task, make_pool

STATUS_COLOURS = {"passed": "#1e7b34", "failed": "#b3261e", "error": "#b35c00",
                  "running": "#2f5d8f", "": "#5c6b7a"}
NO_SIMULATION = ("No simulation open. Double-click one in the project tree or the Library, "
                 "or press “Try it” and play the customer yourself.")
DARK_BANNER_CSS = ("QLabel { background:#3a2a12; border:1px solid #8a6d2c; border-radius:6px;"
                   " color:#f3e3b5; padding:6px 10px; }")
BANNER_CSS = ("QLabel { background:#fff4e0; border:1px solid #e8b15a; border-radius:6px;"
              " color:#4a2f00; padding:6px 10px; }")
TRY_NAME = "Tried by hand"
LIVE_REPAINT_MS = 40      # live step marks repaint at most this often


def slug(text: str) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]
    return value or "simulation"


class RunnerPanel(QWidget):
    run_started = Signal()
    run_finished = Signal(object)             # SimulationResult
    steps_marked = Signal(str, dict)          # procedure id, {step id: active|passed|failed}
    simulation_saved = Signal(str, object)    # key, Simulation
    _live_event = Signal(int, object)         # run number, trace event dict (from the worker)

    def __init__(self, project: Project, run_fn: services.RunFn | None = None,
                 save_simulation: Callable[[str, Simulation], Any] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("runner-panel")
        self.project = project
        self._run_fn = run_fn
        self._save = save_simulation or (lambda key, sim: self.project.save_simulation(key, sim))
        self._pool = make_pool(1, self)
        self._task: Task | None = None
        self.simulation: Simulation | None = None
        self.simulation_key: str | None = None
        self.last_result: Any = None
        self.try_turns: list[CustomerTurn] = []
        self.try_mode = False
        self._run_number = 0
        self._live = LiveMarks()
        self._live_dirty: set[str] = set()
        self._marked: set[str] = set()            # procedures whose editors show our marks
        self._live_timer = QTimer(self)
        self._live_timer.setSingleShot(True)
        self._live_timer.setInterval(LIVE_REPAINT_MS)
        self._live_timer.timeout.connect(self._live_tick)
        self._live_event.connect(self._on_live_event, Qt.ConnectionType.QueuedConnection)
        self._build()
        self.set_project(project)

    # -- layout -------------------------------------------------------------
    def _build(self) -> None:
        self.title = ElidedLabel("No simulation open")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.title.setFont(font)
        self.engine = QComboBox()
        self.engine.setToolTip("Run with the deterministic offline engine or the model set in studio.yaml")
        self.run_button = QPushButton("▶ Run")
        self.run_button.setToolTip("Run the open simulation (Ctrl+R)")
        self.run_button.setEnabled(False)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop the run (Ctrl+.)")
        self.stop_button.setEnabled(False)
        self.try_button = QPushButton("Try it")
        self.try_button.setCheckable(True)
        self.try_button.setToolTip("Play the customer yourself: type each turn and see how the "
                                   "procedure answers (Ctrl+T)")
        self.save_button = QPushButton("Save this run as a simulation…")
        self.save_button.setToolTip("Keep the conversation you tried as a simulation, with expectations "
                                    "filled in from what happened")
        self.save_button.setEnabled(False)
        self.save_button.setVisible(False)        # only a tried run is saved: room for the title
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.banner = QLabel("")                  # why a run ended in `error`, and what to do
        self.banner.setObjectName("run-error")
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setStyleSheet(DARK_BANNER_CSS if colors().dark else BANNER_CSS)
        self.banner.setVisible(False)

        bar = QHBoxLayout()
        bar.addWidget(self.title, 1)
        bar.addWidget(self.status)
        bar.addSpacing(12)
        bar.addWidget(self.engine)
        bar.addWidget(self.run_button)
        bar.addWidget(self.stop_button)
        bar.addWidget(self.try_button)
        bar.addWidget(self.save_button)

        self.transcript = TranscriptView()
        self.expectations = ExpectationsView()
        self.input = QLineEdit()
        self.input.setPlaceholderText("Type what the customer says and press Enter…")
        self.send_button = QPushButton("Send")
        self.input_row = QWidget()
        row = QHBoxLayout(self.input_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.input, 1)
        row.addWidget(self.send_button)
        self.input_row.setVisible(False)

        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.transcript, 1)
        column.addWidget(self.input_row)
        self.try_data = TryDataPanel(self.project)
        right = QTabWidget()               # what was expected; in Try it, the data it runs with
        right.setObjectName("runner-side")
        right.addTab(self.expectations, "Expectations")
        right.addTab(self.try_data, "Try data")
        right.setTabToolTip(1, "Segment, connector answers or failures and approval decisions "
                               "for the conversation you try")
        self.side = right
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self._sized = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.transcript.show_placeholder(NO_SIMULATION)

        self.run_button.clicked.connect(self.run)
        self.stop_button.clicked.connect(self.cancel)
        self.try_button.toggled.connect(self.set_try_mode)
        self.send_button.clicked.connect(self._send_clicked)
        self.input.returnPressed.connect(self._send_clicked)
        self.save_button.clicked.connect(self._save_clicked)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            width = max(self.width(), 800)
            self.splitter.setSizes([width * 3 // 5, width * 2 // 5])

    # -- state --------------------------------------------------------------
    def set_project(self, project: Project) -> None:
        self.project = project
        if hasattr(self, "try_data"):
            self.try_data.set_project(project)
        self.transcript.attachments_dir = project.root / "attachments"
        current = self.engine.currentData()
        self.engine.clear()
        for label, model in services.engine_choices(project):
            self.engine.addItem(label, model)
        index = self.engine.findData(current)
        self.engine.setCurrentIndex(max(index, 0))

    def open_simulation(self, simulation: Simulation, key: str | None = None) -> None:
        self.simulation, self.simulation_key = simulation, key
        self.title.setText(simulation.name)
        self.title.setToolTip(f"procedure: {simulation.procedure or '(routed by the trigger)'}")
        if self.try_mode:
            self.try_button.setChecked(False)
        self.transcript.show_placeholder("Press Run (Ctrl+R) to play this simulation.")
        self.expectations.clear()
        self._show_error(None)
        self._set_status("")
        self._set_running(self.is_running())

    def show_stored_result(self, simulation: Simulation | None, key: str | None, result: Any) -> None:
        """A result as the library stored it: transcript, trace and verdicts, without running."""
        if simulation is not None:
            self.open_simulation(simulation, key)
        self.show_result(result)
        self.side.setCurrentWidget(self.expectations)       # what failed, beside the transcript
        self.title.setText(f"{result.simulation}  (stored result)")
        self.title.setToolTip("As the last run stored it; press Run (Ctrl+R) to run it again")

    def set_try_mode(self, on: bool) -> None:
        self.try_mode = on
        if self.try_button.isChecked() != on:
            self.try_button.setChecked(on)
        self.input_row.setVisible(on)
        self.save_button.setVisible(on)
        self.try_turns = []
        self.save_button.setEnabled(False)
        self._show_error(None)
        if on:
            self.side.setCurrentWidget(self.try_data)
            if self.simulation is not None:
                self.try_data.set_procedure(self.simulation.procedure)
                self.try_data.load(self.simulation.fixtures, self.simulation.customer.segment)
            self.title.setText("Try it: you are the customer")
            self.transcript.show_placeholder("Type the customer's first message below and press Enter.")
            self.expectations.clear()
            self.input.setFocus()
        elif self.simulation is not None:
            self.title.setText(self.simulation.name)
            self.transcript.show_placeholder("Press Run (Ctrl+R) to play this simulation.")
        else:
            self.title.setText("No simulation open")
            self.transcript.show_placeholder(NO_SIMULATION)
        self._set_running(self.is_running())

    @property
    def model(self) -> str:
        return self.engine.currentData() or "offline"

    def is_running(self) -> bool:
        return self._task is not None

    # -- running ------------------------------------------------------------
    def run(self) -> None:
        if self.try_mode:
            try:
                self._run_simulation(self._try_simulation())
            except ValueError as exc:
                self._show_error(f"Try data: {exc}")
        elif self.simulation is not None:
            self._run_simulation(self.simulation)

    def send_customer_turn(self, text: str) -> None:
        """Add a hand-typed customer turn and re-run the conversation with it."""
        text = text.strip()
        if not text or self.is_running():
            return
        if not self.try_mode:
            self.set_try_mode(True)
        try:
            simulation = self._try_simulation(extra=CustomerTurn(text=text))
        except ValueError as exc:           # Try data that is not JSON yet: say so, keep the turn
            self._show_error(f"Try data: {exc}")
            self.input.setText(text)
            return
        self.try_turns.append(CustomerTurn(text=text))
        self._run_simulation(simulation)

    def _try_simulation(self, extra: CustomerTurn | None = None) -> Simulation:
        # deterministic offline, so replaying all turns equals continuing the conversation;
        # the Try data tab sets the segment, connector answers and approval decisions
        base = self.simulation
        turns = self.try_turns + ([extra] if extra is not None else [])
        customer: dict[str, Any] = {"script": [t.model_dump() for t in turns],
                                    "segment": self.try_data.segment_name()}
        if base is not None:
            customer = base.customer.model_copy(update={"script": list(turns),
                                                        "segment": self.try_data.segment_name()})
        return Simulation.model_validate({"name": TRY_NAME, "customer": customer,
                                          "fixtures": self.try_data.fixtures()})

    def _run_simulation(self, simulation: Simulation) -> None:
        if self.is_running():
            return
        run_fn = self._run_fn or services.default_run_fn()
        project, options = services.snapshot(self.project), services.make_options(self.model)
        self._start_live()
        number, emit = self._run_number, self._live_event.emit

        def on_event(event: dict) -> None:       # worker thread: queue step events to the GUI
            if event.get("type") in LIVE_EVENTS:
                emit(number, event)

        task = Task(lambda progress: services.call_run(run_fn, project, simulation, options,
                                                       progress, on_event=on_event))
        task.finished.connect(self._finished)
        task.failed.connect(self._failed)
        self._task = task
        self._set_running(True)
        self.run_started.emit()
        self._pool.start(task)

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._set_status("Stopping…", "running")

    # -- live step marks ----------------------------------------------------
    def _start_live(self) -> None:
        self._run_number += 1
        self._live = LiveMarks()
        self._live_dirty.clear()
        self._live_timer.stop()
        for proc in sorted(self._marked):       # the previous run's colours go
            self.steps_marked.emit(proc, {})
        self._marked.clear()

    def _on_live_event(self, number: int, event: dict) -> None:
        if number != self._run_number or self._task is None:
            return                              # a late event of an earlier run
        proc = self._live.feed(event)
        if proc is None:
            return
        self._live_dirty.add(proc)
        if not self._live_timer.isActive():     # paint at once, then at most every 40 ms
            self._flush_live()
            self._live_timer.start()

    def _live_tick(self) -> None:
        if self._live_dirty:
            self._flush_live()
            self._live_timer.start()

    def _flush_live(self) -> None:
        dirty, self._live_dirty = sorted(self._live_dirty), set()
        for proc in dirty:
            self._marked.add(proc)
            self.steps_marked.emit(proc, dict(self._live.marks.get(proc, {})))

    def _final_marks(self, marks: dict[str, dict[str, str]]) -> None:
        self._live_timer.stop()
        self._live_dirty.clear()
        for proc in sorted(self._marked - set(marks)):
            self.steps_marked.emit(proc, {})
        self._marked = set(marks)
        for proc, procedure_marks in marks.items():
            self.steps_marked.emit(proc, procedure_marks)

    def _finished(self, result: Any) -> None:
        self._task = None
        self._set_running(False)
        self.show_result(result)
        self.run_finished.emit(result)

    def _failed(self, message: str) -> None:
        self._task = None
        self._set_running(False)
        self._final_marks(self._live.stopped())
        reason = message.splitlines()[0]
        self.transcript.show_placeholder("The run could not start.")
        self._show_error(reason)
        self._set_status("ERROR", "error")

    def show_result(self, result: Any) -> None:
        self.last_result = result
        self.transcript.set_result(result)
        self.expectations.set_results(list(result.expectations))
        self._show_error(result.error if result.status == "error" else None, result.error_code)
        if result.status == "error" and not result.expectations:
            self.expectations.show_message("Not judged: the run ended in an error before it finished.")
        elif self.try_mode:
            self.expectations.show_message("A tried conversation has no expectations yet: "
                                           "“Save this run as a simulation” fills them in from it.")
        bits = [f"{result.turns} turn{'' if result.turns == 1 else 's'}", f"{result.duration_ms:.0f} ms", result.engine]
        if result.outcome:
            bits.insert(0, result.outcome)
        if result.tokens:
            bits.append(f"{result.tokens} tokens")
        if result.tokens is not None or result.cost is not None or result.cost_known:
            from studio.llm.usage import cost_text     # plain formatting: no litellm behind it
            bits.append(f"cost {cost_text(result.cost, result.cost_known)}")
        if result.status == "error" and result.error == "cancelled":
            self._set_status(f"STOPPED  <span style='color:#5c6b7a'>{' · '.join(bits)}</span>", "")
        elif self.try_mode and result.status != "error":
            self._set_status(" · ".join(bits), "")
        else:
            self._set_status(f"{result.status.upper()}  <span style='color:#5c6b7a'>"
                             f"{' · '.join(bits)}</span>", result.status)
        self.save_button.setEnabled(self.try_mode and bool(self.try_turns))
        self._final_marks(step_marks(result))
        self.transcript.scroll_to_end()

    def restyle(self) -> None:
        """The theme changed: colours are baked into the bubbles, so a shown result is re-drawn
        with the same turns expanded and the same scroll position."""
        self.banner.setStyleSheet(DARK_BANNER_CSS if colors().dark else BANNER_CSS)
        self.transcript.restyle()
        if self.is_running() or self.last_result is None:
            return
        expanded = self.transcript.expanded_rows()
        bar = self.transcript.verticalScrollBar()
        scroll = bar.value()
        self.show_result(self.last_result)
        bubbles = self.transcript.agent_bubbles()
        for n in expanded:
            if n < len(bubbles):
                bubbles[n].set_expanded(True)
        QTimer.singleShot(0, self, lambda: bar.setValue(scroll))

    def _show_error(self, error: str | None, code: str | None = None) -> None:
        if not error:
            self.banner.setVisible(False)
            return
        import html
        title = "Stopped." if code == "cancelled" else "The run could not finish."
        self.banner.setText(f"<b>{title}</b> {html.escape(short_error(error))}<br>"
                            f"<b>What to do:</b> {html.escape(error_hint(code))}")
        self.banner.setVisible(True)

    def _set_running(self, running: bool) -> None:
        was_disabled = not self.input.isEnabled()
        runnable = bool(self.try_turns) if self.try_mode else self.simulation is not None
        self.run_button.setEnabled(not running and runnable)
        self.stop_button.setEnabled(running)
        self.send_button.setEnabled(not running)
        self.input.setEnabled(not running)
        if running:
            self._set_status("running…", "running")
            self._show_error(None)
        elif was_disabled and self.try_mode:
            self.input.setFocus()

    def _set_status(self, text: str, state: str = "") -> None:
        colour = STATUS_COLOURS.get(state, STATUS_COLOURS[""])
        self.status.setText(tone(f"<span style='color:{colour}; font-weight:600'>{text}</span>") if text else "")

    # -- try it -> simulation ----------------------------------------------
    def capture(self, name: str) -> Simulation:
        if self.last_result is None or not self.try_turns:
            raise ValueError("try a conversation first")
        return simulation_from_result(self.last_result, list(self.try_turns), name, base=self.simulation,
                                      fixtures=self.try_data.fixtures(),
                                      segment=self.try_data.segment_name())

    def save_try_run(self, name: str) -> tuple[str, Simulation]:
        simulation = self.capture(name)
        key = slug(name)
        existing = set(self.project.simulations)
        base, n = key, 2
        while key in existing:
            key, n = f"{base}-{n}", n + 1
        self._save(key, simulation)
        self.simulation_saved.emit(key, simulation)
        return key, simulation

    def _send_clicked(self) -> None:
        text = self.input.text()
        self.input.clear()
        self.send_customer_turn(text)

    def _save_clicked(self) -> None:
        default = (self.try_turns[0].text[:50] if self.try_turns else "New simulation")
        name, ok = QInputDialog.getText(self, "Save this run as a simulation", "Name:", text=default)
        if not ok or not name.strip():
            return
        try:
            key, _ = self.save_try_run(name.strip())
        except Exception as exc:  # a bad name or a disk error: say so, keep the run
            QMessageBox.warning(self, "Could not save", str(exc))
            return
        self._set_status(f"saved as {key}", "passed")
