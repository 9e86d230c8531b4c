"""An OpenAI-compatible server (`openai/<name>` with an api_base) is spoken to directly
over HTTP, without importing litellm (issue 13: litellm's import took seconds before the
first request, and its per-request CPU capped concurrency); prices still come from
litellm's model map, and `studio run-all` ends without waiting on its workers' teardown."""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

from fake_openai import Fault
from llm_kit import fake, isolated, llm_settings, server  # noqa: F401  (fixtures)
from studio.llm.client import complete
from studio.llm.errors import ModelError
from studio.llm.openai_http import TRANSPORT_ENV, direct

ROOT = Path(__file__).resolve().parents[1]
MSG = [{"role": "user", "content": "hello"}]


def test_which_models_go_straight_to_the_server(monkeypatch):
    assert direct("openai/my-local-model", "http://127.0.0.1:8000/v1")
    assert not direct("openai/gpt-4o-mini", None)                 # OpenAI itself: litellm
    assert not direct("ollama_chat/llama3", "http://127.0.0.1:11434")
    assert not direct("anthropic/claude-3-5-sonnet", "http://proxy/v1")
    monkeypatch.setenv(TRANSPORT_ENV, "litellm")
    assert not direct("openai/my-local-model", "http://127.0.0.1:8000/v1")


def test_a_request_sends_the_model_name_key_and_format_without_importing_litellm(fake):
    script = f"""
import json, sys
sys.path.insert(0, {str(ROOT / 'tests')!r})
from studio.llm.client import complete
from studio.llm.settings import LLMSettings
settings = LLMSettings(model="openai/fake-model", api_base={fake.url!r}, api_key="k-test",
                       retries=0, timeout=5)
answer = complete([{{"role": "user", "content": "hi"}}], settings=settings, response_format="json")
print(json.dumps({{"parsed": answer.parsed, "litellm": "litellm" in sys.modules,
                  "tokens": answer.tokens_in + answer.tokens_out}}))
"""
    fake.push('{"a": 1}')
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {"parsed": {"a": 1}, "litellm": False, "tokens": 18}
    body = fake.requests[-1]
    assert body["model"] == "fake-model" and body["response_format"] == {"type": "json_object"}
    assert fake.headers[-1]["authorization"] == "Bearer k-test"


def test_a_known_model_is_priced_from_the_map_and_an_unknown_one_is_not(fake):
    fake.push("priced", "unpriced")
    priced = complete(MSG, settings=llm_settings(fake, model="openai/gpt-4o-mini"))
    unknown = complete(MSG, settings=llm_settings(fake))
    assert priced.cost is not None and priced.cost > 0
    assert unknown.cost is None


def test_failures_are_classified_like_litellm_s(fake):
    fake.push(Fault.unauthorized())
    try:
        complete(MSG, settings=llm_settings(fake))
    except ModelError as exc:
        assert exc.reason == "auth" and "Incorrect API key" in str(exc)
    else:
        raise AssertionError("a 401 must raise")
    fake.push(Fault.malformed(), Fault.server_error(503), Fault.rate_limit(0.01), "fine")
    answer = complete(MSG, settings=llm_settings(fake, retries=3))
    assert answer.text == "fine" and answer.attempts == 4


def test_run_all_ends_without_waiting_for_its_workers_teardown(fake, sample_copy, tmp_path):
    """Its stdout and stderr close when the command ends: nothing it started (the workers'
    fork server, litellm loaded in it) keeps them open while it tears down."""
    root = sample_copy("food-delivery")
    env = os.environ | {TRANSPORT_ENV: "litellm", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    from fake_openai_agent import agent_responder
    fake.responder = agent_responder
    proc = subprocess.Popen(
        [sys.executable, "-m", "studio", "run-all", str(root), "--model", "openai/fake-model",
         "--api-base", fake.url, "--tag", "switching", "--concurrency", "2", "-q"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()
    ended = time.monotonic()
    open_pipes = [proc.stdout, proc.stderr]
    while open_pipes and time.monotonic() - ended < 0.5:
        ready, _, _ = select.select(open_pipes, [], [], 0.05)
        for pipe in ready:
            if not os.read(pipe.fileno(), 65536):
                open_pipes.remove(pipe)
    assert not open_pipes, "a process the command started still holds its output open"
