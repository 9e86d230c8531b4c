"""Export…: for the chosen environment, what will go out (each approved procedure at its
approved revision, with its evidence simulations), what cannot and why, and what blocks
the export. Export writes the bundle off the GUI thread, signed when asked."""
from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QLabel, QProgressBar, QTextBrowser, QVBoxLayout)

from studio.core.project import Project
from studio.govern.bundle import build_bundle, bundle_name, plan_export

from ..panels.services import snapshot
from ..background import Task, make_pool


def plan_html(plan: Any) -> str:
    parts = []
    if plan.blockers:
        items = "".join(f"<li>{escape(b)}</li>" for b in plan.blockers)
        parts.append(f"<p style='color:#DC2626'><b>The export is blocked:</b></p><ul>{items}</ul>")
    if plan.procedures:
        rows = "".join(
            f"<li><b>{escape(p.id)}</b> at <code>{p.approval.revision[:12]}</code>, approved by "
            f"{escape(p.approval.approved_by)} — {len(p.verdicts)} evidence simulation(s)"
            + (" <span style='color:#D97706'>(changed since approval: the approved revision "
               "goes out)</span>" if p.changed_since_approval else "") + "</li>"
            for p in plan.procedures.values())
        used = sorted({f"{kind.rstrip('s')} {item}" for p in plan.procedures.values()
                       for kind in ("connectors", "knowledge")
                       for item in p.snapshot.get(kind, {})})
        parts.append(f"<p><b>Goes out:</b></p><ul>{rows}</ul>"
                     + (f"<p>With what they use: {escape(', '.join(used))}; the JSON Schemas and "
                        "procedures.md (the procedures as readable SOPs).</p>" if used else ""))
    if plan.excluded:
        rows = "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in sorted(plan.excluded.items()))
        parts.append(f"<p><b>Does not go out:</b></p><ul>{rows}</ul>")
    if plan.notes:
        rows = "".join(f"<li>{escape(n)}</li>" for n in plan.notes)
        parts.append(f"<p><b>Notes:</b></p><ul>{rows}</ul>")
    return "".join(parts)


class ExportDialog(QDialog):
    def __init__(self, project: Project, library: Any, parent=None, *, ask_path=None):
        super().__init__(parent)
        self.setObjectName("export-dialog")
        self.setWindowTitle("Export a bundle")
        self.project, self.library = project, library
        self.plan: Any = None
        self.written: Path | None = None
        self._ask_path = ask_path or self._ask_file
        self._pool = make_pool(1, self)
        self._task: Task | None = None
        self.environment = QComboBox()
        self.environment.addItems(project.settings.environments)
        self.environment.setCurrentIndex(len(project.settings.environments) - 1)
        self.environment.currentTextChanged.connect(lambda _t: self.replan())
        self.sign = QCheckBox("Sign with my key (ed25519, kept in the OS keyring)")
        self.details = QTextBrowser()
        self.details.setObjectName("export-plan")
        self.result = QLabel()
        self.result.setObjectName("export-result")
        self.result.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        form = QFormLayout()
        form.addRow("Environment", self.environment)
        form.addRow("", self.sign)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton("Export…", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.result)
        layout.addWidget(self.buttons)
        self.resize(760, 540)
        self.replan()

    def replan(self) -> None:
        env = self.environment.currentText()
        self.export_button.setEnabled(False)
        self.details.setHtml(f"<p>Checking what can go out to {escape(env)}…</p>")
        project = snapshot(self.project)
        task = Task(lambda _p: plan_export(project, self.library, env))
        task.finished.connect(self._planned)
        task.failed.connect(lambda m: self.details.setPlainText(m.splitlines()[0]))
        self._pool.start(task)

    def _planned(self, plan: Any) -> None:
        if plan.environment != self.environment.currentText():
            return
        self.plan = plan
        self.details.setHtml(plan_html(plan))
        self.export_button.setEnabled(plan.ok)

    @staticmethod
    def _ask_file(parent, default: str) -> str:
        path, _ = QFileDialog.getSaveFileName(parent, "Export bundle", default,
                                              "Studio bundles (*.studio-bundle.zip)")
        return path

    def export(self) -> None:
        if self.plan is None or not self.plan.ok:
            return
        default = str(Path(self.project.root).parent / bundle_name(self.project, self.plan))
        target = self._ask_path(self, default)
        if not target:
            return
        plan, project, library, sign = self.plan, snapshot(self.project), self.library, self.sign.isChecked()

        def work(progress):
            key = None
            if sign:
                from studio.govern.signing import signing_key
                key = signing_key()
            progress.report(0, 1, "building the bundle")
            data, manifest = build_bundle(project, library, plan, key=key)
            Path(target).write_bytes(data)
            return Path(target), manifest
        task = Task(work)
        task.finished.connect(self._exported)
        task.failed.connect(self._failed)
        self._task = task
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.export_button.setEnabled(False)
        self._pool.start(task)

    def _exported(self, found: tuple) -> None:
        self.progress.setVisible(False)
        self.written, manifest = found
        signer = manifest.get("signature", {}).get("fingerprint")
        self.result.setText(f"<span style='color:#16A34A'>Exported</span> {len(manifest['files'])} "
                            f"files to {escape(str(self.written))}"
                            + (f", signed by {signer}" if signer else ""))
        self.export_button.setEnabled(True)

    def _failed(self, message: str) -> None:
        self.progress.setVisible(False)
        self.result.setText(f"<span style='color:#DC2626'>Not exported: "
                            f"{escape(message.splitlines()[0])}</span>")
        self.export_button.setEnabled(True)

    def done(self, result: int) -> None:  # noqa: D401 - Qt's name
        self._pool.waitForDone(30000)
        super().done(result)
