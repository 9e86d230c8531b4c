"""Every validation rule: a failing example (reported with file, line, step and hint)
and a passing example (the near miss that must stay quiet)."""
from __future__ import annotations

import pytest

from studio.core.problems import Severity
from validate_builder import edit, find, line_of, problems_of, write_project

P = "procedures/damaged-order.yaml"
S = "simulations/crushed.yaml"
E, W, I = Severity.error, Severity.warning, Severity.info

# (name, changes, code, severity, file, text on the reported line, step, words in the hint)
FAILING = [
    ("bad pattern", edit(P, "pattern: 'FD-\\d{6}'", "pattern: 'FD-(\\d{6}'"),
     "bad-pattern", E, P, "pattern:", None, "quote"),
    ("enum without options", edit(P, "size: {type: enum, options: [small, large]}", "size: {type: enum}"),
     "enum-options", E, P, "size:", None, "options"),
    ("options on a non-enum", edit(P, "size: {type: enum,", "size: {type: string,"),
     "options-ignored", I, P, "size:", None, "enum"),
    ("variable name not usable", edit(P, "has_photo: {type: boolean}", "has-photo: {type: boolean}"),
     "bad-variable-name", E, P, "has-photo", None, "letters"),
    ("switch rule to unknown procedure", edit(P, "to: complaints}", "to: complaint}"),
     "unknown-procedure", E, P, "lawyer", None, "complaints"),
    ("switch rule to itself", edit(P, "to: complaints}", "to: damaged-order}"),
     "switch-to-self", W, P, "lawyer", None, "another"),
    ("switch rule that cannot fire", edit(P, "{keywords: [lawyer], to: complaints}", "{to: complaints}"),
     "empty-switch-rule", W, P, "to: complaints", None, "keywords"),
    ("switch rule expression", edit(P, "{keywords: [lawyer], to: complaints}",
                                    "{when: 'order.total >', to: complaints}"),
     "expression", E, P, "to: complaints", None, "syntax"),
    ("unknown sub-procedure", edit(P, "procedure: identity", "procedure: identiy"),
     "unknown-procedure", E, P, "procedure: identiy", "check", "did you mean 'identity'"),
    ("unknown connector", edit(P, "connector: get_order", "connector: get_ordr"),
     "unknown-connector", E, P, "connector: get_ordr", "lookup", "did you mean 'get_order'"),
    ("unknown article", edit(P, "article: refunds", "article: refund"),
     "unknown-article", E, P, "article: refund", "policy", "did you mean 'refunds'"),
    ("collect undeclared variable", edit(P, "collect: [order_id]", "collect: [order_number]"),
     "unknown-variable", E, P, "collect:", "ask-order", "order_id"),
    ("duplicate step id", edit(P, "id: policy", "id: lookup"),
     "duplicate-step-id", E, P, "  - id: lookup\n    kind: connector", "lookup", "line 16"),
    ("step after end", edit(P, "{id: done, kind: end, outcome: resolved, say: \"Refunded {{ refund }}.\"}",
                            "{id: done, kind: end, outcome: resolved}\n          - {id: after, kind: end}"),
     "unreachable", W, P, "id: after", "after", "move"),
    ("step after switch", edit(P, "  - id: check\n    kind: subprocedure\n    procedure: identity",
                               "  - {id: go, kind: switch, to: complaints}\n  - id: check\n"
                               "    kind: subprocedure\n    procedure: identity"),
     "unreachable", W, P, "id: check", "check", "move"),
    ("step after unconditional handoff",
     edit(P, "note: \"Order {{ order_id }} is late.\"}",
          "note: \"Order {{ order_id }} is late.\"}\n          - {id: never, kind: end}"),
     "unreachable", W, P, "id: never", "never", None),
    ("else not last", edit(P, "      - when: order.status == \"delivered\" and has_photo\n",
                           "      - when: else\n        steps: []\n"
                           "      - when: order.status == \"delivered\" and has_photo\n"),
     "else-not-last", E, P, "when: else", "eligible", "last"),
    ("empty condition", edit(P, "  - id: check\n", "  - {id: empty, kind: condition}\n  - id: check\n"),
     "empty-condition", W, P, "id: empty", "empty", "branches"),
    ("bad branch expression", edit(P, "and has_photo", "and and has_photo"),
     "expression", E, P, "and and", "eligible", None),
    ("bad step when", edit(P, "when: refund > 50", "when: refund >> 50"),
     "expression", E, P, "refund >> 50", "approve", "allow"),
    ("function not allowed", edit(P, "when: refund > 50", "when: open(refund)"),
     "expression", E, P, "open(refund)", "approve", None),
    ("bad template in say", edit(P, "say: \"What's your order number?\"", "say: \"Hi {{ name \""),
     "template", E, P, "Hi {{", "ask-order", "placeholders"),
    ("bad template in input", edit(P, "inputs: {order_id: \"{{ order_id }}\"}", "inputs: {order_id: \"{{ order_id + }}\"}"),
     "template", E, P, "order_id + }}", "lookup", None),
    ("missing connector input", edit(P, "amount: \"{{ refund }}\"}}", "}}"),
     "missing-input", E, P, "id: pay", "pay", "amount"),
    ("unknown connector input", edit(P, "inputs: {order_id: \"{{ order_id }}\"}", "inputs: {order_id: \"{{ order_id }}\", ordr: 1}"),
     "unknown-input", W, P, "inputs: {order_id", "lookup", None),
    ("snippet syntax error", edit(P, "refund = round(order.total * (1.0 if has_photo else 0.5), 2)",
                                  "refund = round(order.total * (1.0 if has_photo else 0.5), 2\n              x = 1"),
     "snippet-syntax", E, P, "refund = round", "amount", "Python"),
    ("name nothing sets", edit(P, "say: \"Refunded {{ refund }}.\"", "say: \"Refunded {{ refnd }}.\""),
     "unset-name", W, P, "refnd", "done", "did you mean 'refund'"),
    ("snippet reads name nothing sets", edit(P, "1.0 if has_photo", "1.0 if has_foto"),
     "unset-name", W, P, "has_foto", "amount", "has_photo"),
    ("handoff without note", edit(P, ", note: \"Order {{ order_id }} is late.\"}", "}"),
     "empty-note", W, P, "id: late", "late", "customer"),
    ("empty procedure", {"procedures/identity.yaml": "schema: procedure/v1\nid: identity\nsteps: []\n"},
     "empty-procedure", W, "procedures/identity.yaml", "id: identity", None, "step"),
    ("sub-procedure cycle", {"procedures/identity.yaml": "schema: procedure/v1\nid: identity\nsteps:\n"
                             "  - {id: back, kind: subprocedure, procedure: damaged-order}\n"},
     "subprocedure-cycle", E, P, "procedure: identity", "check", "switch"),
    ("connector request template", edit("connectors/get_order.yaml", "orders/{{ order_id }}", "orders/{{ order }}"),
     "unknown-input", W, "connectors/get_order.yaml", "url:", None, "order_id"),
    ("real calls to unknown connector", {"studio.yaml": "schema: studio/v1\nname: X\nsegments: {vip: {}}\n"
                                         "real_calls: {connectors: [get_ordre]}\n"},
     "unknown-connector", W, "studio.yaml", "real_calls", None, "get_order"),
    # simulations
    ("simulation unknown procedure", edit(S, "procedure: damaged-order", "procedure: damaged"),
     "unknown-procedure", E, S, "procedure: damaged", None, "damaged-order"),
    ("simulation unknown step", edit(S, "visited: [lookup,", "visited: [lokup,"),
     "unknown-step", E, S, "visited: [lokup", None, "did you mean 'lookup'"),
    ("simulation unknown qualified step", edit(S, "identity.ask-email", "identity.ask-mail"),
     "unknown-step", E, S, "identity.ask-mail", None, "ask-email"),
    ("simulation unknown procedure in step", edit(S, "identity.ask-email", "identy.ask-email"),
     "unknown-procedure", E, S, "identy.ask-email", None, "identity"),
    ("simulation ambiguous step", edit(S, "procedure: damaged-order\n", "")
     | edit("procedures/complaints.yaml", "id: note,", "id: late,"),
     "ambiguous-step", W, S, "not_visited", None, None),
    ("simulation unknown fixture connector", edit(S, "    get_order: {status", "    get_ordr: {status"),
     "unknown-connector", E, S, "get_ordr", None, "get_order"),
    ("simulation unknown connector call", edit(S, "[{connector: issue_refund,", "[{connector: refund,"),
     "unknown-connector", E, S, "connector: refund", None, "issue_refund"),
    ("simulation unknown not_called", edit(S, "not_called: [get_order]", "not_called: [cancel_order]"),
     "unknown-connector", E, S, "not_called", None, None),
    ("simulation unknown call input", edit(S, "inputs: {order_id: FD-123456,", "inputs: {order: FD-123456,"),
     "unknown-input", W, S, "connector_calls", None, "order_id"),
    ("simulation unknown approval step", edit(S, "approvals: {approve: approved}", "approvals: {aprove: approved}"),
     "unknown-step", E, S, "approvals", None, "approve"),
    ("approval for a non-approval step", edit(S, "approvals: {approve: approved}", "approvals: {pay: approved}"),
     "not-approval", E, S, "approvals", None, "approve"),
    ("simulation unknown segment", edit(S, "segment: vip", "segment: vipp"),
     "unknown-segment", E, S, "segment: vipp", None, "did you mean 'vip'"),
    ("simulation expects a variable nothing sets", edit(S, "variables: {refund: 42.5}", "variables: {refnd: 42.5}"),
     "unset-name", W, S, "variables:", None, "refund"),
    ("simulation missing attachment", {"attachments/crushed.jpg": None},
     "missing-attachment", W, S, "crushed.jpg", None, "attachments"),
    ("simulation without script", {S: "schema: simulation/v1\nname: Empty\nprocedure: damaged-order\n"
                                      "expect: {outcome: resolved}\n"},
     "no-script", W, S, "name:", None, "script"),
    ("simulation checks nothing", {S: "schema: simulation/v1\nname: Nothing\nprocedure: damaged-order\n"
                                      "customer: {script: [hi]}\n"},
     "no-expectations", I, S, "name:", None, "expect"),
]


def test_base_project_is_clean(tmp_path):
    assert problems_of(write_project(tmp_path)) == []


@pytest.mark.parametrize("name,changes,code,severity,rel,needle,step,hint", FAILING,
                         ids=[case[0] for case in FAILING])
def test_rule_reports_problem_where_it_is(tmp_path, name, changes, code, severity, rel, needle, step, hint):
    found = find(problems_of(write_project(tmp_path, changes)), code)
    assert found, f"{code} not reported"
    problem = found[0]
    assert problem.severity == severity
    assert problem.file == rel
    text = changes.get(rel) if rel in changes else None
    expected_line = _line(rel, needle, text)
    assert problem.line == expected_line, problem.format()
    assert problem.column is not None and problem.column >= 1
    assert problem.step == step
    if hint:
        assert hint.lower() in (problem.hint or "").lower(), problem.format()
    if rel.startswith("procedures/") and rel != "procedures/identity.yaml":
        assert problem.procedure == "damaged-order"


def _line(rel: str, needle: str, text: str | None) -> int:
    if "\n" in needle:                      # a multi-line needle: the line where it starts
        from validate_builder import base_files
        body = text or base_files()[rel]
        return body[:body.index(needle)].count("\n") + 1
    return line_of(rel, needle, {rel: text} if text else None)


# Near misses that must not be reported.
PASSING = [
    ("step after conditional end is reachable",
     edit(P, "{id: done, kind: end, outcome: resolved, say: \"Refunded {{ refund }}.\"}",
          "{id: done, kind: end, when: refund > 100}\n          - {id: after, kind: end}"), "unreachable"),
    ("handoff with when does not end the list",
     edit(P, "mode: handoff, note: \"Order {{ order_id }} is late.\"}",
          "mode: handoff, when: has_photo, note: \"Late\"}\n          - {id: next, kind: end}"),
     "unreachable"),
    ("name set only in another procedure", edit(P, "say: \"Refunded {{ refund }}.\"", "say: \"Mail {{ email }}.\""),
     "unset-name"),
    ("name set by a snippet", edit(P, "text: Ask for the order number.", "text: \"{{ refund }}\""), "unset-name"),
    ("customer attributes and functions", edit(P, "when: refund > 50", "when: customer.plan == 'pro' and len(order_id) > 3 and is_set('order_id')"),
     "unset-name"),
    ("else last is fine", {}, "else-not-last"),
    ("qualified step in another procedure", edit(S, "visited: [lookup,", "visited: [damaged-order.lookup,"),
     "unknown-step"),
    ("plain step owned by the simulation's procedure", edit(S, "not_visited: [late]", "not_visited: [note]"),
     "ambiguous-step"),
    ("optional connector input may be left out",
     edit("connectors/issue_refund.yaml", "amount: {type: number, required: true}", "amount: {type: number}")
     | edit(P, "amount: \"{{ refund }}\"}}", "}}"), "missing-input"),
    ("connector without declared inputs accepts any", {"connectors/get_order.yaml": "schema: connector/v1\nid: get_order\n"},
     "unknown-input"),
    ("switch step to another procedure", edit(P, "  - id: check\n    kind: subprocedure\n    procedure: identity",
                                              "  - {id: go, kind: switch, to: complaints, when: has_photo}\n"
                                              "  - id: check\n    kind: subprocedure\n    procedure: identity"),
     "unknown-procedure"),
    ("calling the same sub-procedure twice is no cycle",
     edit(P, "  - id: eligible\n", "  - {id: check2, kind: subprocedure, procedure: identity}\n  - id: eligible\n"),
     "subprocedure-cycle"),
    ("a broken procedure file is not also 'unknown'",
     {"procedures/identity.yaml": "schema: procedure/v1\nid: identity\nsteps: [{id: x, kind: nope}]\n"},
     "unknown-procedure"),
]


@pytest.mark.parametrize("name,changes,code", PASSING, ids=[case[0] for case in PASSING])
def test_near_miss_is_not_reported(tmp_path, name, changes, code):
    found = find(problems_of(write_project(tmp_path, changes)), code)
    assert not found, [p.format() for p in found]


def test_each_failing_case_adds_only_the_expected_kind_of_errors(tmp_path):
    """A seeded mistake does not cascade into unrelated errors."""
    changes = edit(P, "connector: get_order", "connector: get_ordr")
    errors = [p for p in problems_of(write_project(tmp_path, changes)) if p.severity == E]
    assert [p.code for p in errors] == ["unknown-connector"]


def test_cycle_through_two_procedures_is_named(tmp_path):
    changes = {"procedures/identity.yaml": "schema: procedure/v1\nid: identity\nsteps:\n"
                                           "  - {id: back, kind: subprocedure, procedure: damaged-order}\n"}
    found = find(problems_of(write_project(tmp_path, changes)), "subprocedure-cycle")
    assert {p.file for p in found} == {P, "procedures/identity.yaml"}
    assert "damaged-order -> identity -> damaged-order" in found[0].message


def test_unreachable_after_condition_whose_branches_all_end(tmp_path):
    changes = edit(P, "          - {id: late, kind: checkpoint, mode: handoff, note: \"Order {{ order_id }} is late.\"}\n",
                   "          - {id: late, kind: checkpoint, mode: handoff, note: \"Order {{ order_id }} is late.\"}\n"
                   "  - {id: final, kind: end}\n")
    found = find(problems_of(write_project(tmp_path, changes)), "unreachable")
    assert [p.step for p in found] == ["final"]
    assert "every branch ends" in found[0].message
