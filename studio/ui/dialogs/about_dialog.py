"""Help → About: the versions a bug report needs (app, Python, Qt, PySide6, system)
and where the logs are, with a button to copy them and one to open the folder."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QPushButton,
                               QVBoxLayout, QWidget)

from .. import diagnostics
from ..resources import icon
from .crash_dialog import open_log_folder


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("about-dialog")
        self.setWindowTitle("About Procedure Studio")
        self.versions = diagnostics.versions() | {"Logs": str(diagnostics.log_dir())}
        logo = QLabel()
        logo.setPixmap(icon("app").pixmap(56, 56))
        title = QLabel("<h2>Procedure Studio</h2>Write customer-service AI procedures and keep "
                       "them from regressing with a local library of simulations.")
        title.setWordWrap(True)
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for name, value in self.versions.items():
            label = QLabel(value)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[name] = label
            form.addRow(f"{name}:", label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy versions")
        self.copy_button.clicked.connect(self.copy_versions)
        folder = QPushButton("Open log folder")
        folder.clicked.connect(open_log_folder)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(folder, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(logo, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def text(self) -> str:
        return "\n".join(f"{k}: {v}" for k, v in self.versions.items())

    def copy_versions(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
        self.copy_button.setText("Copied")


def show_about(parent: QWidget | None = None) -> AboutDialog:
    dialog = AboutDialog(parent)
    dialog.open()
    return dialog
