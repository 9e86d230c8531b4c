"""New procedure: a name and a template (blank, look up and decide, refund with
approval, collect and hand off, answer from an article)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QVBoxLayout, QWidget)

from studio.core.procedure_templates import TEMPLATES


class NewProcedureDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("New procedure")
        self.setObjectName("new-procedure")
        self.setMinimumWidth(520)              # the title must never be elided ("New p…edure")
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Lost parcel")
        self.templates = QListWidget()
        for template in TEMPLATES:
            item = QListWidgetItem(f"{template.title}\n    {template.description}")
            item.setData(Qt.ItemDataRole.UserRole, template.id)
            item.setToolTip(template.description)
            self.templates.addItem(item)
        self.templates.setCurrentRow(0)
        self.templates.setWordWrap(True)
        self.templates.setSpacing(3)
        self.templates.setMinimumHeight(220)
        form = QFormLayout()
        form.addRow("Name", self.name)
        hint = QLabel("An id is made from the name; it is the file name under procedures/.")
        hint.setObjectName("Muted")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.name.textChanged.connect(lambda t: self.ok_button.setEnabled(bool(t.strip())))
        self.ok_button.setEnabled(False)
        self.templates.itemDoubleClicked.connect(lambda _i: self.name.text().strip() and self.accept())
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(QLabel("Start from"))
        layout.addWidget(self.templates, 1)
        layout.addWidget(buttons)

    def choice(self) -> tuple[str, str]:
        item = self.templates.currentItem()
        return self.name.text().strip(), (item.data(Qt.ItemDataRole.UserRole) if item else "blank")
