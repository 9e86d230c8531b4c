"""The data a "Try it" conversation runs with: the customer's segment, what each
connector answers (its sample, another answer, or a failure) and the decision
of each approval checkpoint. So every branch can be tried by hand, not only the
one the connectors' samples lead to; a saved run keeps this data as fixtures."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QScrollArea,
                               QVBoxLayout, QWidget)

from studio.core.project import Project
from studio.core.simulation import Fixtures

from ..sim_editor.json_edit import JsonEdit
from ..sim_editor.sim_fixtures_form import DECISIONS, approval_steps, procedure_connectors

SAMPLE, ANSWER, FAILS = "sample", "answer", "fails"
NO_SEGMENT = "(no segment)"


class ConnectorChoice(QWidget):
    """One connector: answers with its sample, with the answer typed here, or fails."""
    changed = Signal()

    def __init__(self, name: str, sample: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.name = name
        self.mode = QComboBox()
        self.mode.addItem("answers with its sample", SAMPLE)
        self.mode.addItem("answers with…", ANSWER)
        self.mode.addItem("fails", FAILS)
        self.answer = JsonEdit(sample, sample=sample)
        self.answer.setMaximumHeight(110)
        self.failure = QLineEdit("HTTP 500")
        self.failure.setToolTip("What the failure says: an HTTP status (500, 404) or a message (timeout)")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mode)
        layout.addWidget(self.answer)
        layout.addWidget(self.failure)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.answer.changed.connect(self.changed.emit)
        self.failure.textChanged.connect(lambda _t: self.changed.emit())
        self._mode_changed()

    def _mode_changed(self) -> None:
        mode = self.mode.currentData()
        self.answer.setVisible(mode == ANSWER)
        self.failure.setVisible(mode == FAILS)
        self.changed.emit()

    def set_mode(self, mode: str, value: Any = None) -> None:
        self.mode.setCurrentIndex(max(self.mode.findData(mode), 0))
        if mode == ANSWER and value is not None:
            self.answer.set_value(value)
        if mode == FAILS and value:
            self.failure.setText(str(value))

    def fixture(self) -> Any:
        """The fixture for this connector, or None for "its sample"."""
        mode = self.mode.currentData()
        if mode == ANSWER:
            return self.answer.value()
        if mode == FAILS:
            text = self.failure.text().strip() or "HTTP 500"
            code = text.upper().removeprefix("HTTP").strip()
            return {"error": int(code)} if code.isdigit() else {"error": text}
        return None


class TryDataPanel(QScrollArea):
    changed = Signal()

    def __init__(self, project: Project, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("try-data")
        self.setWidgetResizable(True)
        self.project = project
        self.procedure_id: str | None = None
        self.connectors: dict[str, ConnectorChoice] = {}
        self.approvals: dict[str, QComboBox] = {}
        self.segment = QComboBox()
        self.procedure = QComboBox()
        self.procedure.setToolTip("Whose connectors and approvals are listed below; the customer's "
                                  "first message still chooses the procedure that runs")
        self.procedure.currentIndexChanged.connect(lambda _i: self._rebuild())
        self.segment.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.set_project(project)

    def set_project(self, project: Project, procedure_id: str | None = None) -> None:
        """The project changed (a save, a settings edit): the data set so far is kept."""
        try:
            kept = (self.fixtures(), self.segment_name()) if self.connectors or self.approvals else None
        except ValueError:                 # an answer being typed is not JSON yet: start afresh
            kept = None
        self.project = project
        current = self.segment.currentText()
        self.segment.blockSignals(True)
        self.segment.clear()
        self.segment.addItem(NO_SEGMENT, None)
        for name, attributes in project.settings.segments.items():
            self.segment.addItem(name, name)
            self.segment.setItemData(self.segment.count() - 1, repr(attributes), 3)   # tooltip
        self.segment.setCurrentIndex(max(self.segment.findText(current), 0))
        self.segment.blockSignals(False)
        wanted = procedure_id or self.procedure.currentData()
        self.procedure.blockSignals(True)
        self.procedure.clear()
        for pid, procedure in sorted(project.procedures.items()):
            self.procedure.addItem(procedure.title or pid, pid)
        self.procedure.setCurrentIndex(max(self.procedure.findData(wanted), 0))
        self.procedure.blockSignals(False)
        self._rebuild()
        if kept is not None:
            self.load(*kept)

    def set_procedure(self, procedure_id: str | None) -> None:
        index = self.procedure.findData(procedure_id)
        if index >= 0 and index != self.procedure.currentIndex():
            self.procedure.setCurrentIndex(index)

    def _rebuild(self) -> None:
        self.procedure_id = self.procedure.currentData()
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(4, 4, 4, 4)
        head = QFormLayout()
        head.addRow("Procedure", self.procedure)
        head.addRow("Customer segment", self.segment)
        column.addLayout(head)
        self.connectors, self.approvals = {}, {}
        names = procedure_connectors(self.project, self.procedure_id)
        box = QGroupBox("Connectors")
        form = QVBoxLayout(box)
        if not names:
            form.addWidget(QLabel("This procedure calls no connectors."))
        for name in names:
            connector = self.project.connectors.get(name)
            choice = ConnectorChoice(name, connector.sample if connector else None)
            choice.changed.connect(self.changed.emit)
            title = QLabel(f"<b>{name}</b>")
            form.addWidget(title)
            form.addWidget(choice)
            self.connectors[name] = choice
        column.addWidget(box)
        abox = QGroupBox("Approvals")
        aform = QFormLayout(abox)
        steps = approval_steps(self.project, self.procedure_id)
        if not steps:
            aform.addRow(QLabel("This procedure has no approval checkpoints."))
        for step in steps:
            combo = QComboBox()
            for label, value in DECISIONS:
                combo.addItem(label, value)
            combo.setToolTip(step.note)
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
            aform.addRow(step.id, combo)
            self.approvals[step.id] = combo
        column.addWidget(abox)
        column.addStretch(1)
        old = self.takeWidget()          # the two combos moved to `body` above and live on
        if old is not None:
            old.deleteLater()
        self.setWidget(body)
        self.changed.emit()

    def load(self, fixtures: Fixtures, segment: str | None) -> None:
        """Start from a simulation's data (Try it on an open simulation)."""
        self.set_segment(segment)
        for name, choice in self.connectors.items():
            value = fixtures.connectors.get(name)
            if isinstance(value, list):
                value = value[0] if value else None
            if value is None:
                choice.set_mode(SAMPLE)
            elif isinstance(value, dict) and set(value) <= {"error", "message", "status"} and "error" in value:
                choice.set_mode(FAILS, value["error"])
            else:
                choice.set_mode(ANSWER, value)
        for step_id, combo in self.approvals.items():
            combo.setCurrentIndex(max(combo.findData(fixtures.approvals.get(step_id)), 0))

    def segment_name(self) -> str | None:
        return self.segment.currentData()

    def set_segment(self, name: str | None) -> None:
        self.segment.setCurrentIndex(max(self.segment.findData(name), 0))

    def set_approval(self, step_id: str, decision: str | None) -> None:
        combo = self.approvals[step_id]
        combo.setCurrentIndex(max(combo.findData(decision), 0))

    def fixtures(self) -> Fixtures:
        """Raises ValueError naming the connector whose typed answer is not JSON."""
        connectors: dict[str, Any] = {}
        for name, choice in self.connectors.items():
            try:
                value = choice.fixture()
            except ValueError as exc:
                raise ValueError(f"the answer typed for {name} is not valid JSON ({exc})") from None
            if value is not None:
                connectors[name] = value
        approvals = {step: combo.currentData() for step, combo in self.approvals.items()
                     if combo.currentData()}
        return Fixtures(connectors=connectors, approvals=approvals)
