"""Write a condition in words and get the expression from the model (off the GUI
thread), checked, read back in plain words, with a preview of which branch the
connectors' sample data would take. Nothing changes until "Use it"."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from studio.core.condition_names import branch_taken, condition_names, sample_values
from studio.core.plain_words import describe_condition

from ..background import Task, make_pool


def draft_condition(project: Any, words: str, names: dict[str, str], variables: Any) -> Any:
    """The model call (worker thread): the project's model, its key from keyring/env."""
    from studio.llm.condition import condition_from_words
    from studio.llm.settings import settings_for_project
    return condition_from_words(words, names, settings=settings_for_project(project),
                                variables=variables)


class ConditionWordsDialog(QDialog):
    def __init__(self, project: Any, procedure: Any, step: Any, branch: int,
                 parent: QWidget | None = None, draft_fn: Any = None):
        super().__init__(parent)
        self.setWindowTitle("Write the condition in words")
        self.setMinimumWidth(560)
        self.project, self.procedure, self.step, self.branch = project, procedure, step, branch
        self.names = condition_names(project, procedure)
        self.values = sample_values(project, procedure)
        self._draft_fn = draft_fn or draft_condition
        self._pool = make_pool(1, self)
        self._task: Task | None = None
        self.expression: str | None = None
        self.words = QLineEdit()
        self.words.setPlaceholderText("e.g. the order was delivered more than 7 days ago")
        self.make = QPushButton("Make expression")
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        fields = QLabel("Can read: " + ", ".join(list(self.names)[:24]))
        fields.setWordWrap(True)
        fields.setObjectName("Muted")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.use_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.use_button.setText("Use it")
        self.use_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.make.clicked.connect(self.ask)
        self.words.returnPressed.connect(self.ask)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("When should this branch run?"))
        layout.addWidget(self.words)
        layout.addWidget(fields)
        layout.addWidget(self.make)
        layout.addWidget(self.result)
        layout.addWidget(self.buttons)
        if project.settings.model.is_offline:
            self.make.setEnabled(False)
            self.result.setText("Turning words into an expression needs a model: choose one in "
                                "Project → Settings (the offline engine cannot write expressions).")

    def ask(self) -> None:
        words = self.words.text().strip()
        if not words or self._task is not None:
            return
        project, names, variables = self.project, self.names, self.procedure.variables
        task = Task(lambda _p: self._draft_fn(project, words, names, variables))
        task.finished.connect(self.show_draft)
        task.failed.connect(lambda m: self._failed(m.splitlines()[0]))
        self._task = task
        self.make.setEnabled(False)
        self.result.setText("Asking the model…")
        self._pool.start(task)

    def _failed(self, message: str) -> None:
        self._task = None
        self.make.setEnabled(True)
        self.result.setText(f"<span style='color:#b3261e'>The model could not help: {message}</span>")

    def show_draft(self, draft: Any) -> None:
        self._task = None
        self.make.setEnabled(True)
        self.expression = draft.expression
        if draft.expression is None:
            self.result.setText(f"<span style='color:#b3261e'>{draft.problem}</span>")
            self.use_button.setEnabled(False)
            return
        taken = branch_taken(self.step, self.values, (self.branch, draft.expression))
        self.result.setText(
            f"<code>{draft.expression}</code><br>reads: {describe_condition(draft.expression, self.procedure.variables)}"
            f"<br><b>Preview:</b> with the connectors' sample data the conversation takes <b>{taken}</b>.")
        self.use_button.setEnabled(True)

    def done(self, code: int) -> None:
        self._pool.waitForDone(100)
        super().done(code)
