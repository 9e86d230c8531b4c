"""Settings → Model → Local server: the usual address filled in, saved as a plain
litellm model + api_base, and Test connection says which structured formats the server took."""
from __future__ import annotations

import pytest
import yaml

from fake_openai import FakeOpenAI
from studio.ui.dialogs.model_page import LOCAL, LOCAL_SERVERS
from test_llm_local_servers import llama_cpp_python
from test_ui_settings import _ok, memory_keyring, window  # noqa: F401  (fixtures)
from test_ui_support import studio_home  # noqa: F401  (fixture)

pytestmark = pytest.mark.gui


def test_choosing_a_local_server_fills_in_its_address_and_saves(qtbot, window):
    dialog = window.show_project_settings()
    model = dialog.model
    model.engine.setCurrentIndex(LOCAL)
    assert model.form.isRowVisible(model.server)
    ollama = [label for label, _p, _b in LOCAL_SERVERS].index("Ollama")
    model.server.setCurrentIndex(ollama)
    model.server.activated.emit(ollama)
    assert model.api_base.text() == "http://127.0.0.1:11434"
    assert model.name.text() == "ollama_chat/"          # real chat messages, not a prompt
    model.name.setText("ollama_chat/llama3.2")
    lm_studio = [label for label, _p, _b in LOCAL_SERVERS].index("LM Studio")
    model.server.activated.emit(lm_studio)
    assert model.api_base.text() == "http://127.0.0.1:1234/v1"
    assert model.name.text() == "openai/llama3.2"       # the model name is kept
    _ok(dialog).click()
    saved = yaml.safe_load((window.session.root / "studio.yaml").read_text(encoding="utf-8"))
    assert saved["model"]["name"] == "openai/llama3.2"
    assert saved["model"]["api_base"] == "http://127.0.0.1:1234/v1"
    again = window.show_project_settings()              # a local api_base reopens as Local
    assert again.model.engine.currentIndex() == LOCAL
    again.reject()


def test_test_connection_reports_the_formats_a_llama_cpp_server_takes(qtbot, window):
    def responder(body):
        reply = llama_cpp_python(body)
        if not body.get("response_format"):
            return "ok"
        return '{"ok": true}' if isinstance(reply, str) and reply.startswith("{") else reply

    with FakeOpenAI(responder=responder) as server:
        dialog = window.show_project_settings()
        model = dialog.model
        model.engine.setCurrentIndex(LOCAL)
        model.api_base.setText(server.url)
        model.name.setText("openai/smollm2")
        with qtbot.waitSignal(model.check_finished, timeout=100000):
            model.test_button.click()
        text = model.result.text()
        assert "Connected" in text
        assert "JSON schema refused" in text and "JSON mode with the schema ok" in text
        assert "Runs will ask with JSON mode with the schema" in text
        dialog.reject()
