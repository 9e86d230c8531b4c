"""Shared fixtures of the UI tests (no tests here): a demo project, scripted prompts."""
from __future__ import annotations

import pytest

from studio.ui.document.demo import write_demo_project
from studio.ui.prompts import Prompts


class ScriptedPrompts(Prompts):
    """Answers every question from `answers`, and records what was asked."""

    def __init__(self, **answers):
        super().__init__(None)
        self.answers = answers
        self.asked: list[tuple[str, tuple]] = []

    def _answer(self, name, *args):
        self.asked.append((name, args))
        value = self.answers.get(name)
        return value(*args) if callable(value) else value

    def ask_text(self, title, label, text=""):
        return self._answer("ask_text", title, label, text)

    def confirm(self, title, text):
        return bool(self._answer("confirm", title, text))

    def yes_no_cancel(self, title, text):
        return self._answer("yes_no_cancel", title, text) or "cancel"

    def save_discard_cancel(self, title, text):
        return self._answer("save_discard_cancel", title, text) or "discard"

    def offer_recovery(self, files):
        return bool(self._answer("offer_recovery", files))

    def external_change(self, rel, dirty):
        return bool(self._answer("external_change", rel, dirty))

    def error(self, title, text):
        self._answer("error", title, text)

    def open_folder(self, title):
        return self._answer("open_folder", title)

    def save_file(self, title, name, filters):
        return self._answer("save_file", title, name, filters)

    def choose(self, title, label, items):
        return self._answer("choose", title, label, items)


@pytest.fixture
def studio_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("STUDIO_HOME", str(home))
    return home


@pytest.fixture
def demo_project(tmp_path, studio_home):
    return write_demo_project(tmp_path / "project")
