"""Fixtures of a simulation: connector responses as JSON checked against each
connector's sample, and decisions for the procedure's approval checkpoints."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QLabel,
                               QVBoxLayout, QWidget)

from studio.core.project import Project
from studio.core.simulation import Fixtures
from studio.core.steps import CheckpointStep, ConnectorStep

from .json_edit import JsonEdit
from .form_problems import Problem, within

DECISIONS = [("default (approved)", None), ("approved", "approved"), ("rejected", "rejected")]


def procedure_connectors(project: Project, procedure_id: str | None) -> list[str]:
    proc = project.procedures.get(procedure_id or "")
    if proc is None:
        return []
    seen: list[str] = []
    for step in proc.all_steps():
        if isinstance(step, ConnectorStep) and step.connector not in seen:
            seen.append(step.connector)
    return seen


def approval_steps(project: Project, procedure_id: str | None) -> list[CheckpointStep]:
    proc = project.procedures.get(procedure_id or "")
    if proc is None:
        return []
    return [s for s in proc.all_steps() if isinstance(s, CheckpointStep) and s.mode == "approval"]


class FixturesForm(QWidget):
    changed = Signal()

    def __init__(self, project: Project, parent: QWidget | None = None):
        super().__init__(parent)
        self.project = project
        self.editors: dict[str, tuple[QCheckBox, JsonEdit]] = {}
        self.approvals: dict[str, QComboBox] = {}
        self._extra_approvals: dict[str, str] = {}
        self.body = QWidget()
        self.column = QVBoxLayout(self.body)
        layout = QVBoxLayout(self)     # the simulation editor scrolls the whole tab
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.body)

    def load(self, fixtures: Fixtures, procedure_id: str | None) -> None:
        while self.column.count():
            item = self.column.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.editors, self.approvals = {}, {}
        used = procedure_connectors(self.project, procedure_id)
        names = used + sorted(n for n in set(self.project.connectors) | set(fixtures.connectors)
                              if n not in used)
        box = QGroupBox("Connector responses")
        box_layout = QVBoxLayout(box)
        hint = QLabel("Unchecked connectors answer with their sample. A list is consumed one call at a time; "
                      '{"error": "timeout"} injects a failure.')
        hint.setWordWrap(True)
        hint.setStyleSheet("color:#5c6b7a; font-size:11px;")
        box_layout.addWidget(hint)
        for name in names:
            connector = self.project.connectors.get(name)
            present = name in fixtures.connectors
            check = QCheckBox(f"{name}" + ("" if name in used else "  (not used by this procedure)")
                              + ("" if connector else "  (unknown connector)"))
            check.setChecked(present)
            value = fixtures.connectors.get(name, connector.sample if connector else None)
            edit = JsonEdit(value, sample=connector.sample if connector else None)
            edit.setMaximumHeight(120)
            edit.setEnabled(present)
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(lambda _=False: self.changed.emit())
            edit.changed.connect(self.changed.emit)
            box_layout.addWidget(check)
            box_layout.addWidget(edit)
            self.editors[name] = (check, edit)
        self.column.addWidget(box)

        steps = approval_steps(self.project, procedure_id)
        self._extra_approvals = {k: v for k, v in fixtures.approvals.items()
                                 if k not in {s.id for s in steps}}
        abox = QGroupBox("Approvals")
        form = QFormLayout(abox)
        if not steps:
            form.addRow(QLabel("This procedure has no approval checkpoints."))
        for step in steps:
            combo = QComboBox()
            for label, value in DECISIONS:
                combo.addItem(label, value)
            combo.setCurrentIndex(max(combo.findData(fixtures.approvals.get(step.id)), 0))
            combo.setToolTip(step.note)
            combo.currentIndexChanged.connect(lambda _=0: self.changed.emit())
            form.addRow(step.id, combo)
            self.approvals[step.id] = combo
        self.column.addWidget(abox)
        self.column.addStretch(1)

    def fixtures(self) -> Fixtures:
        connectors: dict[str, Any] = {}
        for name, (check, edit) in self.editors.items():
            if check.isChecked():
                connectors[name] = edit.value()
        approvals = dict(self._extra_approvals)
        for step_id, combo in self.approvals.items():
            if combo.currentData():
                approvals[step_id] = combo.currentData()
        return Fixtures(connectors=connectors, approvals=approvals)

    def problems(self) -> list[Problem]:
        out = []
        for name, (check, edit) in self.editors.items():
            if check.isChecked():
                out += within(f"{name}: ", edit.problems())
        return out
