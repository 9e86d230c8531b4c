"""The semantic diff by step id: a step moved to another branch or reordered is "moved", an
inserted step does not make its followers "moved", and each changed field is old -> new."""
from __future__ import annotations

from studio.govern.diff_text import format_semantic_diff, summary_line
from studio.govern.semantic_diff import diff_snapshots


def snap(steps, **extra):
    return {"schema": "revision/v1", "procedure": "p",
            "procedures": {"p": {"id": "p", "steps": steps, **extra}},
            "connectors": {}, "knowledge": {}}


A = {"id": "a", "kind": "instruction", "text": "Ask."}
B = {"id": "b", "kind": "code", "code": "x = 1"}
C = {"id": "c", "kind": "end", "outcome": "resolved"}


def cond(yes, no):
    return {"id": "check", "kind": "condition",
            "branches": [{"when": "x > 1", "steps": yes}, {"when": "else", "steps": no}]}


def statuses(diff):
    return {s.id: s.status for s in diff.item("procedure", "p").steps}


def test_an_inserted_step_is_added_and_its_followers_do_not_move():
    diff = diff_snapshots(snap([A, B, C]), snap([A, {"id": "n", "kind": "end"}, B, C]))
    assert statuses(diff) == {"n": "added"}


def test_reordered_and_rebranched_steps_are_moved_with_where_they_went():
    diff = diff_snapshots(snap([A, B, cond([C], [])]), snap([B, A, cond([], [C])]))
    moved = {s.id: s for s in diff.item("procedure", "p").steps}
    assert {k: v.status for k, v in moved.items()} == {"a": "moved", "c": "moved"}
    assert moved["c"].moved_from == "in check, when x > 1" and moved["c"].where == "in check, otherwise"
    assert "~ step c (end) moved from in check, when x > 1 to in check, otherwise" in \
        format_semantic_diff(diff)


def test_changed_fields_old_to_new_including_a_branch_condition_and_settings():
    old = snap([A, cond([B], [C])], variables={"x": {"type": "number"}})
    new_cond = cond([dict(B, code="x = 2")], [C])
    new_cond["branches"][0]["when"] = "x > 2"
    new = snap([dict(A, kind="instruction", say="Hi"), new_cond],
               variables={"x": {"type": "integer"}})
    diff = diff_snapshots(old, new)
    item = diff.item("procedure", "p")
    fields = {s.id: [(f.path, f.old, f.new) for f in s.fields] for s in item.steps}
    assert fields == {"a": [("say", None, "Hi")], "check": [("branches[0].when", "x > 1", "x > 2")],
                      "b": [("code", "x = 1", "x = 2")]}
    assert [(f.path, f.old, f.new) for f in item.fields] == [("variables.x.type", "number", "integer")]
    assert "check.branches[0].when: 'x > 1' -> 'x > 2'" in summary_line(diff)


def test_identical_snapshots_are_no_change():
    diff = diff_snapshots(snap([A, B]), snap([A, B]))
    assert not diff.changed and summary_line(diff) == "no change"
