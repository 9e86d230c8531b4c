"""Project settings through the real main window: every field lands in studio.yaml as one
undo step, API keys go to the OS keyring only, Test connection answers off the GUI thread."""
from __future__ import annotations

import subprocess
import sys
import threading

import keyring
import pytest
import yaml
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from studio.core.settings import ProjectSettings
from studio.llm import keys
from studio.ui.main_window import MainWindow

from llm_kit import MemoryKeyring
from test_ui_support import ScriptedPrompts, studio_home  # noqa: F401

pytestmark = pytest.mark.gui
SECRET = "sk-test-abcdefghijklmnop1234"


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


@pytest.fixture
def window(qtbot, studio_home, sample_copy, monkeypatch, tmp_path):
    monkeypatch.setenv("PROCEDURE_STUDIO_CONFIG_DIR", str(tmp_path / "user-config"))
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    root = sample_copy("food-delivery")
    win = MainWindow(ScriptedPrompts())
    qtbot.addWidget(win)
    win.controller.open(root)
    win.show()
    yield win
    win.controller.close(ask=False)


def _on_disk(win) -> dict:
    return yaml.safe_load((win.session.root / "studio.yaml").read_text(encoding="utf-8"))


def _ok(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_every_setting_is_saved_as_one_undo_step(qtbot, window):
    action = window.actions_["settings"]
    assert action.shortcut().toString() == "Ctrl+,"
    action.trigger()
    dialog = window.settings_dialog
    assert dialog.isVisible() and dialog.name.text() == "Fresh Bites support"
    before = _on_disk(window)

    dialog.name.setText("Fresh Bites (staging)")
    dialog.tone.setPlainText("Short and warm.")
    model = dialog.model
    model.engine.setCurrentIndex(1)
    assert model.name.isVisibleTo(model) and not model.offline_note.isVisibleTo(model)
    model.name.setText("ollama/llama3")
    model.api_base.setText("http://localhost:11434")
    model.temperature.setValue(0.3)
    model.timeout.setValue(30)
    model.concurrency.setValue(4)
    model.retries.setValue(2)
    model.judge.setText("openai/gpt-4o-mini")
    model.customer.setText("ollama/llama3.1")
    assert dialog.model.keys.current_provider() == "ollama"
    assert "not needed" in dialog.model.keys.status.text()
    row = dialog.segments.add_row("student")
    dialog.segments.table.item(row, 1).setText('{"plan": "free", "age": 19}')
    calls = dialog.real_calls.connectors
    next(calls.item(i) for i in range(calls.count())
         if calls.item(i).text() == "get_order").setCheckState(Qt.CheckState.Checked)
    dialog.real_calls.hosts.setPlainText("api.freshbites.test\n")
    assert _ok(dialog).isEnabled()
    _ok(dialog).click()

    data = _on_disk(window)
    assert data["name"] == "Fresh Bites (staging)" and data["tone"] == "Short and warm."
    assert data["model"] == {"name": "ollama/llama3", "api_base": "http://localhost:11434",
                             "temperature": 0.3, "timeout": 30.0, "concurrency": 4, "retries": 2,
                             "judge": "openai/gpt-4o-mini", "customer": "ollama/llama3.1"}
    assert data["segments"]["student"] == {"plan": "free", "age": 19}
    assert data["segments"]["vip"] == before["segments"]["vip"]
    assert data["real_calls"] == {"connectors": ["get_order"], "allowed_hosts": ["api.freshbites.test"]}
    assert not window.session.is_dirty
    assert "Fresh Bites (staging)" in window.windowTitle()

    stack = window.session.undo_stack
    assert stack.undoText() == "Edit project settings"
    stack.undo()
    assert window.session.project.settings.name == "Fresh Bites support"
    assert window.session.project.settings.model.is_offline
    assert window.session.is_key_dirty(("settings", ""))
    window.actions_["save"].trigger()
    assert ProjectSettings.model_validate(_on_disk(window)) == ProjectSettings.model_validate(before)
    stack.redo()
    assert window.session.project.settings.model.name == "ollama/llama3"


def test_bad_values_block_ok_and_say_why(qtbot, window):
    dialog = window.show_project_settings()
    row = dialog.segments.add_row("broken")
    dialog.segments.table.item(row, 1).setText('{"plan": pro}')
    assert not _ok(dialog).isEnabled()
    assert "'broken' is not valid JSON" in dialog.problems.text()
    dialog.segments.table.item(row, 1).setText('[1, 2]')
    assert "must be a JSON object" in dialog.problems.text()
    dialog.segments.remove_selected()
    dialog.model.engine.setCurrentIndex(1)
    assert "enter a model id" in dialog.problems.text()
    dialog.model.name.setText("openai/gpt-4o-mini")
    dialog.model.api_base.setText("localhost:11434")
    assert "http://" in dialog.problems.text() and not _ok(dialog).isEnabled()
    dialog.reject()
    assert not window.session.is_dirty and window.session.undo_stack.count() == 0


def test_api_key_lives_in_the_keyring_only(qtbot, window, memory_keyring):
    dialog = window.show_project_settings()
    dialog.model.engine.setCurrentIndex(1)
    dialog.model.name.setText("openai/gpt-4o-mini")
    box = dialog.model.keys
    assert box.current_provider() == "openai"
    assert "not set" in box.status.text() and not box.clear_button.isEnabled()
    box.key.setText(SECRET)
    box.set_button.click()
    assert memory_keyring.store[(keys.KEYRING_SERVICE, "openai")] == SECRET
    assert box.key.text() == ""
    assert "keyring" in box.status.text() and SECRET[-4:] in box.status.text()
    assert SECRET not in box.status.text() and SECRET[:12] not in box.status.text()
    assert keys.find_key("openai/gpt-4o-mini")[0] == SECRET    # what a model call would use
    _ok(dialog).click()

    assert _on_disk(window)["model"]["name"] == "openai/gpt-4o-mini"
    for path in window.session.root.rglob("*"):
        if path.is_file() and path.suffix != ".sqlite":
            assert SECRET not in path.read_text(encoding="utf-8", errors="ignore"), path

    dialog = window.show_project_settings()
    box = dialog.model.keys
    assert SECRET[-4:] in box.status.text() and box.clear_button.isEnabled()
    box.clear_button.click()
    assert (keys.KEYRING_SERVICE, "openai") not in memory_keyring.store
    assert "not set" in box.status.text()
    dialog.reject()


def test_a_keyring_that_keeps_nothing_is_reported(qtbot, window):
    dialog = window.show_project_settings()     # tests run on keyring's null backend
    dialog.model.engine.setCurrentIndex(1)
    dialog.model.name.setText("anthropic/claude-3-5-haiku-latest")
    box = dialog.model.keys
    box.key.setText(SECRET)
    assert not box.set_button.click() and "did not keep the key" in box.message.text()
    assert "ANTHROPIC_API_KEY" in box.message.text() and SECRET not in box.message.text()
    dialog.reject()


def test_test_connection_says_what_is_wrong(qtbot, window):
    dialog = window.show_project_settings()
    model = dialog.model
    model.engine.setCurrentIndex(1)
    model.name.setText("openai/gpt-4o-mini")
    with qtbot.waitSignal(model.check_finished, timeout=10000):
        model.test_button.click()
        assert not model.test_button.isEnabled()
    assert model.test_button.isEnabled()
    assert "Not working: no API key for openai" in model.result.text()
    assert "OPENAI_API_KEY" in model.result.text()      # and what to do about it
    dialog.reject()


def test_test_connection_runs_off_the_gui_thread(qtbot, window, monkeypatch):
    from studio.llm import check

    seen = {}

    def fake_check(settings):
        seen["thread"] = threading.current_thread()
        seen["settings"] = settings
        return check.CheckResult(ok=True, model=settings.model, api_base=settings.api_base,
                                 latency_ms=42, reply="ok", key_source="given explicitly")

    monkeypatch.setattr(check, "check_model", fake_check)
    dialog = window.show_project_settings()
    model = dialog.model
    model.engine.setCurrentIndex(1)
    model.name.setText("openai/gpt-4o-mini")
    model.api_base.setText("http://127.0.0.1:9")
    model.timeout.setValue(5)
    model.keys.key.setText(SECRET)               # typed, not stored: tried as is
    with qtbot.waitSignal(model.check_finished, timeout=10000):
        model.test_button.click()
    assert seen["thread"] is not threading.main_thread()
    assert seen["settings"].api_key.get_secret_value() == SECRET
    assert seen["settings"].timeout == 5 and seen["settings"].api_base == "http://127.0.0.1:9"
    assert "Connected" in model.result.text() and "42 ms" in model.result.text()
    assert SECRET not in model.result.text()
    dialog.reject()
    assert not window.session.is_dirty


def test_the_dialog_does_not_import_litellm():
    code = ("import sys\n"
            "from PySide6.QtWidgets import QApplication\n"
            "app = QApplication([])\n"
            "from studio.core.settings import ProjectSettings\n"
            "from studio.ui.dialogs.project_settings import ProjectSettingsDialog\n"
            "d = ProjectSettingsDialog(ProjectSettings(model={'name': 'openai/gpt-4o-mini'}), [])\n"
            "d.show(); app.processEvents()\n"
            "assert 'litellm' not in sys.modules, 'litellm imported'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
