"""Each step kind, switching, sub-procedures, error handling and the loop guard."""
import pytest

from engine_kit import CONNECTORS, HAPPY, damaged_project, events, failures, make_project, replies, run

START = {"trigger": {"examples": ["start the test"]}}


def one(tmp_path, steps, *, connectors=None, knowledge=None, variables=None, extra=None, **kw):
    procedures = {"main": START | {"steps": steps, "variables": variables or {}}} | (extra or {})
    return make_project(tmp_path, procedures=procedures, connectors=connectors or CONNECTORS,
                        knowledge=knowledge, **kw)


def script(*turns, **rest):
    return {"customer": {"script": list(turns) or ["start the test"]}} | rest


def test_condition_first_true_branch_else_and_no_match(tmp_path):
    steps = [
        {"id": "c1", "kind": "condition", "branches": [
            {"when": "else", "steps": [{"id": "e1", "kind": "instruction", "text": "else one"}]},
            {"when": "customer.plan == 'pro'", "steps": [{"id": "p1", "kind": "instruction", "text": "pro one"}]},
            {"when": "customer.plan != 'free'", "steps": [{"id": "p2", "kind": "instruction", "text": "pro two"}]}]},
        {"id": "c2", "kind": "condition", "branches": [
            {"when": "customer.plan == 'gold'", "steps": [{"id": "g", "kind": "instruction", "text": "gold"}]}]},
        {"id": "bye", "kind": "end", "say": "bye"}]
    project = one(tmp_path, steps)
    pro = run(project, {"customer": {"script": ["start the test"], "attributes": {"plan": "pro"}}})
    assert replies(pro) == ["pro one\nbye"]          # first true branch, says joined in one turn
    assert pro.coverage["main"].branches == ["c1#1", "c2#none"]
    free = run(project, {"customer": {"script": ["start the test"], "attributes": {"plan": "free"}}})
    assert replies(free) == ["else one\nbye"]        # else is the fallback even when written first
    assert free.coverage["main"].branches == ["c1#0", "c2#none"]
    assert [e["is_else"] for e in events(free, "branch_taken")] == [True, False]


def test_when_on_any_step_skips_and_is_not_visited(tmp_path):
    steps = [{"id": "vip", "kind": "instruction", "text": "VIP hello", "when": "customer.plan == 'pro'"},
             {"id": "bye", "kind": "end", "say": "bye"}]
    result = run(one(tmp_path, steps), script(expect={"not_visited": ["vip"], "visited": ["bye"]}))
    assert result.status == "passed", failures(result)
    assert events(result, "step_skipped")[0]["step"] == "vip"
    assert "vip" not in result.coverage["main"].steps


def test_connector_list_fixture_consumed_one_call_at_a_time(tmp_path):
    steps = [{"id": "a", "kind": "connector", "connector": "get_order", "save_as": "first"},
             {"id": "b", "kind": "connector", "connector": "get_order", "save_as": "second"},
             {"id": "c", "kind": "connector", "connector": "get_order", "save_as": "third", "on_error": "continue"},
             {"id": "d", "kind": "connector", "connector": "cancel_order", "save_as": "sample"},
             {"id": "bye", "kind": "end"}]
    result = run(one(tmp_path, steps), script(fixtures={"connectors": {"get_order": [{"n": 1}, {"n": 2}]}}))
    assert result.variables["first"] == {"n": 1} and result.variables["second"] == {"n": 2}
    assert "third" not in result.variables                     # the list ran out: an error, continued
    assert "has 2 item(s)" in events(result, "connector_called")[2]["error"]
    assert result.variables["sample"] == {"ok": True}          # no fixture: the connector's sample
    assert [e["source"] for e in events(result, "connector_called")] == ["fixture"] * 3 + ["sample"]


@pytest.mark.parametrize("fixture, shown", [({"error": "timeout"}, "timeout"), ({"error": 500}, "HTTP 500")])
def test_error_fixture_with_on_error_handoff_is_judged_normally(tmp_path, fixture, shown):
    project = damaged_project(tmp_path)
    result = run(project, HAPPY | {
        "fixtures": {"connectors": {"get_order": fixture}},
        "expect": {"outcome": "handoff", "not_called": ["issue_refund"], "note_contains": [shown]}})
    assert result.status == "passed", failures(result)
    call = events(result, "connector_called")[0]
    assert call["status"] == "error" and call["error"] == shown and call["on_error"] == "handoff"
    failed = run(project, HAPPY | {"fixtures": {"connectors": {"get_order": fixture}},
                                   "expect": {"outcome": "resolved"}})
    assert failed.status == "failed"                     # a fail, not an error
    assert shown in failed.expectations[0].message


def test_error_fixture_with_on_error_continue(tmp_path):
    steps = [{"id": "look", "kind": "connector", "connector": "get_order", "save_as": "order", "on_error": "continue"},
             {"id": "bye", "kind": "end", "say": "found={{ is_set('order') }}"}]
    result = run(one(tmp_path, steps), script(fixtures={"connectors": {"get_order": {"error": "timeout"}}},
                                              expect={"outcome": "resolved", "visited": ["bye"]}))
    assert result.status == "passed", failures(result)
    assert replies(result) == ["found=no"]


def test_unknown_connector_is_an_error_not_a_fail(tmp_path):
    steps = [{"id": "look", "kind": "connector", "connector": "nowhere"}, {"id": "bye", "kind": "end"}]
    result = run(one(tmp_path, steps), script(expect={"outcome": "resolved"}))
    assert result.status == "error"
    assert "unknown connector 'nowhere'" in result.error
    assert result.expectations == []


def test_code_step_assigns_variables(tmp_path):
    steps = [{"id": "calc", "kind": "code",
              "code": "total = sum(i['price'] for i in items)\nlabel = 'big' if total > 10 else 'small'"},
             {"id": "bye", "kind": "end", "say": "{{ total }} {{ label }}"}]
    project = one(tmp_path, steps)
    project.procedures["main"].steps.insert(0, project.procedures["main"].steps[0].__class__(
        id="seed", kind="code", code="items = [{'price': 7}, {'price': 5.5}]"))
    result = run(project, script(expect={"variables": {"total": 12.5, "label": "big"}}))
    assert result.status == "passed", (result.error, failures(result))
    assert [e["assigned"] for e in events(result, "snippet_run")] == [["items"], ["total", "label"]]


@pytest.mark.parametrize("code, message", [
    ("import os", "code step 'calc' was blocked: import of 'os' is not allowed"),
    ("x = 1 / 0", "code step 'calc' failed: line 1: ZeroDivisionError: division by zero"),
    ("open('/etc/passwd')", "code step 'calc' was blocked: 'open' is not allowed"),
    ("x = 'a' * 10 ** 10", "code step 'calc' was blocked: memory limit exceeded"),
])
def test_bad_snippet_is_a_simulation_error(tmp_path, code, message):
    steps = [{"id": "calc", "kind": "code", "code": code}, {"id": "bye", "kind": "end"}]
    result = run(one(tmp_path, steps), script(expect={"outcome": "resolved"}))
    assert result.status == "error"
    assert result.error.startswith(message), result.error
    assert result.expectations == []                      # an error is never judged as a fail
    assert events(result, "snippet_run")[0]["status"] in ("blocked", "error")


def test_knowledge_step_puts_article_in_context(tmp_path):
    steps = [{"id": "kb", "kind": "knowledge", "article": "refunds"},
             {"id": "answer", "kind": "instruction", "text": "Answer from the article."},
             {"id": "bye", "kind": "end"}]
    result = run(one(tmp_path, steps, knowledge={"refunds": "---\ntitle: Refund policy\n---\nBody"}), script())
    assert events(result, "knowledge_used")[0] | {} == {**events(result, "knowledge_used")[0],
                                                        "article": "refunds", "title": "Refund policy"}
    assert replies(result) == ["Answer from the article."]
    missing = run(one(tmp_path / "b", [{"id": "kb", "kind": "knowledge", "article": "nope"}]), script())
    assert missing.status == "error" and "no article 'nope'" in missing.error


def approval_steps():
    return [{"id": "ok", "kind": "checkpoint", "mode": "approval", "note": "Refund {{ customer.plan }}",
             "say": "Let me check."},
            {"id": "bye", "kind": "end", "say": "Approved!"}]


def test_approval_default_is_approved_and_trace_says_so(tmp_path):
    result = run(one(tmp_path, approval_steps()),
                 {"customer": {"script": ["start the test"], "attributes": {"plan": "pro"}},
                  "expect": {"outcome": "resolved", "note_contains": ["Refund pro"]}})
    assert result.status == "passed", failures(result)
    checkpoint = events(result, "checkpoint")[0]
    assert checkpoint["decision"] == "approved" and checkpoint["decision_source"] == "default"
    notes = [t.text for t in result.transcript if t.role == "note"]
    assert notes == ["Approval approved by default (no fixture): Refund pro"]
    assert replies(result) == ["Let me check.\nApproved!"]


def test_approval_rejected_hands_off(tmp_path):
    result = run(one(tmp_path, approval_steps()), script(fixtures={"approvals": {"ok": "rejected"}},
                                                         expect={"outcome": "handoff", "not_visited": ["bye"]}))
    assert result.status == "passed", failures(result)
    assert events(result, "checkpoint")[0]["decision_source"] == "fixture"
    assert "rejected" in events(result, "handoff")[0]["reason"]


def test_handoff_checkpoint_ends_with_rendered_note(tmp_path):
    project = damaged_project(tmp_path)
    result = run(project, HAPPY | {
        "fixtures": {"connectors": {"get_order": {"status": "delivered", "total": 42.5, "hours_since_delivery": 30}}},
        "expect": {"outcome": "handoff", "visited": ["late"], "note_contains": ["Order FD-123456 is past"]}})
    assert result.status == "passed", failures(result)
    assert replies(result)[-1] == "I'm passing you to a teammate who can help."


def test_subprocedure_returns_and_its_variables_stay_visible(tmp_path):
    verify = {"trigger": {"examples": ["verify me"]}, "variables": {"email": {"type": "email"}},
              "steps": [{"id": "ask-email", "kind": "instruction", "text": "Email?", "say": "Your email?",
                         "collect": ["email"]},
                        {"id": "check", "kind": "code", "code": "verified = email.endswith('@example.com')"}]}
    steps = [{"id": "call", "kind": "subprocedure", "procedure": "verify"},
             {"id": "bye", "kind": "end", "say": "verified={{ verified }} for {{ email }}"}]
    result = run(one(tmp_path, steps, extra={"verify": verify}),
                 script("start the test", "it is jo@example.com",
                        expect={"visited": ["verify.ask-email", "main.bye", "call"],
                                "variables": {"verified": True}}))
    assert result.status == "passed", (result.error, failures(result))
    assert replies(result) == ["Your email?", "verified=yes for jo@example.com"]
    assert events(result, "returned")[0] == {**events(result, "returned")[0], "procedure": "verify", "to": "main"}
    assert [e["depth"] for e in events(result, "step_entered")] == [0, 1, 1, 0]
    assert set(result.coverage) == {"main", "verify"}


def test_keyword_switch_is_word_bounded_and_variables_persist(tmp_path):
    project = damaged_project(tmp_path)
    sims = HAPPY["customer"]["script"]
    switched = run(project, {"customer": {"script": [sims[0], "It's FD-123456. I'll call my LAWYER"]}})
    assert [e["to"] for e in events(switched, "switch")] == ["complaints"]
    assert "lawyer" in events(switched, "switch")[0]["why"]
    assert switched.outcome == "handoff"
    # the message went to the new procedure, not to the old waiting step
    assert [t.text for t in switched.transcript if t.role == "note"] == ["Complaint about "]
    later = run(project, {"customer": {"script": [
        sims[0], "FD-123456 is the number", "illegally slow! chargeback now"]},
        "fixtures": {"connectors": {"get_order": {"status": "delivered", "total": 42.5,
                                                  "hours_since_delivery": 30}}}})
    # first the handoff checkpoint 'late' ends the conversation at turn 2: no switch
    assert later.turns == 2 and events(later, "switch") == []
    slow = {"trigger": {"examples": ["slow order"]},
            "variables": {"order_id": {"pattern": "FD-\\d{6}"}, "detail": {"type": "integer"}},
            "switch_rules": [{"keywords": ["legal", "chargeback"], "to": "complaints"}],
            "steps": [{"id": "ask", "kind": "instruction", "text": "Order?", "collect": ["order_id"]},
                      {"id": "more", "kind": "instruction", "text": "More?", "collect": ["detail"]},
                      {"id": "bye", "kind": "end"}]}
    project = damaged_project(tmp_path / "b", procedures={"slow": slow})
    result = run(project, {"customer": {"script": ["my slow order", "FD-123456", "that is illegally slow",
                                                   "chargeback now"]}})
    switches = events(result, "switch")
    assert len(switches) == 1 and switches[0]["turn"] == 4 and "'chargeback'" in switches[0]["why"]
    assert [t.text for t in result.transcript if t.role == "note"] == ["Complaint about FD-123456"]


def test_when_switch_rule_fires_as_soon_as_its_values_are_set(tmp_path):
    project = damaged_project(tmp_path)
    result = run(project, HAPPY | {
        "fixtures": {"connectors": {"get_order": {"status": "delivered", "total": 620, "hours_since_delivery": 1}}},
        "expect": {"outcome": "handoff", "not_called": ["issue_refund"], "note_contains": ["FD-123456"]}})
    assert result.status == "passed", failures(result)
    switch = events(result, "switch")[0]
    assert switch["rule"] == "when: order.total > 500" and "order.total = 620" in switch["why"]


def test_switch_step_jumps_and_end_step_sets_outcome(tmp_path):
    other = {"trigger": {"examples": ["other thing"]},
             "steps": [{"id": "fin", "kind": "end", "outcome": "unresolved", "say": "over in other"}]}
    steps = [{"id": "go", "kind": "switch", "to": "other"}, {"id": "never", "kind": "end"}]
    result = run(one(tmp_path, steps, extra={"other": other}),
                 script(expect={"outcome": "unresolved", "not_visited": ["never"], "visited": ["other.fin"],
                                "procedure": "main"}))
    assert result.status == "passed", failures(result)
    assert events(result, "switch")[0]["rule"] == "step 'go'"


def test_loop_guard_turns_a_switch_loop_into_an_error(tmp_path):
    ping = {"trigger": {"examples": ["ping pong"]}, "steps": [{"id": "to-main", "kind": "switch", "to": "main"}]}
    result = run(one(tmp_path, [{"id": "to-ping", "kind": "switch", "to": "ping"}], extra={"ping": ping}),
                 script(expect={"outcome": "resolved"}))
    assert result.status == "error"
    assert "loop guard" in result.error and "main.to-ping" in result.error


def test_unknown_subprocedure_and_bad_expression_are_errors(tmp_path):
    result = run(one(tmp_path, [{"id": "call", "kind": "subprocedure", "procedure": "ghost"}]), script())
    assert result.status == "error" and "no procedure 'ghost'" in result.error
    bad = run(one(tmp_path / "b", [{"id": "bye", "kind": "end", "say": "{{ 'a' - 1 }}"}]), script())
    assert bad.status == "error" and "expression error" in bad.error and "main.bye" in bad.error


def test_procedure_without_end_step_ends_unresolved(tmp_path):
    result = run(one(tmp_path, [{"id": "hi", "kind": "instruction", "text": "Hello"}]), script())
    assert result.outcome == "unresolved"
    assert "without an end step" in events(result, "end")[0]["reason"]


def test_snippet_timeout_is_a_simulation_error(tmp_path, monkeypatch):
    import studio.runtime.step_kinds as step_kinds
    monkeypatch.setattr(step_kinds, "SNIPPET_TIMEOUT", 0.5)
    steps = [{"id": "spin", "kind": "code", "code": "while True:\n    pass"}, {"id": "bye", "kind": "end"}]
    result = run(one(tmp_path, steps), script(expect={"outcome": "resolved"}))
    assert result.status == "error" and "code step 'spin' timed out" in result.error
    ok = run(one(tmp_path / "b", [{"id": "calc", "kind": "code", "code": "x = 2"},
                                  {"id": "bye", "kind": "end", "say": "{{ x }}"}]), script())
    assert replies(ok) == ["2"]                              # the sandbox recovered


def test_a_subprocedure_calling_itself_is_an_error_not_a_hang(tmp_path):
    again = {"trigger": {"examples": ["again and again"]},
             "steps": [{"id": "recurse", "kind": "subprocedure", "procedure": "again"}]}
    result = run(one(tmp_path, [{"id": "call", "kind": "subprocedure", "procedure": "again"}],
                     extra={"again": again}), script(expect={"outcome": "resolved"}))
    assert result.status == "error"
    assert "sub-procedures nest deeper than 16" in result.error and "again -> again" in result.error


def test_variables_set_before_a_switch_stay_visible_after_it(tmp_path):
    other = {"trigger": {"examples": ["other thing"]},
             "steps": [{"id": "fin", "kind": "end", "say": "still {{ plan_label }} / {{ never_set }}."}]}
    steps = [{"id": "label", "kind": "code", "code": "plan_label = 'gold'"},
             {"id": "go", "kind": "switch", "to": "other"}]
    result = run(one(tmp_path, steps, extra={"other": other}), script())
    assert replies(result) == ["still gold / ."]          # an unset name renders as nothing (None)
    assert result.variables == {"plan_label": "gold"}


def test_an_unset_name_is_none_in_conditions(tmp_path):
    steps = [{"id": "c", "kind": "condition", "branches": [
                {"when": "coupon > 5", "steps": [{"id": "big", "kind": "end", "say": "big"}]},
                {"when": "coupon == None and not is_set('coupon')",
                 "steps": [{"id": "none", "kind": "end", "say": "no coupon"}]}]}]
    result = run(one(tmp_path, steps), script())
    assert replies(result) == ["no coupon"]
    assert [e["values"] for e in events(result, "condition_evaluated")] == [{"coupon": None}, {"coupon": None}]


def test_a_snippet_reading_an_unset_variable_gets_none(tmp_path):
    steps = [{"id": "calc", "kind": "code", "code": "refund = 10 * (1.0 if has_photo else 0.5)"},
             {"id": "bye", "kind": "end", "say": "{{ refund }}"}]
    result = run(one(tmp_path, steps, variables={"has_photo": {"type": "boolean"}}), script())
    assert result.status == "passed", result.error
    assert replies(result) == ["5"] and "has_photo" not in result.variables
    typo = run(one(tmp_path / "b", [{"id": "calc", "kind": "code", "code": "x = has_foto"}]), script())
    assert typo.status == "error" and "NameError: name 'has_foto' is not defined" in typo.error


def test_deleting_a_collecting_step_fails_the_simulation_instead_of_erroring(sample_copy):
    from studio.core.project import load_project
    from studio.simulate.runner import run_simulation
    root = sample_copy("food-delivery")
    path = root / "procedures" / "damaged-order.yaml"
    text = path.read_text()
    start = text.index("          - id: ask-photo")
    end = text.index("          - id: amount")
    path.write_text(text[:start] + text[end:])
    project = load_project(root)
    result = run_simulation(project, project.simulations["damaged-photo-full-refund"])
    assert result.status == "failed", result.error
    messages = " | ".join(failures(result))
    assert "there is no step 'ask-photo'" in messages and "refund = 21.25, expected 42.5" in messages
