"""The start page in the document area: made the first time nothing is open (not at
every start-up), showing samples and recent projects, or a project's way to a new
procedure."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer

from .. import app_settings


class StartPageHost:
    def __init__(self, window: Any):
        self.window = window
        self.page = None
        for signal in (window.documents.currentChanged, window.controller.session_changed):
            signal.connect(lambda *_: QTimer.singleShot(0, self.update))
        QTimer.singleShot(0, self.update)      # after a project given at start-up opens

    def _make(self):
        from ..start_page import StartPage
        window = self.window
        page = self.page = StartPage(window.documents)
        page.sample_requested.connect(lambda name: window.open_project(app_settings.copy_sample(name)))
        page.new_project_requested.connect(window.new_project)
        page.open_requested.connect(window.open_project_dialog)
        page.recent_requested.connect(window.open_project)
        page.new_procedure_requested.connect(lambda t: window.new_procedure(t or None))
        return page

    def update(self) -> None:
        if self.page is None and self.window.documents.count():
            return
        session, page = self.window.session, self.page or self._make()
        if session is None:
            page.show_start(app_settings.sample_names(), app_settings.recent_projects()[:8])
        else:
            page.show_project(session.project.name, len(session.project.procedures))
        page.update_visible()
