"""Tests run headless: Qt offscreen, litellm without network, no real keyring."""
import os
import re
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

ROOT = Path(__file__).resolve().parent.parent

try:      # the headless suite (.ci/run) runs in a venv without PySide6 and pyqtgraph
    import PySide6  # noqa: F401
    import pytestqt  # noqa: F401
    HAS_QT = True
except ImportError:
    HAS_QT = False
    collect_ignore_glob = ["test_ui_*.py"]     # GUI tests; elsewhere, the `gui` marker

_QT_IMPORT = re.compile(r"^(from|import) (PySide6|pyqtgraph|pytestqt|studio\.ui\.(?!panels\.run_errors))",
                        re.M)


def pytest_sessionstart(session):
    """litellm is imported once, before any test's timeout runs: its first import takes
    seconds (minutes on a loaded CI machine), which must not count against one test."""
    from studio.llm.client import import_litellm
    import_litellm()


def pytest_ignore_collect(collection_path, config):
    """Without Qt, a test file that imports Qt (or a Qt module of ours) at its top is left out."""
    if HAS_QT or collection_path.suffix != ".py" or not collection_path.name.startswith("test_"):
        return None
    return True if _QT_IMPORT.search(collection_path.read_text(encoding="utf-8")) else None


def pytest_collection_modifyitems(config, items):
    """Without Qt, tests marked `gui` are not collected (deselected, not skipped)."""
    if HAS_QT:
        return
    gui = [item for item in items if item.get_closest_marker("gui")]
    if gui:
        config.hook.pytest_deselected(items=gui)
        items[:] = [item for item in items if not item.get_closest_marker("gui")]
SAMPLES = ROOT / "sample_projects"


@pytest.fixture
def sample_copy(tmp_path):
    """A fresh writable copy of a sample project: sample_copy('food-delivery')."""
    def make(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(SAMPLES / name, target, ignore=shutil.ignore_patterns("library.sqlite*"))
        return target
    return make


@pytest.fixture(autouse=True)
def _no_personal_user_settings(tmp_path_factory, monkeypatch):
    """The user's own settings.yaml (model api_base, approver name) never reaches a test,
    and what one test saves there never reaches the next."""
    monkeypatch.setenv("PROCEDURE_STUDIO_CONFIG_DIR", str(tmp_path_factory.mktemp("user-config")))


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
