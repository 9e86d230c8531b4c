"""The model client against a fake OpenAI-compatible server: real litellm HTTP path."""
from __future__ import annotations

import threading

import pytest
from pydantic import BaseModel

from fake_openai import FakeOpenAI, Fault
from llm_kit import fake, isolated, llm_settings, server  # noqa: F401  (fixtures)
from studio.llm.cache import LLMCache
from studio.llm.client import complete
from studio.llm.errors import ModelError
from studio.llm.session import ModelSession
from studio.llm.settings import LLMSettings
from studio.llm.usage import Usage

MSG = [{"role": "user", "content": "hello"}]
SECRET = "sk-test-secret-123456"


def settings_for(fake: FakeOpenAI, **kw) -> LLMSettings:
    return llm_settings(fake, **({"api_key": SECRET, "retries": 2} | kw))


class Answer(BaseModel):
    refund: float | None = None
    reason: str = ""


def test_plain_text_reply_with_usage(fake):
    fake.push("Hi there")
    usage = Usage()
    response = complete(MSG, settings=settings_for(fake), usage=usage)
    assert response.text == "Hi there"
    assert (response.tokens_in, response.tokens_out) == (11, 7)
    assert response.cost is None          # the fake model has no known price: unknown, not 0
    assert not response.cached
    assert fake.requests[0]["messages"][0]["content"] == "hello"
    assert fake.headers[0]["authorization"] == "Bearer sk-test-secret-123456"
    assert usage.tokens == 18 and usage.cost is None


def test_structured_reply_is_validated_and_coerced(fake):
    fake.push('```json\n{"refund": "42.5", "reason": "crushed"}\n```')
    response = complete(MSG, settings=settings_for(fake), response_format=Answer)
    assert response.parsed == Answer(refund=42.5, reason="crushed")
    sent = fake.requests[0]["response_format"]
    assert sent["type"] == "json_schema"
    assert "refund" in sent["json_schema"]["schema"]["properties"]


def test_falls_back_to_json_mode_then_prompting(fake):
    fake.push(Fault.bad_request("response_format json_schema is not supported by this model"),
              Fault.bad_request("response_format json_object with a schema is not supported"),
              Fault.bad_request("response_format json_object is not supported"),
              '{"refund": 10}')
    response = complete(MSG, settings=settings_for(fake, model="openai/old-model"),
                        response_format=Answer)
    assert response.parsed.refund == 10
    assert response.format_mode == "prompt"
    assert fake.requests[1]["response_format"]["type"] == "json_object"
    assert "refund" in fake.requests[1]["response_format"]["schema"]["properties"]
    assert fake.requests[2]["response_format"] == {"type": "json_object"}
    assert "response_format" not in fake.requests[3]
    assert "JSON schema" in fake.requests[3]["messages"][-1]["content"]


def test_malformed_json_is_retried_then_errors(fake):
    fake.push("not json at all", '{"refund": 5}')
    assert complete(MSG, settings=settings_for(fake), response_format=Answer).parsed.refund == 5
    # the retry spells the schema out in the prompt, for this call only
    assert fake.requests[1]["response_format"]["type"] == "json_object"
    assert "JSON schema" in fake.requests[1]["messages"][-1]["content"]
    fake.push('{"refund": 6}')
    complete(MSG, settings=settings_for(fake), response_format=Answer)
    assert fake.requests[2]["response_format"]["type"] == "json_schema"
    fake.reset()
    fake.push("nope", "still nope", "never")
    with pytest.raises(ModelError) as info:
        complete(MSG, settings=settings_for(fake), response_format=Answer)
    assert info.value.reason == "malformed"
    assert fake.calls == 3                 # first try + 2 retries


def test_malformed_http_body_and_5xx_are_retried(fake):
    fake.push(Fault.malformed(), Fault.server_error(500), Fault.server_error(503), "finally")
    response = complete(MSG, settings=settings_for(fake, retries=3))
    assert response.text == "finally" and response.attempts == 4


def test_server_errors_give_up_with_typed_error(fake):
    fake.push(*[Fault.server_error()] * 5)
    with pytest.raises(ModelError) as info:
        complete(MSG, settings=settings_for(fake, retries=1))
    assert info.value.reason == "server" and info.value.attempts == 2
    assert "gave up after 2 attempts" in str(info.value)


def test_rate_limit_honours_retry_after_and_lowers_concurrency(fake):
    fake.push(Fault.rate_limit(retry_after=0.2), "ok after wait")
    slept: list[float] = []
    settings = settings_for(fake, concurrency=8)
    run = ModelSession()
    response = complete(MSG, settings=settings, sleep=slept.append, session=run)
    assert response.text == "ok after wait"
    assert slept and slept[0] >= 0.2      # waited at least what Retry-After asked
    limiter = run.limiter(settings.model, settings.api_base, 8)
    assert limiter.limit == 4 and limiter.lowered == 1          # for the rest of this run
    assert ModelSession().limiter(settings.model, settings.api_base, 8).limit == 8   # not the next


def test_timeout_is_retried_then_reported(fake):
    fake.push(Fault.slow(1.0), Fault.slow(1.0))
    with pytest.raises(ModelError) as info:
        complete(MSG, settings=settings_for(fake, timeout=0.2, retries=1))
    assert info.value.reason == "timeout"
    assert "did not answer within 0.2 s" in str(info.value)


def test_auth_and_unknown_model_are_not_retried(fake):
    fake.push(Fault.unauthorized())
    with pytest.raises(ModelError) as info:
        complete(MSG, settings=settings_for(fake))
    assert info.value.reason == "auth" and fake.calls == 1
    assert "sk-test-secret-123456" not in str(info.value)
    fake.push(Fault.unknown_model())
    with pytest.raises(ModelError) as info:
        complete(MSG, settings=settings_for(fake))
    assert info.value.reason == "not_found" and "unknown model" in str(info.value)


def test_connection_refused_says_so():
    settings = LLMSettings(model="openai/fake-model", api_base="http://127.0.0.1:9/v1",
                           api_key="x-test", retries=0, timeout=2)
    with pytest.raises(ModelError) as info:
        complete(MSG, settings=settings)
    assert info.value.reason == "connection"
    assert "is the server running" in str(info.value)


def test_missing_key_names_env_var_and_keyring(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(ModelError) as info:
        complete(MSG, settings=LLMSettings(model="anthropic/claude-x", retries=0))
    assert info.value.reason == "no_key"
    assert "ANTHROPIC_API_KEY" in str(info.value) and "procedure-studio" in str(info.value)


def test_cache_serves_repeat_requests_and_no_cache_bypasses(fake, tmp_path):
    cache = LLMCache(tmp_path / "library.sqlite")
    settings = settings_for(fake)
    fake.push('{"refund": 1}', '{"refund": 2}')
    first = complete(MSG, settings=settings, response_format=Answer, cache=cache)
    usage = Usage()
    second = complete(MSG, settings=settings, response_format=Answer, cache=cache, usage=usage)
    assert second.cached and second.parsed.refund == 1 and fake.calls == 1
    assert usage.cost == 0.0 and usage.tokens == 0      # served from cache: free
    third = complete(MSG, settings=settings, response_format=Answer, cache=cache, no_cache=True)
    assert not third.cached and third.parsed.refund == 2 and fake.calls == 2
    other = [{"role": "user", "content": "something else"}]
    fake.push("x")
    assert not complete(other, settings=settings, cache=cache).cached
    assert first.parsed.refund == 1 and cache.count() == 2
    elsewhere = settings.model_copy(update={"api_base": "http://127.0.0.1:9/v1", "retries": 0})
    with pytest.raises(ModelError) as info:      # another server: its own answers, not these
        complete(MSG, settings=elsewhere, response_format=Answer, cache=cache)
    assert info.value.reason == "connection"


def test_concurrent_calls_respect_the_limit(fake):
    fake.latency = 0.05
    active, peak = [0], [0]
    lock = threading.Lock()

    def responder(body):
        return "ok"

    fake.responder = responder
    settings = settings_for(fake, concurrency=3)
    run = ModelSession()
    limiter = run.limiter(settings.model, settings.api_base, 3)
    original_acquire = limiter.acquire

    def counting_acquire(cancel_check=None):
        original_acquire(cancel_check)
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], limiter.active)

    limiter.acquire = counting_acquire
    threads = [threading.Thread(target=complete, kwargs={"settings": settings, "session": run,
                                                         "messages": [
        {"role": "user", "content": f"question {i}"}]}) for i in range(9)]   # distinct: all sent
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert active[0] == 9 and peak[0] <= 3 and fake.calls == 9


def test_mock_response_without_http():
    settings = LLMSettings(model="openai/gpt-4o-mini", api_key="sk-unit-test-0000")
    response = complete(MSG, settings=settings, mock_response='{"refund": 3, "reason": "r"}',
                        response_format=Answer)
    assert response.parsed.refund == 3
    assert response.cost is not None and response.cost > 0   # a priced model has a cost


def test_usage_sums_tokens_and_known_costs_and_keeps_unknown_unknown():
    from studio.llm.usage import LLMResponse
    usage = Usage()
    usage.add(LLMResponse(text="", tokens_in=10, tokens_out=5, cost=0.001))
    usage.add(LLMResponse(text="", tokens_in=1, tokens_out=1, cost=0.002))
    assert usage.tokens == 17 and usage.cost == 0.003
    usage.add(LLMResponse(text="", tokens_in=50, cost=0.5, cached=True))   # cached: free
    assert usage.calls == 3 and usage.cached_calls == 1 and usage.tokens == 17 and usage.cost == 0.003
    usage.add(LLMResponse(text="", tokens_in=3, cost=None))
    assert usage.tokens == 20 and usage.cost is None and usage.as_dict()["cost"] is None


def test_project_settings_reach_the_request(fake):
    from studio.core.settings import ModelSettings
    from studio.llm.settings import resolve_settings
    project = ModelSettings(name="openai/fake-model", api_base=fake.url, temperature=0.3, retries=0)
    fake.push("fine")
    assert complete(MSG, settings=resolve_settings(project, user={})).text == "fine"
    sent = fake.requests[0]
    assert sent["model"] == "fake-model" and sent["temperature"] == 0.3
