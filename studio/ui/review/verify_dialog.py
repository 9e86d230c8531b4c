"""Verify bundle…: every hash, the signature, and a re-run of the bundled simulations from
the bundle alone, off the GUI thread with progress and Stop."""
from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QProgressBar, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout)

from studio.govern.bundle_check import verify_bundle

from ..background import Task, make_pool


class VerifyDialog(QDialog):
    def __init__(self, path: str, parent=None):
        super().__init__(parent)
        self.setObjectName("verify-dialog")
        self.setWindowTitle("Verify bundle")
        self.path = path
        self.check: Any = None
        self._pool = make_pool(1, self)
        self.summary = QLabel(f"Checking {escape(path)}…")
        self.summary.setObjectName("verify-summary")
        self.summary.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)              # busy until the re-run reports its size
        self.results = QTreeWidget()
        self.results.setRootIsDecorated(False)
        self.results.setHeaderLabels(["Simulation", "Evidence", "Re-run", ""])
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.stop = self.buttons.addButton("Stop", QDialogButtonBox.ButtonRole.ActionRole)
        self.stop.clicked.connect(self.cancel)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.buttons)
        self.resize(760, 480)
        self.task = Task(lambda progress: verify_bundle(path, progress=progress))
        self.task.finished.connect(self._done)
        self.task.failed.connect(self._failed)
        self.task.progress_changed.connect(self._progressed)
        self._pool.start(self.task)

    def _progressed(self, done: int, total: int, _text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def cancel(self) -> None:
        self.task.cancel()
        self.summary.setText("Stopping after the simulation that is running…")

    def _done(self, check: Any) -> None:
        self.check = check
        self.stop.setEnabled(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        lines = [f"<b>{'Verified' if check.ok else 'NOT verified'}</b>: "
                 f"{escape(str(check.manifest.get('project')))} for "
                 f"{escape(str(check.manifest.get('environment')))}; signature {check.signature}"
                 + (f" (signer {check.signer})" if check.signer else "")]
        lines += [f"<span style='color:#DC2626'>{escape(p)}</span>" for p in check.problems]
        self.summary.setText("<br>".join(lines))
        for rerun in check.reruns:
            item = QTreeWidgetItem([rerun.simulation, rerun.expected, rerun.actual,
                                    "same" if rerun.same else f"DIFFERENT: {rerun.detail}"])
            self.results.addTopLevelItem(item)
        self.results.resizeColumnToContents(0)

    def _failed(self, message: str) -> None:
        self.stop.setEnabled(False)
        self.progress.setRange(0, 1)
        self.summary.setText(f"<span style='color:#DC2626'>{escape(message.splitlines()[0])}</span>")

    def done(self, result: int) -> None:  # noqa: D401 - Qt's name
        self.task.cancel()
        self._pool.waitForDone(30000)
        super().done(result)
