"""Qt-free shared fixtures (no tests here): a throw-away STUDIO_HOME and the demo project."""
from __future__ import annotations

import pytest

from studio.document.demo import write_demo_project


@pytest.fixture
def studio_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("STUDIO_HOME", str(home))
    return home


@pytest.fixture
def demo_project(tmp_path, studio_home):
    return write_demo_project(tmp_path / "project")
