"""Every expectation type passes and fails, with messages that point at the cause."""
import pytest

from engine_kit import HAPPY, damaged_project, run
from studio.simulate.judge import values_equal

LATE = {"get_order": {"status": "delivered", "total": 42.5, "hours_since_delivery": 30}}


@pytest.fixture
def project(tmp_path):
    return damaged_project(tmp_path)


def judged(project, expect, fixtures=None, **kw):
    data = HAPPY | {"expect": expect}
    if fixtures:
        data["fixtures"] = {"connectors": fixtures}
    result = run(project, data, **kw)
    assert result.status != "error", result.error
    return result, result.expectations


def one(project, expect, fixtures=None):
    result, items = judged(project, expect, fixtures)
    assert len(items) == 1
    return result, items[0]


@pytest.mark.parametrize("expect, good", [
    ({"procedure": "damaged-order"}, True), ({"procedure": "complaints"}, False),
    ({"outcome": "resolved"}, True), ({"outcome": "handoff"}, False),
    ({"visited": ["pay"]}, True), ({"visited": ["late"]}, False),
    ({"not_visited": ["late"]}, True), ({"not_visited": ["pay"]}, False),
    ({"variables": {"refund": 42.5}}, True), ({"variables": {"refund": 21.25}}, False),
    ({"variables": {"order.status": "delivered"}}, True), ({"variables": {"order": {"total": 1}}}, False),
    ({"connector_calls": [{"connector": "issue_refund", "inputs": {"amount": 42.5}}]}, True),
    ({"connector_calls": [{"connector": "issue_refund", "inputs": {"amount": 10}}]}, False),
    ({"not_called": ["cancel_order"]}, True), ({"not_called": ["get_order"]}, False),
    ({"replies_contain": ["REFUNDED 42.5"]}, True), ({"replies_contain": ["voucher"]}, False),
    ({"replies_not_contain": ["voucher"]}, True), ({"replies_not_contain": ["what's your order"]}, False),
    ({"max_turns": 2}, True), ({"max_turns": 1}, False),
])
def test_each_expectation_type_passes_and_fails(project, expect, good):
    result, item = one(project, expect)
    assert item.type == next(iter(expect))
    assert item.status == ("pass" if good else "fail"), item.message
    assert result.status == ("passed" if good else "failed")
    assert item.message
    if not good:
        assert item.expected is not None


@pytest.mark.parametrize("expect, expected, actual", [
    ({"procedure": "complaints"}, "complaints", "damaged-order"),
    ({"outcome": "handoff"}, "handoff", "resolved"),
    ({"visited": ["late"]}, "late", False),
    ({"not_visited": ["pay"]}, "pay", True),
    ({"variables": {"refund": 21.25}}, {"refund": 21.25}, {"refund": 42.5}),
    ({"variables": {"voucher": 5}}, {"voucher": 5}, {"voucher": None}),
    ({"connector_calls": [{"connector": "issue_refund", "inputs": {"amount": 10}}]},
     {"connector": "issue_refund", "inputs": {"amount": 10}},
     [{"connector": "issue_refund", "inputs": {"order_id": "FD-123456", "amount": 42.5}}]),
    ({"connector_calls": [{"connector": "cancel_order"}]}, {"connector": "cancel_order"}, None),
    ({"not_called": ["get_order"]}, "get_order", 1),
    ({"replies_contain": ["voucher"]}, "voucher",
     ["I'm sorry about that! What's your order number? A photo helps too.", "I've refunded 42.5."]),
    ({"replies_not_contain": ["refunded"]}, "refunded", "I've refunded 42.5."),
    ({"note_contains": ["approved"]}, "approved", []),
    ({"max_turns": 1}, 1, ">1"),
])
def test_a_failure_carries_expected_and_actual(project, expect, expected, actual):
    _, item = one(project, expect)
    assert item.status == "fail"
    assert (item.expected, item.actual) == (expected, actual)


def test_note_contains_pass_and_fail(project):
    _, ok = one(project, {"note_contains": ["fd-123456 is past"]}, LATE)
    assert ok.status == "pass"
    _, bad = one(project, {"note_contains": ["refund approved"]}, LATE)
    assert bad.status == "fail" and "past the 24 h window" in bad.message


def test_note_contains_fails_clearly_without_any_note(project):
    _, item = one(project, {"note_contains": ["anything"]})
    assert item.status == "fail" and "there was no internal note" in item.message


def test_rubric_is_skipped_offline_never_passed(project):
    result, items = judged(project, {"rubric": ["Apologises", "Is polite"]})
    assert [i.status for i in items] == ["skipped", "skipped"]
    assert result.status == "skipped"            # nothing was judged: never "passed"
    assert "offline" in items[0].message


def test_visited_failure_points_at_the_condition_and_its_values(project):
    _, item = one(project, {"visited": ["pay"]}, LATE)
    assert item.status == "fail"
    assert item.message.startswith("step 'pay' was not visited: condition 'eligible' took branch #1 (else)")
    assert "order.hours_since_delivery = 30" in item.message


def test_not_visited_failure_explains_the_branch(project):
    _, item = one(project, {"not_visited": ["late"]}, LATE)
    assert "step 'late' was visited: condition 'eligible' took branch #1 (else)" in item.message


def test_visited_failure_for_a_when_skip_and_an_early_end(project):
    _, skipped = one(project, {"visited": ["approve"]})
    assert "skipped: when `refund > 50` was false (refund = 42.5)" in skipped.message
    _, ended = one(project, {"visited": ["lookup"]}, {"get_order": {"error": "timeout"}} | {})
    assert ended.status == "pass"
    _, never = one(project, {"visited": ["amount"]}, {"get_order": {"error": "timeout"}})
    assert "connector 'get_order' failed: timeout" in never.message


def test_procedure_dot_step_form(project):
    result, items = judged(project, {"visited": ["damaged-order.pay"], "not_visited": ["complaints.complaint-note"]})
    assert [i.status for i in items] == ["pass", "pass"]
    _, item = one(project, {"visited": ["complaints.complaint-note"]})
    assert "procedure 'complaints' never ran" in item.message
    _, typo = one(project, {"visited": ["damaged-order.pya"]})
    assert "there is no step 'pya' in procedure 'damaged-order'" in typo.message


def test_variable_failure_says_where_the_value_came_from(project):
    _, item = one(project, {"variables": {"refund": 42.5}},
                  {"get_order": {"status": "delivered", "total": 42.5, "hours_since_delivery": 3}})
    assert item.status == "pass"
    result, item = judged(project, {"variables": {"refund": 10}})
    message = item[0].message
    assert "refund = 42.5, expected 10" in message and "code step amount" in message
    _, unset = one(project, {"variables": {"voucher": 5}})
    assert "voucher was never set" in unset.message


def test_connector_call_failures_show_actual_inputs_or_why_not_called(project):
    _, wrong = one(project, {"connector_calls": [{"connector": "issue_refund", "inputs": {"amount": 10}}]})
    assert "was not called with {amount: 10}: it was called with" in wrong.message and "42.5" in wrong.message
    _, never = one(project, {"connector_calls": [{"connector": "issue_refund"}]}, LATE)
    assert "issue_refund was never called: its step 'pay' was not visited: condition 'eligible'" in never.message


def test_outcome_failure_names_the_ending(project):
    _, item = one(project, {"outcome": "resolved"}, LATE)
    assert item.message.startswith("outcome was handoff, expected resolved: checkpoint 'late'")


def test_max_turns_bounds_the_customer_turns(project):
    result, items = judged(project, {"max_turns": 1})
    assert result.turns == 1                       # the second turn was never sent
    assert items[0].status == "fail" and "more than 1 customer turns" in items[0].message
    assert result.outcome == "unresolved"


def test_values_equal_is_forgiving_where_designers_expect():
    assert values_equal(42.5, "42.5") and values_equal(42, 42.0)
    assert values_equal({"a": 1}, {"a": 1, "b": 2}) and not values_equal({"a": 1}, {"b": 1})
    assert not values_equal(True, 1) and values_equal(False, False)
    assert values_equal([1, "x"], [1.0, "x"]) and not values_equal([1], [1, 2])
    import datetime
    assert values_equal(datetime.date(2024, 5, 1), "2024-05-01")


def test_error_is_never_counted_as_a_fail(project):
    result = run(project, HAPPY | {"customer": {"segment": "nope", "script": ["hi"]},
                                   "expect": {"outcome": "resolved"}})
    assert result.status == "error" and "unknown customer segment 'nope'" in result.error
    assert result.expectations == []
