"""Try a code step: an input per variable the snippet reads, the variables it sets.

The snippet runs in the shared sandbox on a worker thread (never the GUI
thread); values are typed as YAML/JSON so `42.5`, `true` and `{total: 42}` work.
"""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QVBoxLayout)

from studio.core.snippets import analyze_snippet
from studio.core.yaml_io import YamlError, parse_yaml

from ..background import make_pool


def parse_value(text: str) -> Any:
    if not text.strip():
        return None
    try:
        return parse_yaml(text)[0]      # as project files read, limits included
    except YamlError:
        return text


def status_text(status: str, error: str) -> str:
    """'blocked: import of 'os' is not allowed', once: the sandbox's messages often
    start with their status already ("blocked: ...", "timed out after 2 s")."""
    if error.startswith(f"{status}:") or (status == "timeout" and error.startswith("timed out")):
        return error
    return f"{status}: {error}" if error else status


def run_snippet(code: str, variables: dict[str, Any]) -> Any:
    from studio.runtime.sandbox import shared_sandbox   # lazily: the worker process starts on first use
    return shared_sandbox().run(code, variables)


class SnippetTester(QGroupBox):
    finished = Signal(object)    # the SnippetResult (or an error string)

    def __init__(self, parent=None):
        super().__init__("Test snippet", parent)
        self.code = ""
        self.sets: list[str] = []
        self.inputs: dict[str, QLineEdit] = {}
        layout = QVBoxLayout(self)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        row = QHBoxLayout()
        self.run_button = QPushButton("Run")
        self.run_button.clicked.connect(self.run)
        self.status = QLabel("Fill in the inputs and press Run.")
        self.status.setObjectName("Muted")
        self.status.setWordWrap(True)
        row.addWidget(self.run_button)
        row.addWidget(self.status, 1)
        layout.addLayout(row)
        self.output = QPlainTextEdit(readOnly=True)
        self.output.setMaximumHeight(110)
        self.output.setPlaceholderText("Variables the snippet sets appear here.")
        layout.addWidget(self.output)
        self._pool = make_pool(1, self)

    def set_code(self, code: str) -> None:
        self.code = code
        info = analyze_snippet(code)
        names = sorted(info.reads)
        self.sets = list(info.assigns)
        self.output.setPlaceholderText(
            f"Sets {', '.join(self.sets)}: press Run to see the values." if self.sets
            else "The snippet sets no variables.")
        if names == sorted(self.inputs):
            return
        old = {k: w.text() for k, w in self.inputs.items()}
        while self.form.rowCount():
            self.form.removeRow(0)
        self.inputs = {}
        for name in names:
            edit = QLineEdit(old.get(name, ""))
            edit.setPlaceholderText("value (YAML), e.g. 42.5 or {total: 42.5}")
            self.form.addRow(name, edit)
            self.inputs[name] = edit
        if not names:
            self.form.addRow(QLabel("The snippet reads no variables."))

    def values(self) -> dict[str, Any]:
        return {name: parse_value(edit.text()) for name, edit in self.inputs.items()}

    def run(self) -> None:
        code, variables = self.code, self.values()
        self.run_button.setEnabled(False)
        self.status.setText("Running…")
        self._pool.run(lambda _progress: run_snippet(code, variables),
                       finished=self._done, failed=self._failed)

    def _done(self, result) -> None:
        self.run_button.setEnabled(True)
        status = getattr(result, "status", "ok")
        if status == "ok":
            self.status.setText(f"OK in {getattr(result, 'duration_ms', 0):.0f} ms")
            assigned = getattr(result, "assigned", {}) or {}
            self.output.setPlainText("\n".join(f"{k} = {json.dumps(v, default=str)}"
                                               for k, v in assigned.items()) or "(nothing set)")
        else:
            self.status.setText(status_text(status, getattr(result, "error", "") or ""))
            self.output.setPlainText(getattr(result, "error", "") or status)
        self.finished.emit(result)

    def _failed(self, message: str) -> None:
        self.run_button.setEnabled(True)
        first = message.splitlines()[0] if message else "failed"
        if "No module named 'studio.runtime.sandbox'" in message:
            first = "the snippet sandbox is not available in this build"
        self.status.setText(first)
        self.output.setPlainText(message)
        self.finished.emit(first)
