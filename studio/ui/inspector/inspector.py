"""The inspector dock's content: the selected step's form, or the procedure's settings."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from studio.document.session import ProjectSession
from .procedure_form import ProcedureForm
from .step_form import StepForm


class Inspector(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.session: ProjectSession | None = None
        self.prompts = None          # the window's prompts (step forms ask through them)
        self.procedure_id: str | None = None
        self.step_form: StepForm | None = None
        self.procedure_form: ProcedureForm | None = None
        from ..widgets.app_undo import AppUndoInFields
        self._app_undo = AppUndoInFields(self)      # Ctrl+Z in a field is the app's undo
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget(self)
        self.step_scroll = QScrollArea()
        self.step_scroll.setWidgetResizable(True)
        self.proc_scroll = QScrollArea()
        self.proc_scroll.setWidgetResizable(True)
        self.tabs.addTab(self.step_scroll, "Step")
        self.tabs.addTab(self.proc_scroll, "Procedure")
        layout.addWidget(self.tabs)
        self._empty("Select a step to edit it.")

    def _empty(self, text: str) -> None:
        label = QLabel(text)
        label.setObjectName("Muted")
        label.setWordWrap(True)
        label.setContentsMargins(16, 16, 16, 16)
        label.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.step_scroll.setWidget(label)
        self.step_form = None

    def set_session(self, session: ProjectSession | None) -> None:
        if self.session is not None:
            self.session.procedure_changed.disconnect(self._on_changed)
        self.session = session
        self.procedure_id = None
        if session is not None:
            session.procedure_changed.connect(self._on_changed)
        self._empty("Select a step to edit it.")
        self.proc_scroll.setWidget(QLabel())
        self.procedure_form = None

    def show_procedure(self, procedure_id: str | None) -> None:
        if procedure_id == self.procedure_id and self.procedure_form is not None:
            return
        self.procedure_id = procedure_id
        if procedure_id is None or self.session is None:
            self.proc_scroll.setWidget(QLabel())
            self.procedure_form = None
            self._empty("Open a procedure to edit it.")
            return
        self.procedure_form = ProcedureForm(self.session, procedure_id)
        self.proc_scroll.setWidget(self.procedure_form)
        self._empty("Select a step to edit it.")

    def show_step(self, procedure_id: str, key: str | None) -> None:
        """`key` is a step id, "<condition-id>#<branch>" (shows the condition) or None."""
        self.show_procedure(procedure_id)
        step_id = key.split("#")[0] if key else None
        if step_id is None:
            self._empty("Select a step to edit it, or edit the procedure's settings in the "
                        "Procedure tab.")
            return
        if self.step_form is not None and self.step_form.step_id == step_id:
            return
        if self.session.project.procedures[procedure_id].find_step(step_id) is None:
            return self._empty("Select a step to edit it.")
        self.step_form = StepForm(self.session, procedure_id, step_id, prompts=self.prompts)
        self.step_scroll.setWidget(self.step_form)
        self.tabs.setCurrentWidget(self.step_scroll)

    def _on_changed(self, procedure_id: str, step_id) -> None:
        if procedure_id != self.procedure_id or self.session is None:
            return
        if procedure_id not in self.session.project.procedures:
            return self.show_procedure(None)
        if self.procedure_form is not None:
            if self.procedure_form.procedure is not self.session.project.procedures[procedure_id]:
                self.procedure_id = None
                self.show_procedure(procedure_id)
            else:
                self.procedure_form.refresh()
        form = self.step_form
        if form is None:
            return
        step = form.step
        if step is None:
            return self._empty("The step was removed.")
        if step.kind != form.kind or (step.kind == "condition"
                                      and len(step.branches) != form.branch_count):
            self.step_form = StepForm(self.session, procedure_id, form.step_id,
                                      prompts=self.prompts)
            self.step_scroll.setWidget(self.step_form)
            return
        form.refresh()
