"""The Model tab of the settings dialog: offline or a litellm model, its options, the API
key and a Test connection that runs `studio.llm.check` on a worker thread.

Nothing here imports litellm: the check module does, lazily, on the worker."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QCompleter, QDoubleSpinBox, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from studio.core.settings import ModelSettings
from studio.llm.keys import is_local_server as _is_local

from ..background import Pool, Task
from ..theme import tone
from .api_keys import ApiKeyBox

OFFLINE, MODEL, LOCAL = 0, 1, 2
# OpenAI-compatible servers on this machine, with the address each listens on by default.
LOCAL_SERVERS = [
    ("llama.cpp (llama-server)", "openai/", "http://127.0.0.1:8080/v1"),
    ("llama-cpp-python server", "openai/", "http://127.0.0.1:8000/v1"),
    ("LM Studio", "openai/", "http://127.0.0.1:1234/v1"),
    ("vLLM", "openai/", "http://127.0.0.1:8000/v1"),
    ("Ollama", "ollama_chat/", "http://127.0.0.1:11434"),
]
FORMAT_LABELS = {"json_schema": "JSON schema", "json_object_schema": "JSON mode with the schema",
                 "json_object": "JSON mode", "prompt": "schema in the prompt"}
EXAMPLES = ["openai/gpt-4o-mini", "openai/gpt-4o", "anthropic/claude-3-5-haiku-latest",
            "anthropic/claude-3-5-sonnet-latest", "gemini/gemini-1.5-flash", "ollama_chat/llama3",
            "ollama_chat/llama3.1", "mistral/mistral-small-latest", "groq/llama-3.1-8b-instant"]
CHECK_POOL = "studio-connection-checks"


def _pool() -> Pool:
    """The worker for connection checks, owned by the application (a check outlives a
    closed dialog), not a module-level singleton."""
    app = QCoreApplication.instance()
    pool = app.findChild(Pool, CHECK_POOL)
    if pool is None:
        pool = Pool(1, app)
        pool.setObjectName(CHECK_POOL)
    return pool


def run_check(model: dict[str, Any], api_key: str | None) -> Any:
    """Worker thread: the project's model settings (overlaid by the user's file) checked."""
    from pydantic import SecretStr

    from studio.llm import check
    from studio.llm.settings import resolve_settings
    settings = resolve_settings(model)
    if api_key:
        settings = settings.model_copy(update={"api_key": SecretStr(api_key)})
    return check.check_model(settings)


def describe_check(result: Any) -> tuple[bool, str]:
    """(ok, text) for the dialog: the verdict first, then what to do, then the details."""
    if isinstance(result, str):
        return False, f"✖ The check itself failed: {result}"
    where = f"{result.model} at {result.api_base or 'the provider default'}"
    key = f"; API key {result.key_source}" if result.key_source else ""
    tip = f"\nTip: {result.tip}" if getattr(result, "tip", "") else ""
    if result.ok:
        text = (f"✔ Connected: {where} answered in {result.latency_ms:.0f} ms "
                f"({result.reply.strip()[:40]!r}){key}.")
        formats = getattr(result, "formats", None)
        if formats:
            took = [mode for mode, verdict in formats.items() if verdict == "ok"]
            text += ("\nStructured answers: " + " · ".join(
                f"{FORMAT_LABELS.get(mode, mode)} {verdict}" for mode, verdict in formats.items())
                + ". " + (f"Runs will ask with {FORMAT_LABELS.get(took[0], took[0])}." if took else
                   "None gave schema-valid JSON: expect model errors in runs."))
        return True, text + tip
    text = f"✖ Not working: {result.problem}"
    if result.hint:
        text += f"\nWhat to do: {result.hint}"
    return False, text + f"\nTried {where}{key}.{tip}"


def _optional_spin(spin, minimum, maximum, default_text: str, suffix: str = ""):
    """A spin box whose lowest value means "not set" (the provider's or app's default)."""
    spin.setRange(minimum, maximum)
    spin.setSpecialValueText(default_text)
    if suffix:
        spin.setSuffix(suffix)
    spin.setValue(minimum)
    return spin


def _model_field(placeholder: str) -> QLineEdit:
    field = QLineEdit()
    field.setPlaceholderText(placeholder)
    completer = QCompleter(EXAMPLES, field)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    field.setCompleter(completer)
    return field


class ModelPage(QWidget):
    changed = Signal()
    check_finished = Signal(object)     # studio.llm.check.CheckResult, or an error text

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = QComboBox()
        self.engine.addItems(["Offline: built in, deterministic, no network",
                              "A model through litellm (hosted or local)",
                              "Local server (llama.cpp, LM Studio, vLLM, Ollama)"])
        self.server = QComboBox()
        self.server.addItems([label for label, _prefix, _base in LOCAL_SERVERS])
        self.server.setToolTip("Fills in the server's usual address; change it if yours "
                               "listens elsewhere")
        self.name = _model_field("provider/model, e.g. openai/gpt-4o-mini or ollama_chat/llama3")
        self.api_base = QLineEdit()
        self.api_base.setPlaceholderText("provider default; e.g. http://localhost:11434 for Ollama")
        self.temperature = _optional_spin(QDoubleSpinBox(), -0.1, 2.0, "model default")
        self.temperature.setSingleStep(0.1)
        self.temperature.setDecimals(2)
        self.timeout = _optional_spin(QDoubleSpinBox(), 0, 3600, "default (60 s)", " s")
        self.timeout.setDecimals(0)
        self.concurrency = _optional_spin(QSpinBox(), 0, 64, "default")
        self.retries = _optional_spin(QSpinBox(), -1, 10, "default (3)")
        self.judge = _model_field("same as the agent model")
        self.customer = _model_field("same as the agent model")
        self.keys = ApiKeyBox()
        self.test_button = QPushButton("Test connection")
        self.test_button.setToolTip("Send one tiny request to the model (with the values above, "
                                    "saved or not) and say what is wrong if it fails")
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setObjectName("check-result")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.offline_note = QLabel(
            "The offline engine runs every simulation deterministically: routing by trigger "
            "examples, extraction by patterns and types, replies from the “say” texts. It "
            "needs no model, no network and no API key; rubric expectations are skipped.")
        self.offline_note.setWordWrap(True)
        self.offline_note.setObjectName("Muted")
        form = QFormLayout()
        self.form = form
        form.addRow("Engine", self.engine)
        form.addRow("Server", self.server)
        form.addRow("Model id", self.name)
        form.addRow("API base", self.api_base)
        form.addRow("Temperature", self.temperature)
        form.addRow("Timeout", self.timeout)
        form.addRow("Concurrency", self.concurrency)
        form.addRow("Retries", self.retries)
        form.addRow("Judge model", self.judge)
        form.addRow("Customer model", self.customer)
        self._model_rows = [self.name, self.api_base, self.temperature, self.timeout,
                            self.concurrency, self.retries, self.judge, self.customer]
        self.test_row = QWidget()
        test_row = QHBoxLayout(self.test_row)
        test_row.setContentsMargins(0, 0, 0, 0)
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.offline_note)
        layout.addWidget(self.keys)
        layout.addWidget(self.test_row)
        layout.addWidget(self.result)
        layout.addStretch(1)

        self.engine.currentIndexChanged.connect(self._engine_changed)
        self.server.activated.connect(self._server_chosen)
        for field in (self.name, self.api_base, self.judge, self.customer):
            field.textChanged.connect(self._edited)
        for spin in (self.temperature, self.timeout, self.concurrency, self.retries):
            spin.valueChanged.connect(self._edited)
        self.keys.key_changed.connect(lambda _p: self.result.clear())
        self.test_button.clicked.connect(self.test_connection)
        self._task: Task | None = None
        self._engine_changed()

    # -- values ---------------------------------------------------------------
    def load(self, model: ModelSettings) -> None:
        local = bool(model.api_base) and _is_local(model.api_base)
        self.engine.setCurrentIndex(OFFLINE if model.is_offline else LOCAL if local else MODEL)
        self.name.setText("" if model.is_offline else model.name)
        self.api_base.setText(model.api_base or "")
        for spin, value in ((self.temperature, model.temperature), (self.timeout, model.timeout),
                            (self.concurrency, model.concurrency), (self.retries, model.retries)):
            spin.setValue(spin.minimum() if value is None else value)
        self.judge.setText(model.judge or "")
        self.customer.setText(model.customer or "")
        self._engine_changed()

    def _spin(self, spin) -> Any:
        return None if spin.value() == spin.minimum() else spin.value()

    def values(self) -> dict[str, Any]:
        offline = self.engine.currentIndex() == OFFLINE
        timeout = self._spin(self.timeout)
        return {"name": "offline" if offline else self.name.text().strip(),
                "api_base": self.api_base.text().strip() or None,
                "temperature": self._spin(self.temperature),
                "timeout": None if timeout is None else float(timeout),
                "concurrency": self._spin(self.concurrency), "retries": self._spin(self.retries),
                "judge": self.judge.text().strip() or None,
                "customer": self.customer.text().strip() or None}

    def problems(self) -> list[str]:
        values = self.values()
        out = []
        if self.engine.currentIndex() in (MODEL, LOCAL) and not values["name"]:
            out.append("Model: enter a model id (litellm form provider/model), or choose Offline")
        if values["name"] != "offline" and " " in values["name"]:
            out.append("Model: a model id has no spaces")
        base = values["api_base"]
        if base and not base.startswith(("http://", "https://")):
            out.append("Model: the API base is a URL starting with http:// or https://")
        return out

    # -- behaviour --------------------------------------------------------------
    def _engine_changed(self) -> None:
        offline = self.engine.currentIndex() == OFFLINE
        for widget in self._model_rows:          # offline: only what matters to it
            self.form.setRowVisible(widget, not offline)
        local = self.engine.currentIndex() == LOCAL
        self.form.setRowVisible(self.server, local)
        if local and not self.api_base.text().strip():
            self._server_chosen(self.server.currentIndex())
        self.offline_note.setVisible(offline)
        for widget in (self.keys, self.test_row, self.result):
            widget.setVisible(not offline)
        if not offline and not self.name.text().strip():
            self.name.setFocus()
        self._edited()

    def _server_chosen(self, index: int) -> None:
        """Fill in the chosen server's usual address, and its litellm prefix on the model."""
        _label, prefix, base = LOCAL_SERVERS[index]
        self.api_base.setText(base)
        name = self.name.text().strip()
        bare = name.split("/", 1)[1] if "/" in name else name
        self.name.setText(prefix + bare)
        self.name.setFocus()
        self.name.setCursorPosition(len(self.name.text()))

    def _edited(self) -> None:
        values = self.values()
        self.keys.set_providers([values["name"], values["judge"] or "", values["customer"] or ""],
                                values["api_base"])
        self.changed.emit()

    def test_connection(self) -> None:
        if self._task is not None:
            return
        self.test_button.setEnabled(False)
        self.result.setStyleSheet(tone("color:#5c6b7a;"))
        self.result.setText(f"Testing {self.values()['name']}…")
        values, typed = self.values(), self.keys.typed_key()
        task = Task(lambda _progress: run_check(values, typed))
        task.finished.connect(self._checked)
        task.failed.connect(lambda message: self._checked(message.splitlines()[0]))
        self._task = task
        _pool().start(task)

    def _checked(self, result: Any) -> None:
        self._task = None
        try:
            self.test_button.setEnabled(True)
        except RuntimeError:      # the dialog closed while the check ran
            return
        ok, text = describe_check(result)
        self.result.setStyleSheet(tone("color:#1e7b34;" if ok else "color:#b3261e;"))
        self.result.setText(text)
        self.check_finished.emit(result)
