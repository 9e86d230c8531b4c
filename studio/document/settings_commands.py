"""The undo command for studio.yaml: the settings dialog swaps the whole settings object."""
from __future__ import annotations

from studio.core.settings import ProjectSettings

from .command import Command
from .session import ProjectSession


class SetProjectSettings(Command):
    """Replace the project's settings; undo puts the previous ones back (a copy each way)."""

    def __init__(self, session: ProjectSession, settings: ProjectSettings,
                 text: str = "Edit project settings"):
        super().__init__(text)
        self.session = session
        self.old = session.project.settings.model_copy(deep=True)
        self.new = settings.model_copy(deep=True)

    def _apply(self, settings: ProjectSettings) -> None:
        self.session.set_settings(settings.model_copy(deep=True))

    def redo(self) -> None:
        self._apply(self.new)

    def undo(self) -> None:
        self._apply(self.old)
