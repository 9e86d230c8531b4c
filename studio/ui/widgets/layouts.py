"""Layouts the forms build the same way."""
from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLayout, QWidget


def form_rows(*rows: tuple[str, QWidget | QLayout]) -> QFormLayout:
    """A form of (label, field) rows, top to bottom."""
    form = QFormLayout()
    for label, field in rows:
        form.addRow(label, field)
    return form
