"""At most 2 model calls per agent turn (DESIGN.md section 7, issue 13): the switch check
and the extraction are one structured call, then the reply. The first turn also routes.

Counted on the fake OpenAI-compatible server, which answers like the offline engine, so
the sample simulations still pass with their verdicts and traces unchanged.
"""
from __future__ import annotations

import json

import pytest

from fake_openai_agent import agent_responder
from llm_kit import agent_fake, food, isolated, model_options, server  # noqa: F401  (fixtures)
from studio.runtime.options import RunOptions
from studio.simulate.runner import run_simulation

AGENT_PROMPTS = {"You route": "route", "You watch": "switch", "You read": "extract",
                 "You are a customer-service agent": "reply"}


def kind_of(request: dict) -> str | None:
    system = request["messages"][0]["content"]
    for prefix, kind in AGENT_PROMPTS.items():
        if system.startswith(prefix):
            if kind == "extract" and "`switch_rule`" in system:
                return "switch+extract"
            return kind
    return None                     # the model-played customer or the judge


def agent_turns(requests: list[dict]) -> list[list[str]]:
    """The agent's calls, split after each reply (one agent turn each)."""
    turns, current = [], []
    for request in requests:
        kind = kind_of(request)
        if kind is None:
            continue
        current.append(kind)
        if kind == "reply":
            turns.append(current)
            current = []
    return turns + ([current] if current else [])


def run(fake, food, name: str):
    fake.reset()
    result = run_simulation(food, food.simulation(name), options=model_options(fake, no_cache=True))
    return result, agent_turns(fake.requests)


@pytest.mark.parametrize("name", ["damaged-no-photo-half-refund", "damaged-photo-full-refund",
                                  "late-courier-nearly-there", "cancel-preparing-confirmed"])
def test_a_turn_costs_the_switch_check_and_extraction_in_one_call_then_the_reply(fake, food, name):
    result, turns = run(fake, food, name)
    assert result.status == "passed", (result.error, result.failed_expectations)
    assert len(turns) >= 2
    first, *later = turns
    assert first[0] == "route" and first[-1] == "reply" and len(first) <= 3
    for calls in later:
        assert len(calls) <= 2, turns
        assert not ("switch" in calls and "extract" in calls), turns   # merged, never apart
    if food.procedures[result.triggered].switch_rules:
        assert all("switch+extract" in calls for calls in later), turns


def test_the_offline_engine_still_checks_switches_and_extracts_apart(food):
    result = run_simulation(food, food.simulation("damaged-lawyer-switches-to-complaints"),
                            options=RunOptions())
    assert result.status == "passed", (result.error, result.failed_expectations)


def test_a_switch_found_in_the_merged_call_drops_its_extraction(fake, food):
    """An answer that both switches and states the order number: the switch wins and the
    number is not set from it (the new procedure's steps ask for what they need)."""
    sim = food.simulation("damaged-lawyer-switches-to-complaints").model_copy(deep=True)
    sim.customer.script[1:] = ["It's FD-555124 and I'm forwarding this to my lawyer."]
    fake.reset()
    result = run_simulation(food, sim, options=model_options(fake, no_cache=True))
    assert result.error is None and result.outcome == "handoff"
    switches = [e for e in result.trace if e["type"] == "switch"]
    assert [s["to"] for s in switches] == ["complaints"]
    assert switches[0]["why"].startswith("model:")
    assert not [e for e in result.trace if e["type"] == "variable_set" and e["name"] == "order_id"]
    turns = agent_turns(fake.requests)
    assert turns[1][0] == "switch+extract" and "extract" not in turns[1]


def test_a_malformed_merged_answer_is_retried_then_an_error_never_a_fail(fake, food):
    answers = iter([json.dumps({"reasoning": "r", "switch_rule": 2, "order_id": None,
                                "has_photo": None})] * 2)

    def responder(body):
        if kind_of(body) == "switch+extract":
            return next(answers, "{}")
        return agent_responder(body)
    fake.responder = responder
    food.settings.model.retries = 1
    result = run_simulation(food, food.simulation("damaged-no-photo-half-refund"),
                            options=model_options(fake, no_cache=True))
    assert result.status == "error"
    assert "switch and extract (malformed)" in result.error
    assert "gave up after 2 attempts" in result.error
    assert sum(kind_of(r) == "switch+extract" for r in fake.requests) == 2
