"""Settings layering, API keys from keyring or environment, and redaction."""
from __future__ import annotations

import keyring
import pytest

from llm_kit import MemoryKeyring
from studio.core.settings import ModelSettings
from studio.llm import keys
from studio.llm.limiter import AdaptiveLimiter
from studio.llm.settings import load_user_settings, resolve_settings


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    folder = tmp_path / "user-config"
    folder.mkdir()
    monkeypatch.setenv("PROCEDURE_STUDIO_CONFIG_DIR", str(folder))
    return folder


def test_project_then_user_file_then_flags(user_dir):
    (user_dir / "settings.yaml").write_text(
        "model: {name: other, api_base: 'http://localhost:11434', timeout: 120, concurrency: 4}\n")
    project = ModelSettings(name="ollama/llama3", temperature=0.2, timeout=30, retries=5)
    settings = resolve_settings(project)
    assert settings.model == "ollama/llama3"             # the user file never changes the model
    assert settings.api_base == "http://localhost:11434"
    assert (settings.timeout, settings.concurrency, settings.retries) == (120, 4, 5)
    assert settings.temperature == 0.2
    flagged = resolve_settings(project, model="openai/gpt-4o-mini", api_base="http://x/v1")
    assert (flagged.model, flagged.api_base) == ("openai/gpt-4o-mini", "http://x/v1")


def test_broken_user_file_is_ignored(user_dir):
    (user_dir / "settings.yaml").write_text("model: [unclosed\n")
    assert load_user_settings() == {}
    assert resolve_settings(ModelSettings(name="m")).model == "m"


def test_judge_and_customer_roles():
    settings = resolve_settings(ModelSettings(name="a", judge="b"), user={})
    assert settings.for_role("judge").model == "b"
    assert settings.for_role("customer").model == "a"


def test_key_from_environment_then_keyring(monkeypatch):
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
        assert keys.find_key("anthropic/claude-3")[0] is None
        backend.set_password("procedure-studio", "anthropic", "from-keyring-key")
        value, where = keys.find_key("anthropic/claude-3")
        assert value == "from-keyring-key" and "keyring" in where
        monkeypatch.setenv("ANTHROPIC_API_KEY", "from-env-key")
        assert keys.find_key("claude-3-5-sonnet") == ("from-env-key", "environment variable ANTHROPIC_API_KEY")
    finally:
        keyring.set_keyring(previous)


def test_local_servers_need_no_key():
    assert not keys.needs_key("ollama/llama3", None)
    assert not keys.needs_key("openai/x", "http://127.0.0.1:8000/v1")
    assert keys.needs_key("openai/gpt-4o", None)
    assert keys.provider_of("gpt-4o-mini") == "openai"


def test_redaction():
    text = "Incorrect API key provided: sk-proj-abcdef123456. Authorization: Bearer abcdefghijkl api_key='zzzzzzzz'"
    out = keys.redact(text + " mysecretvalue", ["mysecretvalue"])
    for secret in ("sk-proj-abcdef123456", "abcdefghijkl", "zzzzzzzz", "mysecretvalue"):
        assert secret not in out
    assert "Bearer [redacted]" in out


def test_limiter_halves_on_rate_limit_and_recovers():
    limiter = AdaptiveLimiter(8)
    limiter.on_rate_limit()
    assert limiter.limit == 4
    limiter.on_rate_limit()
    assert limiter.limit == 2
    for _ in range(2):
        limiter.on_success()
    assert limiter.limit == 3
    for _ in range(100):
        limiter.on_success()
    assert limiter.limit == 8
