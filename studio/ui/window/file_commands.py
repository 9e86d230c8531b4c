"""The File and Project menus: open, new, recent, save, close, check, settings and
export, each saying what went wrong in a dialog instead of failing silently."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from .. import app_settings
from ..documents import item_kind


class FileCommands:
    def __init__(self, window: Any):
        self.window = window
        self.settings_dialog = None

    @property
    def controller(self):
        return self.window.controller

    @property
    def prompts(self):
        return self.window.prompts

    def open_project(self, path) -> bool:
        try:
            self.controller.open(Path(path))
        except (OSError, RuntimeError) as exc:
            self.prompts.error("Open project", str(exc))
            return False
        return True

    def open_project_dialog(self) -> None:
        folder = self.prompts.open_folder("Open project folder")
        if folder:
            self.open_project(folder)

    def fill_recent_menu(self) -> None:
        menu = self.window.recent_menu
        menu.clear()
        for path in app_settings.recent_projects():
            menu.addAction(path, lambda p=path: self.open_project(p))

    def new_project(self) -> None:
        choices = ["Empty project"] + [f"Sample: {n}" for n in app_settings.sample_names()]
        choice = self.prompts.choose("New project", "Start from:", choices)
        if not choice:
            return
        folder = self.prompts.open_folder("Folder for the new project (an empty folder)")
        if not folder:
            return
        sample = choice.removeprefix("Sample: ") if choice.startswith("Sample: ") else None
        try:
            self.controller.new_project(Path(folder), sample)
        except (OSError, RuntimeError) as exc:
            self.prompts.error("New project", str(exc))

    def new_procedure(self, template: str | None = None) -> str | None:
        """File → New procedure… (Ctrl+Shift+N), the toolbar and the start page."""
        window = self.window
        if window.session is None:
            return None
        if template is None:
            return window.project_tree.add("procedure")
        name = self.prompts.ask_text("New procedure", "Name (an id is made from it):")
        return window.project_tree.add("procedure", name, template) if name else None

    def save_current(self) -> None:
        window = self.window
        panels = getattr(window, "test_panels", None)
        focus = QApplication.focusWidget()
        if panels is not None and focus is not None and panels.editor.isAncestorOf(focus):
            panels.editor.save()                    # Ctrl+S in the simulation editor saves it
            return
        widget = window.documents.currentWidget()
        if widget is None:
            return self.save_all()
        self.controller.save_item(item_kind(widget.kind), widget.item_id)
        self.controller.save_item("settings", "")

    def save_all(self) -> None:
        try:
            self.controller.save_all()
        except OSError as exc:
            self.prompts.error("Save", f"Could not save: {exc}")

    def close_project(self) -> None:
        self.controller.close()

    def validate(self) -> None:
        self.controller.validate()
        self.window.docks["problems"].show()

    def show_project_settings(self):
        """Project → Settings…: a window-modal dialog; OK pushes one undo step and saves."""
        window = self.window
        if window.session is None:
            return None
        from ..dialogs.project_settings import ProjectSettingsDialog
        project = window.session.project
        dialog = ProjectSettingsDialog(project.settings, sorted(project.connectors), window)
        dialog.accepted.connect(lambda: self.controller.apply_settings(dialog.settings()))
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def export_flowchart(self) -> None:
        editor = self.window.current_editor()
        if editor is None:
            return
        path = self.prompts.save_file("Export flowchart", f"{editor.item_id}.svg",
                                      "SVG image (*.svg);;PNG image (*.png)")
        if not path:
            return
        if path.lower().endswith(".png"):
            editor.flowchart.export_png(path)
        else:
            editor.flowchart.export_svg(path)
