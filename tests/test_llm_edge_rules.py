"""The engine's edge rules hold under a model engine too (DESIGN.md section 4: "both
engines"): the same projects and scripts as tests/test_engine_edge_rules.py, with the
agent on the fake OpenAI-compatible server answering like the offline engine.

The bare yes/no rule and the fallback under a model are in test_llm_strict_answers.py.
"""
from __future__ import annotations

from engine_kit import events, make_project, replies, run
from llm_kit import agent_fake, isolated, model_options, server  # noqa: F401  (fixtures)
from test_engine_edge_rules import CONTACT, _code_project, _number_project, _switching_project


def _model(fake):
    return model_options(fake, no_cache=True)


def test_a_switch_message_is_offered_to_the_new_procedure_under_a_model(fake, tmp_path):
    result = run(_switching_project(tmp_path), {"customer": {"script": [
        "question about my bill", "My lawyer says FD-123456 cost 40 too much"]}}, options=_model(fake))
    assert result.error is None and [e["to"] for e in events(result, "switch")] == ["legal"]
    assert result.variables["order_id"] == "FD-123456"           # not asked again
    assert "amount" not in result.variables and replies(result)[-1] == "How much?"


def test_a_message_that_switches_nothing_is_not_offered_elsewhere_under_a_model(fake, tmp_path):
    result = run(_switching_project(tmp_path), {"customer": {"script": [
        "question about my bill", "the price went up, card ending 4421"]}}, options=_model(fake))
    assert result.error is None and events(result, "switch") == []
    assert "last4" not in result.variables and result.variables["reason"] == "price"


def test_progress_is_not_an_attempt_under_a_model(fake, tmp_path):
    project = make_project(tmp_path, procedures={"contact": CONTACT})
    result = run(project, {"customer": {"script": [
        "update my contact details", "AB1", "hmm", "jo@example.com"]}}, options=_model(fake))
    assert result.outcome == "resolved", result.error
    assert [(e["missing"], e["attempt"]) for e in events(result, "waiting")] == [
        (["area", "email"], 0), (["email"], 0), (["email"], 1)]


def test_turns_that_fill_nothing_are_attempts_under_a_model(fake, tmp_path):
    project = make_project(tmp_path, procedures={"contact": CONTACT})
    result = run(project, {"customer": {"script": [
        "update my contact details", "hmm", "what?", "jo@example.com"]}}, options=_model(fake))
    assert result.outcome == "handoff" and result.turns == 3
    assert [e["attempt"] for e in events(result, "waiting")] == [0, 1, 2]


def test_a_script_that_runs_out_ends_unresolved_under_a_model(fake, tmp_path):
    result = run(_number_project(tmp_path), {"customer": {"script": ["how many pizzas"]}},
                 options=_model(fake))
    assert result.outcome == "unresolved" and "script ran out" in events(result, "end")[0]["reason"]


def test_turns_left_after_the_end_are_ignored_under_a_model(fake, tmp_path):
    result = run(_number_project(tmp_path), {"customer": {"script": [
        "how many pizzas", "3", "thanks!", "bye"]}}, options=_model(fake))
    assert result.outcome == "resolved" and result.turns == 2
    assert events(result, "script_ignored")[0]["texts"] == ["thanks!", "bye"]


def test_a_code_step_binds_only_what_its_run_bound_under_a_model(fake, tmp_path):
    result = run(_code_project(tmp_path), {"customer": {"script": ["open an account", "AC-7", "no"]}},
                 options=_model(fake))
    assert result.error is None and events(result, "snippet_run")[0]["assigned"] == ["note", "seen"]
    assert result.variables["account_id"] == "AC-7"
