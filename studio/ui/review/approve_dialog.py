"""Approve…: for the chosen environment, either the evidence (each simulation's verdict on
exactly this revision) with an Approve button, or every reason it is refused. When
production conversations are in the library and the flywheel's shadow replay is there,
also how many of the latest real conversations this change would turn out differently."""
from __future__ import annotations

import logging
import os
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QLineEdit, QPlainTextEdit, QProgressBar, QPushButton,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout)

from studio.core.project import Project
from studio.core.user_settings import remember_user_name
from studio.govern.approvals import approved_revision, current_user
from studio.flywheel.compare import compare_library, recent_filter
from studio.govern.approve import approve, check_approval
from studio.library import LibraryError

from ..panels.services import snapshot
from ..background import Task, make_pool

log = logging.getLogger(__name__)

VERDICT_COLOURS = {"passed": "#16A34A", "skipped": "#7A8590", "failed": "#DC2626",
                   "error": "#B35C00", "not run": "#7A8590"}
SHADOW_LIMIT = 500


class ApproveDialog(QDialog):
    def __init__(self, project: Project, library: Any, procedure_id: str,
                 environment: str | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("approve-dialog")
        self.setWindowTitle(f"Approve {procedure_id}")
        self.project, self.library, self.procedure_id = project, library, procedure_id
        self.check: Any = None
        self.approval: Any = None
        self._pool = make_pool(1, self)
        self._shadow_task: Task | None = None
        self.environment = QComboBox()
        self.environment.addItems(project.settings.environments)
        if environment:
            self.environment.setCurrentText(environment)
        self.environment.currentTextChanged.connect(lambda _t: self.recheck())
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.reasons = QLabel()
        self.reasons.setObjectName("approve-reasons")
        self.reasons.setWordWrap(True)
        self.reasons.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.evidence = QTreeWidget()
        self.evidence.setObjectName("approve-evidence")
        self.evidence.setRootIsDecorated(False)
        self.evidence.setHeaderLabels(["Simulation", "Verdict on this revision", "Run", "Detail"])
        self.shadow = QLabel()
        self.shadow.setObjectName("approve-shadow")
        self.shadow.setWordWrap(True)
        self.shadow_progress = QProgressBar()
        self.shadow_progress.setVisible(False)
        self.shadow_cancel = QPushButton("Stop")
        self.shadow_cancel.setVisible(False)
        self.shadow_cancel.clicked.connect(self._cancel_shadow)
        self.by = QLineEdit(current_user())
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText("Why, for the reviewers after you (optional)")
        self.comment.setFixedHeight(60)
        form = QFormLayout()
        form.addRow("Environment", self.environment)
        form.addRow("Approved by", self.by)
        form.addRow("Comment", self.comment)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.approve_button = self.buttons.addButton("Approve",
                                                     QDialogButtonBox.ButtonRole.AcceptRole)
        self.approve_button.setEnabled(False)
        self.approve_button.clicked.connect(self._approve)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addLayout(form)
        layout.addWidget(self.reasons)
        layout.addWidget(self.evidence, 1)
        layout.addWidget(self.shadow)
        layout.addWidget(self.shadow_progress)
        layout.addWidget(self.shadow_cancel, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.buttons)
        self.resize(820, 560)
        self.recheck()

    # -- checking off the GUI thread ---------------------------------------------------
    def recheck(self) -> None:
        env = self.environment.currentText()
        self.approve_button.setEnabled(False)
        self.headline.setText(f"Checking {self.procedure_id} for {env}…")
        project = snapshot(self.project)
        task = Task(lambda _p: check_approval(project, self.library, self.procedure_id, env))
        task.finished.connect(self._checked)
        task.failed.connect(lambda m: self.headline.setText(f"Cannot check: {m.splitlines()[0]}"))
        self._pool.start(task)

    def _checked(self, check: Any) -> None:
        if check.environment != self.environment.currentText():
            return
        self.check = check
        self.headline.setText(f"<b>{check.procedure}</b> revision <code>{check.revision[:12]}</code> "
                              f"for <b>{check.environment}</b>")
        if check.ok:
            ev = check.evidence
            self.reasons.setText(f"<span style='color:#16A34A'>Every simulation that exercises it "
                                 f"passed on exactly this revision</span> (run {ev.run}: {ev.passed} "
                                 f"passed, {ev.skipped} skipped).")
        else:
            items = "".join(f"<li>{escape(r)}</li>" for r in check.reasons)
            self.reasons.setText(f"<span style='color:#DC2626'><b>Cannot be approved:</b></span>"
                                 f"<ul>{items}</ul>")
        self.evidence.clear()
        for verdict in check.simulations:
            item = QTreeWidgetItem([verdict.name, verdict.status,
                                    str(verdict.run or "—"), verdict.detail])
            item.setForeground(1, _brush(VERDICT_COLOURS.get(verdict.status, "#7A8590")))
            item.setToolTip(3, verdict.detail)
            self.evidence.addTopLevelItem(item)
        for column in range(3):
            self.evidence.resizeColumnToContents(column)
        self.approve_button.setEnabled(check.ok)
        self._start_shadow(check)

    # -- the flywheel's shadow replay ------------------------------------------------
    def _start_shadow(self, check: Any) -> None:
        self._cancel_shadow()
        envs = self.project.settings.environments
        before = None
        for env in reversed(envs[: envs.index(check.environment) + 1]):
            before = approved_revision(self.project, self.procedure_id, env)
            if before:
                break
        if before is None or before == check.revision:
            self.shadow.setText("No earlier approval to replay real conversations against."
                                if before is None else "")
            return
        from studio.govern.revisions import project_at
        project = snapshot(self.project)
        library = self.library

        def work(progress):
            old = project_at(project, self.procedure_id, before, library=library)
            summary = compare_library(old, project, library, recent_filter(library, SHADOW_LIMIT),
                                      progress=progress)
            return summary.compared, len(summary.changed)
        task = Task(work)
        task.finished.connect(self._shadow_done)
        task.failed.connect(lambda m: self._shadow_done(None, m))
        self._shadow_task = task
        self.shadow.setText(f"Replaying the last {SHADOW_LIMIT} real conversations against "
                            f"{before[:12]} and this revision…")
        self.shadow_progress.setRange(0, 0)
        self.shadow_progress.setVisible(True)
        self.shadow_cancel.setVisible(True)
        self._pool.start(task)

    def _shadow_done(self, result: Any, error: str | None = None) -> None:
        """`result`: (conversations replayed, how many turned out differently)."""
        self.shadow_progress.setVisible(False)
        self.shadow_cancel.setVisible(False)
        if self._shadow_task is None:
            return
        self._shadow_task = None
        if error:
            self.shadow.setText(f"Shadow replay failed: {error.splitlines()[0]}")
        else:
            compared, changed = result
            self.shadow.setText(
                "No real conversations in the library to replay yet (studio conversations "
                "import)." if not compared else f"This change would turn out differently in "
                f"<b>{changed}</b> of the last {compared} real conversations.")

    def _cancel_shadow(self) -> None:
        if self._shadow_task is not None:
            self._shadow_task.cancel()
            self._shadow_task = None
            self.shadow.setText("Shadow replay stopped.")
        self.shadow_progress.setVisible(False)
        self.shadow_cancel.setVisible(False)

    # -- approving ----------------------------------------------------------------
    def _approve(self) -> None:
        if self.check is None or not self.check.ok:
            return
        try:
            check, approval = approve(self.project, self.library, self.procedure_id,
                                      self.check.environment,
                                      comment=self.comment.toPlainText().strip(),
                                      approved_by=self.by.text().strip() or None)
        except (OSError, ValueError, RuntimeError, LibraryError) as exc:   # read-only library, full disk
            self.reasons.setText(f"<span style='color:#DC2626'><b>Not approved:</b> "
                                 f"{escape(str(exc).splitlines()[0])}</span>")
            return
        if approval is None:          # something changed since the check: show why
            self._checked(check)
            return
        self.approval = approval
        self._remember_name(approval.approved_by)
        self.accept()

    def _remember_name(self, name: str) -> None:
        """A name typed here is the default next time, on every project (user settings)."""
        if not name or name == current_user() or os.environ.get("STUDIO_USER"):
            return
        try:
            remember_user_name(name)
        except (OSError, ValueError) as exc:          # the approval stands; only the default is lost
            log.warning("could not keep the approver's name in the user settings: %s", exc)

    def done(self, result: int) -> None:  # noqa: D401 - Qt's name
        self._cancel_shadow()
        self._pool.waitForDone(5000)
        super().done(result)


def _brush(colour: str):
    from PySide6.QtGui import QBrush

    from ..theme import qcolor
    return QBrush(qcolor(colour))
