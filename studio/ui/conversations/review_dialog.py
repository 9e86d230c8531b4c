"""Review a captured simulation before it is saved: its YAML, read-only."""
from __future__ import annotations

from typing import Any

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout


class ReviewDialog(QDialog):
    def __init__(self, cap: Any, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Save as simulation")
        self.resize(640, 560)
        intro = QLabel(f"“{cap.simulation.name}” passes on today's procedures. Its expectations "
                       "were captured from today's run: check them before saving to "
                       f"simulations/{cap.key}.yaml and the library.")
        intro.setWordWrap(True)
        text = QPlainTextEdit(cap.yaml)
        text.setReadOnly(True)
        text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(text, 1)
        layout.addWidget(buttons)
        self.text = text


def review_capture(parent: Any, cap: Any) -> bool:
    """True when the user saves. Tests replace this function to answer without a dialog."""
    return ReviewDialog(cap, parent).exec() == QDialog.DialogCode.Accepted
