"""The engine's edge rules (DESIGN.md section 4), each with a case where the rule
applies and one that shows the old reading is gone or the rule does not over-reach.

The model-engine side of "a bare yes or no answers only the question just
asked" is in tests/test_llm_strict_answers.py.
"""
from __future__ import annotations

import pytest

from engine_kit import events, failures, make_project, replies, run

# -- attempts count only turns that fill none of the missing variables ----------------

CONTACT = {
    "title": "Update contact details",
    "trigger": {"examples": ["update my contact details"]},
    "variables": {"area": {"type": "string", "pattern": "[A-Z]{2}\\d{1,2}"},
                  "email": {"type": "email"}},
    "steps": [
        {"id": "ask", "kind": "instruction", "text": "Ask for the postcode area and email",
         "say": "Your postcode area and email?", "collect": ["area", "email"], "attempts": 2},
        {"id": "done", "kind": "end", "outcome": "resolved", "say": "Saved {{ area }} {{ email }}"},
    ],
}


@pytest.fixture
def contact(tmp_path):
    return make_project(tmp_path, procedures={"contact": CONTACT})


def test_a_turn_that_fills_some_missing_variables_is_not_an_attempt(contact):
    # was: "AB1" counted as attempt 1 and "hmm" as attempt 2, so the step handed off
    result = run(contact, {"customer": {"script": [
        "update my contact details", "AB1", "hmm", "jo@example.com"]}})
    assert result.outcome == "resolved", result.trace[-3:]
    waits = [(e["missing"], e["attempt"]) for e in events(result, "waiting")]
    assert waits == [(["area", "email"], 0), (["email"], 0), (["email"], 1)]


def test_turns_that_fill_nothing_are_attempts_then_a_handoff(contact):
    result = run(contact, {"customer": {"script": [
        "update my contact details", "hmm", "what?", "jo@example.com"]}})
    assert result.outcome == "handoff" and result.turns == 3
    assert [e["attempt"] for e in events(result, "waiting")] == [0, 1, 2]
    assert "after 2 customer turn(s)" in events(result, "handoff")[0]["reason"]


# -- the message that triggers a switch rule is offered to the new procedure -----------

def _switching_project(root):
    return make_project(root, procedures={
        "billing": {
            "title": "Billing question",
            "trigger": {"examples": ["question about my bill"]},
            "variables": {"reason": {"type": "enum", "options": ["fraud", "price", "other"]}},
            "switch_rules": [{"keywords": ["lawyer"], "to": "legal"},
                             {"when": 'reason == "fraud"', "to": "fraud"}],
            "steps": [{"id": "ask-reason", "kind": "instruction", "text": "Ask why",
                       "say": "What is wrong with the bill?", "collect": ["reason"]},
                      {"id": "end-billing", "kind": "end", "outcome": "resolved"}]},
        "legal": {
            "title": "Legal threat", "trigger": {"examples": ["legal action"]},
            "variables": {"order_id": {"pattern": "FD-\\d{6}"}, "amount": {"type": "number"}},
            "steps": [{"id": "ask-order", "kind": "instruction", "text": "Order?",
                       "say": "Which order?", "collect": ["order_id"]},
                      {"id": "ask-amount", "kind": "instruction", "text": "Amount?",
                       "say": "How much?", "collect": ["amount"]},
                      {"id": "end-legal", "kind": "end", "outcome": "handoff"}]},
        "fraud": {
            "title": "Fraud", "trigger": {"examples": ["someone used my card"]},
            "variables": {"last4": {"pattern": "\\b\\d{4}\\b"}},
            "steps": [{"id": "ask-card", "kind": "instruction", "text": "Card?",
                       "say": "Last four digits of the card?", "collect": ["last4"]},
                      {"id": "end-fraud", "kind": "end", "outcome": "resolved"}]},
    })


def test_a_keyword_switch_message_fills_the_new_procedures_first_collecting_step(tmp_path):
    project = _switching_project(tmp_path)
    result = run(project, {"customer": {"script": [
        "question about my bill", "My lawyer says FD-123456 cost 40 too much"]}})
    assert [e["to"] for e in events(result, "switch")] == ["legal"]
    assert result.variables["order_id"] == "FD-123456"           # not asked again
    assert "amount" not in result.variables                      # only the first collecting step
    assert replies(result)[-1] == "How much?"


def test_a_when_switch_message_is_offered_to_the_new_procedure_too(tmp_path):
    project = _switching_project(tmp_path)
    result = run(project, {"customer": {"script": [
        "question about my bill", "It's fraud, my card ending 4421 was charged"]}})
    assert [e["to"] for e in events(result, "switch")] == ["fraud"]
    assert result.variables["last4"] == "4421"                   # was: asked again
    assert result.outcome == "resolved" and result.turns == 2


def test_a_message_that_triggers_no_switch_is_not_offered_elsewhere(tmp_path):
    project = _switching_project(tmp_path)
    result = run(project, {"customer": {"script": [
        "question about my bill", "the price went up, card ending 4421"]}})
    assert events(result, "switch") == [] and "last4" not in result.variables
    assert result.variables["reason"] == "price"


# -- an unmatched first message gets fallback.say and is routed again ------------------

SIGNAL = {
    "title": "No mobile signal",
    "trigger": {"examples": ["my phone has no signal", "no mobile service"]},
    "steps": [{"id": "fix", "kind": "end", "outcome": "resolved", "say": "Restart the phone."}],
}


def _fallback_project(root, **fallback):
    settings = {"fallback": fallback} if fallback else None
    return make_project(root, procedures={"signal": SIGNAL}, settings=settings)


def test_an_unmatched_hi_gets_the_fallback_and_the_next_message_is_routed(tmp_path):
    # was: "Hi!" handed off at once with "no procedure matched"
    result = run(_fallback_project(tmp_path), {"customer": {"script": [
        "Hi!", "my phone has no signal"]}, "expect": {"procedure": "signal", "outcome": "resolved"}})
    assert result.status == "passed", failures(result)
    assert replies(result) == ["How can I help you today?", "Restart the phone."]
    chosen = events(result, "procedure_chosen")
    assert [e.get("procedure") for e in chosen] == [None, "signal"]
    assert "fallback 1 of 1" in chosen[0]["reason"] and not events(result, "handoff")


def test_still_unmatched_after_the_fallback_hands_off_quoting_the_customer(tmp_path):
    result = run(_fallback_project(tmp_path, say="What can I do for you?", attempts=2),
                 {"customer": {"script": ["Hi!", "hello?", "what are your opening hours", "bye"]}})
    assert replies(result) == ["What can I do for you?", "What can I do for you?",
                               "I'm passing you to a teammate who can help."]
    assert result.outcome == "handoff" and result.turns == 3
    note = next(t.text for t in result.transcript if t.role == "note")
    assert note == ('No procedure matched what the customer asked: "Hi!"; then "hello?"; '
                    'then "what are your opening hours"')


def test_fallback_attempts_zero_hands_off_at_once(tmp_path):
    result = run(_fallback_project(tmp_path, attempts=0),
                 {"customer": {"script": ["Hi!", "my phone has no signal"]}})
    assert result.outcome == "handoff" and result.turns == 1
    assert replies(result) == ["I'm passing you to a teammate who can help."]
    assert 'asked: "Hi!"' in next(t.text for t in result.transcript if t.role == "note")


def test_a_matched_first_message_never_gets_the_fallback(tmp_path):
    result = run(_fallback_project(tmp_path), {"customer": {"script": ["my phone has no signal"]}})
    assert replies(result) == ["Restart the phone."]


# -- a bare yes or no answers only the question just asked (offline) -----------------

QUESTIONS = {
    "title": "Broadband checks",
    "trigger": {"examples": ["my internet is down"]},
    "variables": {"router_on": {"type": "boolean"}, "cables_ok": {"type": "boolean"}},
    "steps": [
        {"id": "ask-router", "kind": "instruction", "text": "Router on?", "say": "Is the router on?",
         "collect": ["router_on"]},
        {"id": "ask-cables", "kind": "instruction", "text": "Cables?", "say": "Cables plugged in?",
         "collect": ["cables_ok"]},
        {"id": "done", "kind": "end", "outcome": "resolved"},
    ],
}


def test_a_bare_yes_fills_the_question_just_asked(tmp_path):
    project = make_project(tmp_path, procedures={"checks": QUESTIONS})
    result = run(project, {"customer": {"script": ["my internet is down", "YES, it does.", "no"]}})
    assert result.variables == {"router_on": True, "cables_ok": False}


def test_a_bare_yes_does_not_answer_the_next_question(tmp_path):
    project = make_project(tmp_path, procedures={"checks": QUESTIONS})
    result = run(project, {"customer": {"script": ["my internet is down", "Yes, it does."]}})
    assert result.variables == {"router_on": True}
    assert replies(result)[-1] == "Cables plugged in?" and result.outcome == "unresolved"


# -- case: enum options and yes/no in any case, patterns as written -------------------

def _case_project(root, pattern):
    return make_project(root, procedures={"case": {
        "title": "Case", "trigger": {"examples": ["change my order"]},
        "variables": {"choice": {"type": "enum", "options": ["Wait", "Cancel"]},
                      "sure": {"type": "boolean"}, "order_id": {"pattern": pattern}},
        "steps": [
            {"id": "ask-choice", "kind": "instruction", "text": "Wait or cancel?", "collect": ["choice"]},
            {"id": "ask-sure", "kind": "instruction", "text": "Sure?", "collect": ["sure"]},
            {"id": "ask-order", "kind": "instruction", "text": "Order?", "collect": ["order_id"],
             "attempts": 1},
            {"id": "done", "kind": "end", "outcome": "resolved"}]}})


def test_enum_options_and_yes_no_match_in_any_case(tmp_path):
    result = run(_case_project(tmp_path, "FD-\\d{6}"), {"customer": {"script": [
        "change my order", "just CANCEL it", "NOPE", "FD-123456"]}})
    assert result.variables == {"choice": "Cancel", "sure": False, "order_id": "FD-123456"}


def test_a_pattern_is_case_sensitive_unless_it_says_so(tmp_path):
    strict = run(_case_project(tmp_path / "a", "FD-\\d{6}"), {"customer": {"script": [
        "change my order", "cancel", "yes", "fd-123456"]}})
    assert "order_id" not in strict.variables and strict.outcome == "handoff"
    loose = run(_case_project(tmp_path / "b", "(?i)FD-\\d{6}"), {"customer": {"script": [
        "change my order", "cancel", "yes", "fd-123456"]}})
    assert loose.variables["order_id"] == "fd-123456" and loose.outcome == "resolved"


# -- offline, the first number wins; one too large is not extracted -------------------

def _number_project(root):
    return make_project(root, procedures={"n": {
        "title": "Numbers", "trigger": {"examples": ["how many pizzas"]},
        "variables": {"count": {"type": "number"}},
        "steps": [{"id": "ask", "kind": "instruction", "text": "How many?", "say": "How many?",
                   "collect": ["count"], "attempts": 1},
                  {"id": "add", "kind": "code", "code": "doubled = count * 2"},
                  {"id": "done", "kind": "end", "outcome": "resolved", "say": "{{ doubled }}"}]}})


def test_the_first_number_in_an_answer_fills_a_number(tmp_path):
    result = run(_number_project(tmp_path), {"customer": {"script": [
        "how many pizzas", "2 pizzas, and I paid 42.50"]}})
    assert result.variables["count"] == 2 and replies(result)[-1] == "4"


@pytest.mark.parametrize("number", ["9" * 5000, "9" * 400 + ".5"], ids=["5000-digits", "400-digits"])
def test_a_number_too_large_to_represent_is_not_extracted_and_the_trace_says_why(tmp_path, number):
    # was: an engine fault (int over 4300 digits) or infinity breaking the next code step
    result = run(_number_project(tmp_path), {"customer": {"script": [
        "how many pizzas", f"{number} please"]}})
    assert result.status == "passed" and result.error is None
    assert "count" not in result.variables and result.outcome == "handoff"
    why = events(result, "not_extracted")
    assert [e["name"] for e in why] == ["count"] and "too large to represent" in why[0]["why"]


# -- a script that runs out ends unresolved; leftover turns are ignored ---------------

def test_a_script_that_runs_out_ends_unresolved_and_says_so(tmp_path):
    result = run(_number_project(tmp_path), {"customer": {"script": ["how many pizzas"]}})
    end = events(result, "end")[0]
    assert result.outcome == "unresolved" and "script ran out" in end["reason"]
    assert events(result, "script_ignored") == []


def test_script_turns_left_after_the_end_are_ignored_and_the_trace_says_so(tmp_path):
    result = run(_number_project(tmp_path), {"customer": {"script": [
        "how many pizzas", "3", "thanks!", "bye"]}})
    assert result.outcome == "resolved" and result.turns == 2
    ignored = events(result, "script_ignored")
    assert len(ignored) == 1 and ignored[0]["texts"] == ["thanks!", "bye"]
    assert "2 scripted turn(s)" in ignored[0]["reason"]
    assert [t.text for t in result.transcript if t.role == "customer"] == ["how many pizzas", "3"]


# -- a code step's new variables are the names its run actually bound ----------------

def _code_project(root):
    return make_project(root, procedures={"acct": {
        "title": "Account", "trigger": {"examples": ["open an account"]},
        "variables": {"account_id": {"pattern": "AC-\\d+"}, "vip": {"type": "boolean"}},
        "steps": [
            {"id": "ask", "kind": "instruction", "text": "Id?", "collect": ["account_id"]},
            {"id": "ask-vip", "kind": "instruction", "text": "VIP?", "collect": ["vip"]},
            {"id": "tier", "kind": "code", "code":
                "if vip:\n    account_id = 'VIP-' + account_id\nelse:\n    note = 'standard'\nseen = 1\n"},
            {"id": "done", "kind": "end", "outcome": "resolved"}]}})


def test_a_branch_that_did_not_run_binds_nothing(tmp_path):
    result = run(_code_project(tmp_path), {"customer": {"script": ["open an account", "AC-7", "no"]}})
    snippet = events(result, "snippet_run")[0]
    assert snippet["assigned"] == ["note", "seen"]              # was: account_id too
    from_code = [e["name"] for e in events(result, "variable_set") if e["source"] == "code"]
    assert from_code == ["note", "seen"] and result.variables["account_id"] == "AC-7"


def test_the_branch_that_ran_binds_its_names(tmp_path):
    result = run(_code_project(tmp_path), {"customer": {"script": ["open an account", "AC-7", "yes"]}})
    assert events(result, "snippet_run")[0]["assigned"] == ["account_id", "seen"]
    assert result.variables["account_id"] == "VIP-AC-7" and "note" not in result.variables
