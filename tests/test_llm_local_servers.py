"""Local OpenAI-compatible servers each refuse response formats their own way; the client
falls back by what the error body says, whatever the status, and learns it once per server.

Each fake below answers as the server's documentation (and, for llama-cpp-python, a real
run) says it does; the reply is valid JSON only when the request constrains decoding with
the schema, as a small local model's is."""
from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from fake_openai import FakeOpenAI, Fault
from llm_kit import fake, isolated, llm_settings, server  # noqa: F401  (fixtures)
from studio.llm.check import check_model
from studio.llm.client import complete, format_modes_learnt
from studio.llm.session import ModelSession
from studio.llm.errors import ModelError

MSG = [{"role": "user", "content": "cancel my pending order"}]
GOOD = '{"procedure": "cancel-order"}'
PROSE = "Sure! I think the customer wants to cancel the order."


class Route(BaseModel):
    procedure: str


def _literal_error(allowed: str, got: str) -> str:
    return str({"type": "literal_error", "loc": ("body", "response_format", "type"),
                "msg": f"Input should be {allowed}", "input": got})


def llama_cpp_python(body: dict):
    """llama-cpp-python's server: `text` or `json_object` (with an optional `schema` that
    constrains decoding); `json_schema` is a pydantic error it reports as a 500."""
    fmt = body.get("response_format")
    if fmt and fmt.get("type") not in ("text", "json_object"):
        return Fault(status=500, body=json.dumps({"error": {
            "message": _literal_error("'text' or 'json_object'", fmt.get("type")),
            "type": "internal_server_error"}}))
    return GOOD if fmt and fmt.get("schema") else PROSE


def lm_studio(body: dict):
    """LM Studio: `json_schema` (grammar-constrained) or `text`; `json_object` is a 400."""
    fmt = body.get("response_format")
    if fmt and fmt.get("type") not in ("json_schema", "text"):
        return Fault.bad_request("'response_format.type' must be 'json_schema' or 'text'")
    return GOOD if fmt and fmt.get("type") == "json_schema" else PROSE


def fastapi_422(body: dict):
    """A FastAPI-based server (older vLLM's OpenAI server): request validation is a 422."""
    fmt = body.get("response_format")
    if fmt and fmt.get("type") == "json_schema":
        return Fault(status=422, body=json.dumps({"detail": [{
            "type": "literal_error", "loc": ["body", "response_format", "type"],
            "msg": "Input should be 'text' or 'json_object'", "input": "json_schema"}]}))
    return GOOD if fmt else PROSE


def ollama(body: dict):
    """Ollama's /v1: `json_object` and `json_schema` (0.5 and later) both constrain."""
    return GOOD if body.get("response_format") else PROSE


def no_formats(body: dict):
    """A bare server that knows no response_format at all: only prompting works."""
    if "response_format" in body:
        return Fault.bad_request("Unrecognized request argument supplied: response_format")
    return "```json\n" + GOOD + "\n```"


@pytest.mark.parametrize("responder, first_mode, failed_attempts", [
    (llama_cpp_python, "json_object_schema", 1),
    (lm_studio, "json_schema", 0),
    (fastapi_422, "json_object_schema", 1),
    (ollama, "json_schema", 0),
    (no_formats, "prompt", 3),
])
def test_each_server_gets_a_format_it_takes_and_keeps_it(fake, responder, first_mode,
                                                         failed_attempts):
    fake.responder = responder
    settings = llm_settings(fake, retries=0)      # a refused format must not cost a retry
    run = ModelSession()
    first = complete(MSG, settings=settings, response_format=Route, session=run)
    assert first.parsed == Route(procedure="cancel-order")
    assert first.format_mode == first_mode
    assert fake.calls == failed_attempts + 1
    assert format_modes_learnt(run)[(settings.model, settings.api_base)] == first_mode
    # the rest of the run asks the way that worked: no failed attempt paid again
    for _ in range(3):
        assert complete(MSG, settings=settings, response_format=Route,
                        session=run).format_mode == first_mode
    assert fake.calls == failed_attempts + 4
    # a new run learns again: the server may have changed in between
    complete(MSG, settings=settings, response_format=Route, session=ModelSession())
    assert fake.calls == 2 * failed_attempts + 5


def test_a_500_that_is_not_about_the_format_is_retried_not_downgraded(fake):
    fake.push(Fault.server_error(500), GOOD)
    response = complete(MSG, settings=llm_settings(fake, retries=1, backoff=0.01),
                        response_format=Route)
    assert response.format_mode == "json_schema"
    assert fake.requests[1]["response_format"]["type"] == "json_schema"


def test_what_is_learnt_is_per_server(fake):
    fake.responder = llama_cpp_python
    complete(MSG, settings=llm_settings(fake), response_format=Route)
    with FakeOpenAI(responder=ollama) as other:
        answer = complete(MSG, settings=llm_settings(other), response_format=Route)
        assert answer.format_mode == "json_schema" and other.calls == 1


def test_a_forced_format_that_is_refused_says_so(fake):
    fake.responder = llama_cpp_python
    run = ModelSession()
    with pytest.raises(ModelError) as info:
        complete(MSG, settings=llm_settings(fake), response_format=Route,
                 format_mode="json_schema", session=run)
    assert info.value.reason == "unsupported_format"
    assert "json_schema" in str(info.value)
    assert format_modes_learnt(run) == {}         # a probe teaches the run nothing


def test_test_connection_says_which_formats_the_server_took(fake):
    def responder(body):        # llama-cpp-python, answering the probe's own schema
        reply = llama_cpp_python(body)
        return '{"ok": true}' if reply == GOOD else reply if body.get("response_format") else "ok"
    fake.responder = responder
    result = check_model(llm_settings(fake))
    assert result.ok
    assert result.formats == {"json_schema": "refused", "json_object_schema": "ok",
                              "json_object": "unreadable", "prompt": "unreadable"}
    assert any("json_object_schema" in line and "ok" in line for line in result.lines())


def test_a_bad_answer_under_a_constraining_format_is_asked_again_the_same_way(fake):
    replies = iter(['{"procedure": 7}', GOOD])      # the first does not fit the schema

    def flaky_llama(body):
        reply = llama_cpp_python(body)
        return next(replies) if reply == GOOD else reply
    fake.responder = flaky_llama
    answer = complete(MSG, settings=llm_settings(fake, retries=2), response_format=Route)
    assert answer.parsed == Route(procedure="cancel-order")
    # json_schema refused, then JSON mode with the schema, and the retry keeps the schema
    assert [r["response_format"]["type"] for r in fake.requests] == \
        ["json_schema", "json_object", "json_object"]
    assert "schema" in fake.requests[2]["response_format"]


def test_calls_that_start_together_pay_the_refused_format_once(fake):
    """Eight simulations send their first call at the same moment: one asks first and
    learns, the others wait for it and ask the way that worked."""
    from concurrent.futures import ThreadPoolExecutor
    fake.responder = llama_cpp_python
    fake.latency = 0.2
    settings, run = llm_settings(fake, retries=0), ModelSession()
    messages = [[{"role": "user", "content": f"cancel order {n}"}] for n in range(8)]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda m: complete(m, settings=settings, response_format=Route,
                                                   session=run), messages))
    assert {a.format_mode for a in answers} == {"json_object_schema"}
    kinds = [r["response_format"]["type"] for r in fake.requests]
    assert kinds.count("json_schema") == 1 and len(kinds) == 9

def test_a_run_all_on_llama_cpp_pays_the_refused_format_once(fake, sample_copy, tmp_path, capsys):
    """End to end through `studio run-all`: the whole run shares one ModelSession, so the
    500 for json_schema is paid by one call, not by each simulation; a new run learns anew."""
    from fake_openai_agent import agent_responder
    from llm_kit import SAMPLE
    from studio.cli import main

    def llama_agent(body: dict):
        fmt = body.get("response_format")
        if fmt and fmt.get("type") not in ("text", "json_object"):
            return llama_cpp_python(body)
        return agent_responder(body)
    fake.responder = llama_agent
    root, report = sample_copy(SAMPLE), tmp_path / "run.json"
    flags = ["--model", "openai/smollm2", "--api-base", fake.url, "--procedure", "damaged-order",
             "--no-cache", "--concurrency", "2", "-q", "--json", str(report)]
    for run in (1, 2):
        assert main(["run-all", str(root), *flags]) == 0
        capsys.readouterr()
        result = json.loads(report.read_text())
        assert result["errors"] == 0 and result["passed"] == result["total"] > 1
        kinds = [(r.get("response_format") or {}).get("type") for r in fake.requests]
        assert kinds.count("json_schema") == run           # once per run, not per simulation
        assert kinds.count("json_object") > result["total"]
