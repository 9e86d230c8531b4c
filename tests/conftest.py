"""Tests run headless: Qt offscreen, litellm without network, no real keyring."""
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_projects"


@pytest.fixture
def sample_copy(tmp_path):
    """A fresh writable copy of a sample project: sample_copy('food-delivery')."""
    def make(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(SAMPLES / name, target, ignore=shutil.ignore_patterns("library.sqlite*"))
        return target
    return make


@pytest.fixture(autouse=True, scope="session")
def _clear_clipboard_at_exit():
    """Qt's offscreen platform crashes at exit while the clipboard still owns data."""
    yield
    import sys
    if "PySide6.QtGui" in sys.modules:
        from PySide6.QtGui import QGuiApplication
        if QGuiApplication.instance() is not None:
            QGuiApplication.clipboard().clear()
            QGuiApplication.processEvents()
