"""The model engine end to end: sample simulations through the runner, the real
litellm HTTP path and a fake server that answers like the offline engine."""
from __future__ import annotations

import json

import pytest

from fake_openai import Fault
from fake_openai_agent import agent_responder
from llm_kit import agent_fake, isolated, load_sample, server  # noqa: F401  (fixtures)
from llm_kit import model_options as options
from studio.core.simulation import CustomerTurn
from studio.runtime.brain import ExtractRequest, SwitchCandidate
from studio.runtime.model_brain import ModelBrain
from studio.simulate.runner import run_simulation


@pytest.fixture
def food(sample_copy):
    return load_sample(sample_copy, retries=1)


def test_sample_simulation_passes_on_the_model_engine(fake, food):
    sim = food.simulation("damaged-photo-full-refund")
    result = run_simulation(food, sim, options=options(fake))
    assert result.status == "passed", (result.error, result.failed_expectations)
    assert result.engine == "openai/fake-model"
    assert result.tokens and result.tokens > 0
    assert result.cost is None                 # the fake model has no price: unknown, not 0
    chosen = next(e for e in result.trace if e["type"] == "procedure_chosen")
    assert chosen["procedure"] == "damaged-order" and chosen["reason"].startswith("model:")
    order = next(e for e in result.trace if e["type"] == "variable_set" and e["name"] == "order_id")
    assert order["value"] == "FD-123456" and order["how"].startswith("model")
    rubric = [e for e in result.expectations if e.type == "rubric"]
    assert rubric and all(e.status == "pass" and e.reasoning for e in rubric)
    # the reply prompt carried the say example, the tone and the knowledge article
    reply_prompts = [r["messages"][0]["content"] for r in fake.requests
                     if r["messages"][0]["content"].startswith("You are a customer-service agent")]
    assert any("FD-123456" in p for p in reply_prompts)
    assert all("Friendly and concise" in p for p in reply_prompts)
    assert any("Knowledge article" in p for p in reply_prompts)


def test_unchanged_rerun_is_served_from_cache_and_free(fake, food):
    sim = food.simulation("damaged-no-photo-half-refund")
    first = run_simulation(food, sim, options=options(fake))
    calls = fake.calls
    assert first.status == "passed" and calls > 0
    again = run_simulation(food, sim, options=options(fake))
    assert again.status == "passed" and fake.calls == calls
    assert again.cost == 0.0 and again.tokens == 0
    repeat = run_simulation(food, sim, options=options(fake, repeat_index=1))
    assert fake.calls == 2 * calls and repeat.status == "passed"
    run_simulation(food, sim, options=options(fake, no_cache=True))
    assert fake.calls == 3 * calls


def test_model_outage_ends_as_error_never_fail(fake, food):
    fake.responder = lambda body: Fault.server_error(503)
    food.settings.model.retries = 1
    food.settings.model.timeout = 5
    result = run_simulation(food, food.simulation("damaged-photo-full-refund"),
                            options=options(fake, no_cache=True))
    assert result.status == "error"
    assert "model error" in result.error and "server error" in result.error
    assert not result.failed_expectations


def _extract_request(food, wanted, *, start=False, known=None):
    proc = food.procedures["damaged-order"]
    return ExtractRequest(proc, "ask-photo", "Ask for a photo", wanted, start, known or {}, [])


def test_extraction_validates_coerces_and_fits_patterns(fake, food):
    proc = food.procedures["damaged-order"]
    brain = ModelBrain(food, options(fake, no_cache=True))
    fake.responder = None
    fake.push(json.dumps({"reasoning": "they said yes and gave the order",
                          "has_photo": "yes", "order_id": "order fd FD-123456 please",
                          "refund": "£12.50"}))
    found = {e.name: e for e in brain.extract(
        CustomerTurn(text="yes, order FD-123456"),
        _extract_request(food, {"has_photo": proc.variables["has_photo"]}))}
    assert found["has_photo"].value is True
    assert found["order_id"].value == "FD-123456"        # another declared variable, fitted
    assert "pattern" in found["order_id"].how
    assert "refund" not in found              # computed by the amount step: never from a message
    assert "they said yes" in found["has_photo"].how
    schema = fake.requests[-1]["response_format"]["json_schema"]["schema"]
    assert list(schema["properties"]) == ["reasoning", "has_photo", "order_id"]
    assert schema["required"] == ["has_photo", "order_id"]


def test_extraction_drops_a_value_that_misses_its_pattern(fake, food):
    proc = food.procedures["damaged-order"]
    brain = ModelBrain(food, options(fake, no_cache=True))
    fake.responder = None
    fake.push(json.dumps({"has_photo": None, "order_id": "123"}))
    found = brain.extract(CustomerTurn(text="hmm 123"),
                          _extract_request(food, {"has_photo": proc.variables["has_photo"]}))
    assert found == []


def test_switch_signal_described_in_words(fake, food):
    brain = ModelBrain(food, options(fake, no_cache=True))
    rule = food.procedures["damaged-order"].switch_rules[0]
    fake.responder = None
    fake.push(json.dumps({"reasoning": "they threaten to sue", "rule": 1}),
              json.dumps({"reasoning": "no threat", "rule": None}))
    decision = brain.detect_switch(CustomerTurn(text="I'll see you in court"),
                                   [SwitchCandidate("damaged-order", 0, rule)], [])
    assert decision is not None and decision.candidate.rule.to == "complaints"
    assert decision.why == "model: they threaten to sue"
    prompt = fake.requests[-1]["messages"][0]["content"]
    assert "threatens legal action" in prompt and "'lawyer'" in prompt
    assert brain.detect_switch(CustomerTurn(text="fine"),
                               [SwitchCandidate("damaged-order", 0, rule)], []) is None


def test_cache_table_lives_beside_the_library(fake, food):
    from studio.library import Library
    from studio.llm.cache import TABLE
    sim = food.simulation("damaged-no-photo-half-refund")
    assert run_simulation(food, sim, options=options(fake)).status == "passed"
    library = Library.open(food.root)          # a database the cache created first opens fine
    try:
        assert any(r.name == sim.name for r in library.simulations())
    finally:
        library.close()
    import sqlite3
    with sqlite3.connect(food.library_path) as conn:
        assert conn.execute(f"select count(*) from {TABLE}").fetchone()[0] > 0


def test_reply_reasoning_is_kept_in_the_trace(fake, food):
    sim = food.simulation("damaged-photo-full-refund")
    result = run_simulation(food, sim, options=options(fake))
    replies = [e for e in result.trace if e["type"] == "reply"]
    assert replies and all(e.get("reasoning") for e in replies), replies[:2]


def test_rubric_judge_calls_count_in_tokens(fake, food):
    sim = food.simulation("damaged-photo-full-refund")
    without = sim.model_copy(deep=True)
    without.expect.rubric = []
    plain = run_simulation(food, without, options=options(fake, no_cache=True))
    judged = run_simulation(food, sim, options=options(fake, no_cache=True))
    assert sim.expect.rubric, "the sample should carry rubric criteria"
    assert judged.tokens > plain.tokens


def test_runner_shows_the_model_reasoning_for_a_reply():
    from studio.ui.panels.runner.reasoning import reasoning_html
    shown = reasoning_html([{"type": "reply", "text": "Hi", "reasoning": "followed the apology step"},
                            {"type": "reply", "text": "Hi again"}])
    assert "followed the apology step" in shown and "Hi again" not in shown


def test_a_model_customer_who_stops_is_the_end_reason_not_a_script_that_ran_out(fake, food):
    sim = food.simulation("damaged-photo-full-refund")
    sim.customer.script = sim.customer.script[:1]        # then the model plays the customer

    def gives_up(body: dict) -> str:
        if body["messages"][0]["content"].startswith("You play a customer"):
            return json.dumps({"reasoning": "they keep asking", "message": "", "done": True,
                               "ended": "gave up"})
        return agent_responder(body)
    fake.responder = gives_up
    result = run_simulation(food, sim, options=options(fake, no_cache=True))
    end = next(e for e in result.trace if e["type"] == "end")
    assert result.outcome == "unresolved"
    assert end["reason"].startswith("the customer ended the conversation: gave up")
    assert "script ran out" not in end["reason"]


@pytest.mark.parametrize("stall", [Fault.slow(30, "late"), Fault.rate_limit(retry_after=30)],
                         ids=["slow-reply", "long-retry-wait"])
def test_cancel_stops_a_model_call_in_flight_or_waiting_to_retry(fake, food, stall):
    import threading

    from studio.core.progress import Progress
    food.settings.model.retries = 3
    fake.push(stall)                      # the first call (routing) stalls for 30 s
    progress, done = Progress(), {}
    worker = threading.Thread(target=lambda: done.setdefault("result", run_simulation(
        food, food.simulation("damaged-photo-full-refund"),
        options=options(fake, no_cache=True), cancel=progress)), daemon=True)
    worker.start()
    for _ in range(200):                  # until the stalled request reached the server
        if fake.calls:
            break
        threading.Event().wait(0.05)
    assert fake.calls == 1
    progress.cancel()
    worker.join(15)                       # well before the stall would end on its own
    assert not worker.is_alive(), "the run kept waiting for the model after the cancel"
    result = done["result"]
    assert result.status == "error" and result.error == "cancelled"
    assert fake.calls == 1                # and no retry was sent after the cancel
