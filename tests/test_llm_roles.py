"""The model-played customer and the rubric judge, against the fake server."""
from __future__ import annotations

import json

import pytest

from fake_openai import Fault
from llm_kit import fake, food, isolated, llm_settings, server  # noqa: F401  (fixtures)
from studio.llm.errors import ModelError
from studio.llm.settings import LLMSettings
from studio.llm.usage import Usage
from studio.simulate.model_customer import ModelCustomer
from studio.simulate.model_judge import judge_rubric
from studio.runtime.options import RunOptions


def settings(fake, **kw) -> LLMSettings:
    return llm_settings(fake, **({"model": "openai/agent-model"} | kw))


TRANSCRIPT = [
    {"role": "customer", "text": "My pizza arrived crushed"},
    {"role": "agent", "text": "I'm so sorry! What's your order number?"},
    {"role": "customer", "text": "FD-123456"},
    {"role": "note", "text": "Refund 42.5 for FD-123456"},
    {"role": "agent", "text": "I've refunded £42.5."},
]


def test_rubric_each_criterion_with_reasoning_on_the_judge_model(fake):
    fake.push(json.dumps({"results": [
        {"criterion": 1, "passed": True, "reasoning": "It says sorry first."},
        {"criterion": 2, "passed": False, "reasoning": "It promised before checking."}]}))
    usage = Usage()
    results = judge_rubric(["The agent apologises", "No promise before lookup", "Is concise"],
                           TRANSCRIPT, settings(fake, judge="openai/judge-model"), usage=usage)
    assert [r.status for r in results] == ["pass", "fail", "skipped"]
    assert results[0].reasoning == "It says sorry first."
    assert "It promised before checking" in results[1].message
    assert all(r.type == "rubric" for r in results)
    request = fake.requests[0]
    assert request["model"] == "judge-model"
    prompt = request["messages"][0]["content"] + request["messages"][1]["content"]
    assert "1. The agent apologises" in prompt and "internal note" in prompt
    assert usage.calls == 1 and usage.tokens > 0


def test_rubric_judge_outage_raises_model_error(fake):
    fake.push(Fault.server_error(500))
    with pytest.raises(ModelError):
        judge_rubric(["x"], TRANSCRIPT, settings(fake))


def test_rubric_accepts_project_settings(fake, food):
    project = food
    project.settings.model.name = "openai/agent-model"
    project.settings.model.api_base = fake.url
    fake.push(json.dumps({"results": [{"criterion": 1, "passed": True, "reasoning": "ok"}]}))
    results = judge_rubric(["Polite"], TRANSCRIPT, project)
    assert results[0].status == "pass"
    # same request again: served from the project's cache
    assert judge_rubric(["Polite"], TRANSCRIPT, project)[0].status == "pass"
    assert fake.calls == 1


def test_model_customer_plays_script_first_then_improvises(fake, food):
    project = food
    sim = project.simulation("damaged-photo-full-refund")
    sim.customer.script = sim.customer.script[:1]
    options = RunOptions(model="openai/agent-model", api_base=fake.url, no_cache=True)
    customer = ModelCustomer(project, sim, options, settings=settings(fake, customer="openai/cust"))
    first = customer.next_turn([])
    assert first.text == "Hi, my pizza arrived completely crushed" and fake.calls == 0
    fake.push(json.dumps({"reasoning": "asked for order", "message": "It's FD-123456", "done": False}),
              json.dumps({"reasoning": "refund given", "message": "", "done": True}))
    transcript = [{"role": "customer", "text": first.text},
                  {"role": "agent", "text": "Sorry! What's the order number?"}]
    second = customer.next_turn(transcript)
    assert second.text == "It's FD-123456"
    request = fake.requests[0]
    assert request["model"] == "cust"
    system = request["messages"][0]["content"]
    assert "Polite but in a hurry" in system and "Get a refund" in system and "FD-123456" in system
    assert "London" not in system and "Leeds" in system          # segment 'regular' attributes
    assert [m["role"] for m in request["messages"][1:]] == ["assistant", "user"]
    assert customer.next_turn(transcript + [{"role": "agent", "text": "Refunded."}]) is None
    assert customer.next_turn(transcript) is None                 # stays done


def test_model_customer_stops_at_max_turns(fake, food):
    project = food
    sim = project.simulation("damaged-photo-full-refund")
    sim.customer.script = []
    sim.expect.max_turns = 2
    fake.responder = lambda body: json.dumps({"message": "hello?", "done": False})
    customer = ModelCustomer(project, sim, RunOptions(no_cache=True), settings=settings(fake))
    assert customer.next_turn([]) is not None and customer.next_turn([]) is not None
    assert customer.next_turn([]) is None and fake.calls == 2
