"""Small model-engine fixes a designer notices: the reply prompt knows who the
customer is (the segment's attributes), and the hints recommend `ollama_chat/`."""
from __future__ import annotations

from llm_kit import agent_fake, isolated, load_sample, server  # noqa: F401  (fixtures)
from llm_kit import model_options as options
from studio.llm.check import CheckResult, model_tip
from studio.simulate.runner import run_simulation
from studio.ui.dialogs.model_page import EXAMPLES, describe_check


def test_reply_prompt_carries_the_segments_attributes(fake, sample_copy):
    food = load_sample(sample_copy, retries=1)
    simulation = food.simulation("damaged-photo-full-refund")           # segment: regular
    run_simulation(food, simulation, options=options(fake))
    replies = [r["messages"][0]["content"] for r in fake.requests
               if r["messages"][0]["content"].startswith("You are a customer-service agent")]
    assert replies
    for key, value in food.settings.segments["regular"].items():
        assert all(f'"{key}": ' in p and str(value) in p for p in replies), (key, replies[0])


def test_hints_recommend_ollama_chat():
    assert "ollama_chat/llama3" in EXAMPLES and not [e for e in EXAMPLES if e.startswith("ollama/")]
    assert "ollama_chat/llama3" in model_tip("ollama/llama3")
    assert model_tip("ollama_chat/llama3") == ""
    ok = CheckResult(ok=True, model="ollama/llama3", api_base="http://localhost:11434",
                     latency_ms=5, reply="ok", tip=model_tip("ollama/llama3"))
    assert "Tip: use ollama_chat/llama3" in describe_check(ok)[1]
    assert any(line.startswith("tip:") for line in ok.lines())
