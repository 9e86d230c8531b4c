"""Whole simulations on the model engine when something goes wrong, and with the
customer and the judge on their own models: a model fault in any role (agent,
customer, judge) ends the simulation as `error` with the reason, never `fail`."""
from __future__ import annotations

import json

import pytest

from fake_openai import Fault
from fake_openai_agent import agent_responder
from llm_kit import agent_fake, isolated, load_sample, model_options, server  # noqa: F401  (fixtures)
from studio.runtime.options import RunOptions
from studio.simulate.runner import run_simulation

SIM = "damaged-no-photo-half-refund"


@pytest.fixture
def food(sample_copy):
    return load_sample(sample_copy, retries=0, timeout=1)   # retries, backoff: test_llm_client.py


def options(fake, **kw) -> RunOptions:
    return model_options(fake, no_cache=True, **kw)


def only_for(prefix: str, reply):
    """agent_responder, except `reply` for the prompts that start with `prefix`."""
    def responder(body):
        if body["messages"][0]["content"].startswith(prefix):
            return reply() if callable(reply) else reply
        return agent_responder(body)
    return responder


FAULTS = {
    "rate_limit": (lambda: Fault.rate_limit(retry_after=0.01), "rate limited"),
    "server": (lambda: Fault.server_error(503), "server error"),
    "timeout": (lambda: Fault.slow(3.0), "did not answer within 1 s"),
    "malformed_json": (lambda: "Sure! The procedure is damaged-order.", "malformed"),
    "malformed_body": (Fault.malformed, "not a valid chat completion"),
}


@pytest.mark.parametrize("kind", list(FAULTS))
def test_agent_model_faults_end_as_error(kind, fake, food):
    make, words = FAULTS[kind]
    fake.responder = only_for("You route", make)
    result = run_simulation(food, food.simulation(SIM), options=options(fake))
    assert result.status == "error", (kind, result.status, result.error)
    assert f"({kind.split('_')[0] if kind.startswith('malformed') else kind})" in result.error
    assert words in result.error
    assert result.error_code == ("malformed" if kind.startswith("malformed") else kind)
    assert not result.failed_expectations and not result.expectations


def test_a_judge_outage_is_an_error_not_a_failed_rubric(fake, food):
    fake.responder = only_for("You judge", lambda: Fault.server_error(500))
    result = run_simulation(food, food.simulation("damaged-photo-full-refund"), options=options(fake))
    assert result.status == "error"
    assert "judge" in result.error and "server error" in result.error
    assert result.error_code == "server"          # the hint follows the code, not the text
    assert not result.failed_expectations


def test_a_customer_model_outage_is_an_error(fake, food):
    sim = food.simulation(SIM)
    sim.customer.script = sim.customer.script[:1]       # the model plays the rest
    fake.responder = only_for("You play a customer", lambda: Fault.server_error(500))
    result = run_simulation(food, sim, options=options(fake))
    assert result.status == "error"
    assert "customer" in result.error and "server error" in result.error


def test_model_customer_and_judge_run_on_their_own_models(fake, food):
    food.settings.model.customer = "openai/customer-model"
    food.settings.model.judge = "openai/judge-model"
    sim = food.simulation(SIM)
    sim.customer.script = sim.customer.script[:1]
    sim.expect.rubric = ["The agent offers part of the money back"]
    said = iter(["It's FD-318220", "No, sorry, I already threw it away"])

    def customer(body):
        message = next(said, None)
        return json.dumps({"reasoning": "answering", "message": message or "",
                           "done": message is None})
    fake.responder = only_for("You play a customer", lambda: customer(None))
    result = run_simulation(food, sim, options=options(fake))
    assert result.status == "passed", (result.error, result.failed_expectations)
    spoken = [t.text for t in result.transcript if t.role == "customer"]
    assert spoken == ["The food was spilled all over the bag", "It's FD-318220",
                      "No, sorry, I already threw it away"]
    by_model: dict[str, list[str]] = {}
    for request in fake.requests:
        by_model.setdefault(request["model"], []).append(request["messages"][0]["content"][:12])
    assert set(by_model) == {"fake-model", "customer-model", "judge-model"}
    assert all(p.startswith("You play a c") for p in by_model["customer-model"])
    assert by_model["judge-model"] == ["You judge a "]
    rubric = [e for e in result.expectations if e.type == "rubric"]
    assert [e.status for e in rubric] == ["pass"] and rubric[0].reasoning
    assert result.tokens and result.tokens > 0           # every role's calls are counted
