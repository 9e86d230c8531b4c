"""`studio model test`: clear answers for each way a connection can fail."""
from __future__ import annotations

import pytest

from fake_openai import Fault
from llm_kit import SAMPLE, fake, isolated, server  # noqa: F401  (fixtures)
from llm_kit import run_cli as run
from studio.llm.structured import FORMAT_MODES


def test_model_answers(fake, sample_copy, capsys):
    fake.push("ok")
    code, text = run(capsys, "model", "test", str(sample_copy(SAMPLE)), "--model",
                     "openai/fake-model", "--api-base", fake.url)
    assert code == 0
    assert "model:    openai/fake-model" in text and "latency:" in text and "'ok'" in text
    # a server at an api_base is also asked each way of answering in JSON, once
    assert fake.calls == 1 + len(FORMAT_MODES)
    assert "formats:  json_schema" in text


def test_offline_project_explains_how_to_choose_a_model(sample_copy, capsys):
    code, text = run(capsys, "model", "test", str(sample_copy(SAMPLE)))
    assert code == 2 and "offline engine" in text and "--model" in text


def test_missing_key_names_the_env_var_and_keyring_entry(sample_copy, capsys):
    code, text = run(capsys, "model", "test", str(sample_copy(SAMPLE)), "--model", "openai/gpt-4o-mini")
    assert code == 2
    assert "OPENAI_API_KEY" in text and "keyring" in text and "procedure-studio" in text


def test_connection_refused_asks_if_the_server_runs(sample_copy, capsys):
    code, text = run(capsys, "model", "test", str(sample_copy(SAMPLE)), "--model", "openai/m",
                     "--api-base", "http://127.0.0.1:9/v1")
    assert code == 2 and "is the server running" in text and "127.0.0.1:9" in text


def test_unauthorized_and_unknown_model(fake, sample_copy, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secretvalue-abcdef123")
    root = str(sample_copy(SAMPLE))
    fake.push(Fault.unauthorized())
    code, text = run(capsys, "model", "test", root, "--model", "openai/m", "--api-base", fake.url)
    assert code == 2 and "refused" in text and "OPENAI_API_KEY" in text
    assert "sk-secretvalue-abcdef123" not in text
    assert "environment variable OPENAI_API_KEY" in text      # says where the key came from
    fake.push(Fault.unknown_model("nosuch"))
    code, text = run(capsys, "model", "test", root, "--model", "openai/nosuch", "--api-base", fake.url)
    assert code == 2 and "unknown model 'openai/nosuch'" in text and "provider/model" in text


def test_not_a_project(tmp_path, capsys):
    code, text = run(capsys, "model", "test", str(tmp_path))
    assert code == 2 and "not a Procedure Studio project" in text


def test_local_server_says_a_placeholder_key_is_sent(fake, sample_copy, capsys):
    fake.push("ok")
    code, text = run(capsys, "model", "test", str(sample_copy(SAMPLE)), "--model",
                     "openai/fake-model", "--api-base", fake.url)
    assert code == 0
    assert "not needed (local server)" in text and "placeholder 'sk-no-key-needed' is sent" in text
    assert fake.headers[0]["authorization"] == "Bearer sk-no-key-needed"   # what it said is what it did
    assert "none needed" not in text


def test_key_free_provider_says_no_key_is_sent():
    from studio.llm.settings import LLMSettings
    choice = LLMSettings(model="ollama/llama3", api_base="http://10.0.0.5:11434").key_choice()
    assert choice.value is None and not choice.missing and "ollama needs no key" in choice.source


@pytest.mark.parametrize("fault, problem, hint", [
    (Fault.rate_limit(retry_after=1), "rate limited by", "lower model.concurrency"),
    (Fault.server_error(503), "server error from", "internal error"),
    (Fault.slow(3.0), "did not answer within 1 s", "raise model.timeout"),
    (Fault.malformed(), "not a valid chat completion", "OpenAI-compatible"),
    (Fault.bad_request("max_tokens is too large"), "the request was rejected", "check the model id"),
])
def test_each_failure_kind_gets_its_problem_and_hint(fault, problem, hint, fake, sample_copy, capsys):
    fake.push(fault)
    code, text = run(capsys, "model", "test", str(sample_copy(SAMPLE)), "--model",
                     "openai/fake-model", "--api-base", fake.url, "--timeout", "1")
    assert code == 2 and fake.calls == 1                 # one try: a test, not a retry loop
    problem_line = next(line for line in text.splitlines() if line.startswith("problem:"))
    hint_line = next(line for line in text.splitlines() if line.startswith("hint:"))
    assert problem in problem_line and hint in hint_line


def test_unknown_provider_points_at_the_model_id(sample_copy, capsys, monkeypatch):
    monkeypatch.setenv("NOSUCHPROVIDER_API_KEY", "k-test")
    code, text = run(capsys, "model", "test", str(sample_copy(SAMPLE)), "--model", "nosuchprovider/x")
    assert code == 2 and "unknown model 'nosuchprovider/x'" in text and "provider/model" in text


def test_project_model_settings_are_used_and_flags_override_them(fake, sample_copy, capsys):
    root = sample_copy(SAMPLE)
    settings = root / "studio.yaml"
    settings.write_text(settings.read_text().replace(
        "model: {name: offline}", f"model: {{name: openai/fake-model, api_base: '{fake.url}'}}"))
    fake.push("ok")
    code, text = run(capsys, "model", "test", str(root))
    assert code == 0 and "openai/fake-model" in text and fake.url in text
    calls = fake.calls
    code, text = run(capsys, "model", "test", str(root), "--api-base", "http://127.0.0.1:9/v1")
    assert code == 2 and "127.0.0.1:9" in text and fake.calls == calls
