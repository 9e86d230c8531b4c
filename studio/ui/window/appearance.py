"""Light, dark or the system's theme: stored, applied, and the views whose colours are
baked in repaint."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication

from .. import app_settings, theme
from ..editor.procedure_editor import ProcedureEditor


def set_theme(window: Any, dark: bool | None, save: bool = True) -> None:
    """`dark` None follows the system; `save` False is the system's own change, which
    a theme the user chose overrides."""
    if save:
        app_settings.settings().setValue("theme", {None: "system", True: "dark", False: "light"}[dark])
    stored = app_settings.settings().value("theme", "system")
    if not save and stored != "system":
        return
    theme.apply_theme(QApplication.instance(), dark)
    panels = getattr(window, "test_panels", None)
    if panels is not None:
        panels.restyle()
    for widget in window.documents.documents():
        if isinstance(widget, ProcedureEditor):
            widget.flowchart.show_procedure(widget.model.procedure)
            widget.view.viewport().update()
