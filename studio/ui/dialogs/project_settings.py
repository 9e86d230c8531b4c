"""Project settings (studio.yaml): name and tone, the model, segments and real calls.

The dialog only builds a new `ProjectSettings`; the main window pushes it as an
undo command and saves studio.yaml (atomically) when the dialog is accepted.
API keys are the exception: they live in the OS keyring and are set at once.
"""
from __future__ import annotations

from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPlainTextEdit, QTabWidget,
                               QVBoxLayout, QWidget)

from studio.core.settings import ModelSettings, ProjectSettings, RealCalls

from ..theme import tone
from .model_page import ModelPage
from .segments_table import SegmentsTable


class RealCallsPage(QWidget):
    """Which connectors may reach the network in simulations, and only which hosts."""

    def __init__(self, connectors: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        hint = QLabel("Simulations use each connector's sample or fixtures and never reach the "
                      "network, unless a connector is ticked here. Then its request is sent, "
                      "and only to the hosts listed below. Secrets in requests come from the "
                      "OS keyring or the environment.")
        hint.setWordWrap(True)
        hint.setObjectName("Muted")
        self.connectors = QListWidget()
        self._known = connectors
        self.hosts = QPlainTextEdit()
        self.hosts.setPlaceholderText("one host a line, e.g. api.example.com")
        self.hosts.setTabChangesFocus(True)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(QLabel("Connectors allowed to make real calls"))
        layout.addWidget(self.connectors, 2)
        layout.addWidget(QLabel("Allowed hosts"))
        layout.addWidget(self.hosts, 1)

    def load(self, real: RealCalls) -> None:
        self.connectors.clear()
        for name in sorted(set(self._known) | set(real.connectors)):
            label = name if name in self._known else f"{name} (not in this project)"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in real.connectors
                               else Qt.CheckState.Unchecked)
            self.connectors.addItem(item)
        self.hosts.setPlainText("\n".join(real.allowed_hosts))

    def value(self) -> RealCalls:
        ticked = [self.connectors.item(i).data(Qt.ItemDataRole.UserRole)
                  for i in range(self.connectors.count())
                  if self.connectors.item(i).checkState() == Qt.CheckState.Checked]
        hosts = [h.strip() for h in self.hosts.toPlainText().replace(",", "\n").splitlines()]
        return RealCalls(connectors=ticked, allowed_hosts=[h for h in hosts if h])


class ProjectSettingsDialog(QDialog):
    def __init__(self, settings: ProjectSettings, connectors: list[str],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("project-settings")
        self.setWindowTitle("Project settings")
        self.original = settings
        self.resize(720, 640)
        self.name = QLineEdit()
        self.tone = QPlainTextEdit()
        self.tone.setPlaceholderText("Style guidance for the agent's replies, e.g. "
                                     "“Friendly and concise. Apologise once, then fix the problem.”")
        self.tone.setTabChangesFocus(True)
        self.tone.setMaximumHeight(120)
        tone_hint = QLabel("Used by a model engine for every reply; the offline engine sends "
                           "the procedure's “say” texts as written.")
        tone_hint.setWordWrap(True)
        tone_hint.setObjectName("Muted")
        general = QWidget()
        form = QFormLayout(general)
        form.addRow("Name", self.name)
        form.addRow("Tone", self.tone)
        form.addRow("", tone_hint)
        self.model = ModelPage()
        self.segments = SegmentsTable()
        self.real_calls = RealCallsPage(connectors)
        self.tabs = QTabWidget()
        self.tabs.addTab(general, "General")
        self.tabs.addTab(self.model, "Model")
        self.tabs.addTab(self.segments, "Segments")
        self.tabs.addTab(self.real_calls, "Real calls")
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(tone("color:#b3261e;"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self.load(settings)
        for signal in (self.name.textChanged, self.tone.textChanged, self.model.changed,
                       self.segments.changed):
            signal.connect(self._check)
        self._check()

    def load(self, settings: ProjectSettings) -> None:
        self.name.setText(settings.name)
        self.tone.setPlainText(settings.tone or "")
        self.model.load(settings.model)
        self.segments.load(settings.segments)
        self.real_calls.load(settings.real_calls)

    def all_problems(self) -> list[str]:
        out = [] if self.name.text().strip() else ["General: the project needs a name"]
        return out + self.model.problems() + self.segments.problems()

    def settings(self) -> ProjectSettings:
        """The edited settings; raises ValueError with a readable message."""
        problems = self.all_problems()
        if problems:
            raise ValueError("; ".join(problems))
        try:
            model = ModelSettings(**{k: v for k, v in self.model.values().items() if v is not None})
            return self.original.model_copy(update={
                "name": self.name.text().strip(),
                "tone": self.tone.toPlainText().strip() or None,
                "model": model, "segments": self.segments.segments(),
                "real_calls": self.real_calls.value()}, deep=True)
        except ValidationError as exc:
            raise ValueError(str(exc).splitlines()[0]) from None

    def _check(self) -> list[str]:
        problems = self.all_problems()
        self.problems.setText("\n".join(f"• {p}" for p in problems))
        self.problems.setVisible(bool(problems))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problems)
        return problems

    def accept(self) -> None:
        try:
            self.settings()
        except ValueError as exc:
            self.problems.setText(f"• {exc}")
            self.problems.setVisible(True)
            return
        super().accept()

    def changed(self) -> bool:
        try:
            return self.settings().to_data() != self.original.to_data()
        except ValueError:
            return True
