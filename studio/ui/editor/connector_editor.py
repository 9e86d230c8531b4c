"""A connector as a form: description, inputs, the real request, the sample a
simulation gets by default, and "Test call" (the mock, or the real endpoint when
real calls are on for it). Its output fields are listed as conditions read them
(`order.hours_since_delivery`). Every edit is one undoable command; "YAML"
opens the file as text for what the form does not cover."""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QScrollArea, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from studio.core.connector import Connector
from studio.document.project_commands import replace_item
from studio.document.session import ProjectSession

from ..panels.sim_editor.json_edit import JsonEdit
from ..background import Task, make_pool

TYPES = ["string", "number", "integer", "boolean", "email", "date", "object", "list"]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def test_call(project: Any, connector: Connector, inputs: dict[str, Any]) -> dict[str, Any]:
    """One call as a simulation would make it (worker thread): {status, source, output|error}."""
    from studio.runtime.connectors import ConnectorCaller
    real = connector.id in project.settings.real_calls.connectors
    caller = ConnectorCaller(project, {}, real_calls=real)
    try:
        result = caller.call(connector.id, inputs)
    except Exception as exc:     # a fault is reported in the form, never raised into Qt
        return {"status": "error", "source": "real" if real else "sample", "error": str(exc)}
    return {"status": result.status, "source": result.source, "output": result.output,
            "error": result.error}


class ConnectorEditor(QScrollArea):
    kind = "connector"
    text_requested = Signal(str)          # the connector's YAML, as text

    def __init__(self, session: ProjectSession, connector_id: str, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.session, self.item_id = session, connector_id
        self._pool = make_pool(1, self)
        self._task: Task | None = None
        self._loading = False
        body = QWidget()
        self.setWidget(body)
        column = QVBoxLayout(body)
        column.setContentsMargins(16, 10, 16, 10)
        head = QHBoxLayout()
        self.title_label = QLabel()
        self.title_label.setObjectName("InspectorTitle")
        self.yaml_button = QPushButton("YAML")
        self.yaml_button.setToolTip("Edit the connector's file as text")
        self.yaml_button.clicked.connect(lambda: self.text_requested.emit(self.item_id))
        head.addWidget(self.title_label, 1)
        head.addWidget(self.yaml_button)
        column.addLayout(head)
        form = QFormLayout()
        self.description = QLineEdit()
        self.description.textEdited.connect(lambda _t: self._commit())
        form.addRow("Description", self.description)
        self.inputs = QTableWidget(0, 3)
        self.inputs.setHorizontalHeaderLabels(["Input", "Type", "Required"])
        self.inputs.horizontalHeader().setStretchLastSection(True)
        self.inputs.verticalHeader().setVisible(False)
        self.inputs.setMinimumHeight(70)
        self.inputs.setMaximumHeight(120)
        self.inputs.itemChanged.connect(lambda _i: self._commit())
        add_input = QPushButton("Add input")
        add_input.clicked.connect(self.add_input)
        inputs_box = QVBoxLayout()
        inputs_box.addWidget(self.inputs)
        inputs_box.addWidget(add_input, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow("Inputs", inputs_box)
        self.method = QComboBox()
        self.method.addItems(METHODS)
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://api.example.com/orders/{{ order_id }} (only for real calls)")
        self.method.currentTextChanged.connect(lambda _t: self._commit())
        self.url.textEdited.connect(lambda _t: self._commit())
        request = QHBoxLayout()
        request.addWidget(self.method)
        request.addWidget(self.url, 1)
        form.addRow("Request", request)
        self.sample = JsonEdit(None, placeholder='{"status": "delivered", "total": 42.5}')
        self.sample.setMinimumHeight(120)
        self.sample.setMaximumHeight(170)
        self.sample.changed.connect(self._commit)
        form.addRow("Sample answer", self.sample)
        self.fields = QLabel()
        self.fields.setWordWrap(True)
        self.fields.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Output fields", self.fields)
        column.addLayout(form)
        test_row = QHBoxLayout()
        self.test_inputs = QLineEdit()
        self.test_inputs.setPlaceholderText('inputs as JSON, e.g. {"order_id": "PK-483920"}')
        self.test_button = QPushButton("Test call")
        self.test_button.clicked.connect(self.run_test)
        test_row.addWidget(self.test_inputs, 1)
        test_row.addWidget(self.test_button)
        column.addLayout(test_row)
        self.test_result = QLabel("")
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.real = QCheckBox("Real calls are on for this connector (Project → Settings)")
        self.real.setEnabled(False)
        column.addWidget(self.real)
        column.addWidget(self.test_result)
        column.addStretch(1)
        session.item_changed.connect(self._item_changed)
        self.load()

    # -- model <-> form ------------------------------------------------------------
    @property
    def connector(self) -> Connector | None:
        return self.session.project.connectors.get(self.item_id)

    def load(self) -> None:
        connector = self.connector
        if connector is None:
            return
        self._loading = True
        try:
            self.title_label.setText(f"Connector  {connector.id}")
            if self.description.text() != connector.description:
                self.description.setText(connector.description)
            self.inputs.setRowCount(0)
            for name, spec in connector.inputs.items():
                self._input_row(name, spec.type, spec.required)
            self.method.setCurrentText(connector.request.method if connector.request else "GET")
            url = connector.request.url if connector.request else ""
            if self.url.text() != url:
                self.url.setText(url)
            if not self.sample.is_valid() or self.sample.value() != connector.sample:
                self.sample.set_value(connector.sample)
            self._show_fields(connector)
            self.real.setChecked(connector.id in self.session.project.settings.real_calls.connectors)
            if not self.test_inputs.text():
                self.test_inputs.setText(json.dumps({n: "" for n in connector.inputs}))
        finally:
            self._loading = False

    def _show_fields(self, connector: Connector) -> None:
        """What a condition can read after `save_as: order`: order.status, order.total…"""
        fields = connector.sample_fields()
        self.fields.setText(", ".join(f"<i>result</i>.{f}" for f in fields) if fields
                            else "(the sample answer has no fields)")

    def _input_row(self, name: str, kind: str, required: bool) -> None:
        row = self.inputs.rowCount()
        self.inputs.blockSignals(True)
        self.inputs.insertRow(row)
        self.inputs.setItem(row, 0, QTableWidgetItem(name))
        combo = QComboBox()
        combo.addItems(TYPES if kind in TYPES else TYPES + [kind])
        combo.setCurrentText(kind)
        combo.currentTextChanged.connect(lambda _t: self._commit())
        self.inputs.setCellWidget(row, 1, combo)
        check = QTableWidgetItem()
        check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        check.setCheckState(Qt.CheckState.Checked if required else Qt.CheckState.Unchecked)
        self.inputs.setItem(row, 2, check)
        self.inputs.blockSignals(False)

    def add_input(self, name: str = "") -> None:
        taken = {self.inputs.item(r, 0).text() for r in range(self.inputs.rowCount())}
        name = name or next(f"input_{n}" for n in range(1, 100) if f"input_{n}" not in taken)
        self._input_row(name, "string", False)
        self._commit()

    def form_connector(self) -> Connector | None:
        """The connector as the form says, or None while the sample is not valid JSON."""
        connector = self.connector
        if connector is None or not self.sample.is_valid():
            return None
        inputs = {}
        for row in range(self.inputs.rowCount()):
            name = (self.inputs.item(row, 0).text() if self.inputs.item(row, 0) else "").strip()
            if name:
                inputs[name] = {"type": self.inputs.cellWidget(row, 1).currentText(),
                                "required": self.inputs.item(row, 2).checkState() == Qt.CheckState.Checked}
        data = connector.model_dump(by_alias=True) | {
            "description": self.description.text(), "inputs": inputs, "sample": self.sample.value()}
        url = self.url.text().strip()
        if url:
            base = connector.request.model_dump() if connector.request else {}
            data["request"] = base | {"method": self.method.currentText(), "url": url}
        else:
            data["request"] = None
        try:
            return Connector.model_validate(data)
        except ValueError:
            return None

    def _commit(self) -> None:
        if self._loading:
            return
        new = self.form_connector()
        if new is not None and new != self.connector:
            self.session.push(replace_item(self.session, "connector", self.item_id, new))
            self._show_fields(new)

    def _item_changed(self, kind: str, item_id: str) -> None:
        if kind == "connector" and item_id == self.item_id and self.connector is not None:
            new = self.form_connector()
            if new != self.connector:               # undo / redo / the YAML view
                self.load()

    # -- test call --------------------------------------------------------------------
    def run_test(self) -> None:
        if self._task is not None or self.connector is None:
            return
        try:
            inputs = json.loads(self.test_inputs.text() or "{}")
            if not isinstance(inputs, dict):
                raise ValueError("inputs must be a JSON object")
        except ValueError as exc:
            self.test_result.setText(f"Inputs are not a JSON object: {exc}")
            return
        project, connector = self.session.project, self.connector
        task = Task(lambda _p: test_call(project, connector, inputs))
        task.finished.connect(self.show_test)
        task.failed.connect(lambda m: self.show_test({"status": "error", "error": m.splitlines()[0]}))
        self._task = task
        self.test_button.setEnabled(False)
        self.test_result.setText("Calling…")
        self._pool.start(task)

    def show_test(self, outcome: dict[str, Any]) -> None:
        self._task = None
        self.test_button.setEnabled(True)
        self.last_test = outcome
        where = {"sample": "the sample (no network)", "real": "the real endpoint",
                 "fixture": "a fixture"}.get(outcome.get("source", ""), "")
        if outcome.get("status") == "ok":
            text = json.dumps(outcome.get("output"), indent=1, ensure_ascii=False, default=str)
            self.test_result.setText(f"✔ Answered from {where}:\n{text}")
        else:
            self.test_result.setText(f"✖ The call failed ({where}): {outcome.get('error')}")
