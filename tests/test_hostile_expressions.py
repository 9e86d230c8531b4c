"""Issue 11 item 3: expressions and templates run within a budget. What the text
alone shows is a validation error at file:line; what only a value shows at run
time ends that simulation as `error` (never a pass), in little memory."""
from __future__ import annotations

import time
import tracemalloc

import pytest

from engine_kit import make_project, run
from studio.core.expressions import ExpressionError, evaluate, parse
from studio.runtime.render import render
from studio.core.validate import validate_project

HUGE_LIST = '["a"*100000]*100000'
BIG = {"note": "a" * 100_000, "fmt": "%2000000000d"}


@pytest.mark.parametrize("text, message", [
    (f"len(lower({HUGE_LIST})) > 0", "builds a value of about 10,000,400,000 characters"),
    (f'matches({HUGE_LIST}, "a")', "builds a value of about"),
    ('"%2000000000d" % 1', "'%' on text formats it"),
    ("+".join(["1"] * 150), "nests more than 60 levels"),
    ("-" * 1500 + "1", "nests more than 60 levels"),
])
def test_the_text_alone_is_refused_while_typing(text, message):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert message in caught.value.message


@pytest.mark.parametrize("text, message", [
    ("len(lower([big.note]*100000)) > 0", "the limit of 1,000,000 characters"),
    ('matches([big.note]*100000, "a")', "the limit of 1,000,000 characters"),
    ("big.fmt % 1", "'%' on text formats it"),
    ("round(1.5, -1000000000)", "round() keeps at most 100 digits"),
    ("n*n*n*n*n*n*n*n*n*n", "too large"),
])
def test_values_met_at_run_time_stop_with_a_clear_error_in_little_memory(text, message):
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(ExpressionError) as caught:
            evaluate(text, {"big": BIG, "n": 10 ** 1000})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message in caught.value.message
    assert peak < 20_000_000 and time.monotonic() - started < 2


def test_a_template_building_a_huge_text_is_an_error():
    with pytest.raises(ExpressionError, match="the limit of 1,000,000 characters"):
        render("Notes: {{ [big.note]*20 }}", {"big": BIG})
    assert render("{{ big.note }}", {"big": BIG}) == BIG["note"]     # passing a value through is fine


def _project(tmp_path, *, when: str = "true", say: str = "Done."):
    return make_project(tmp_path / "p", procedures={"check": {
        "title": "Check", "trigger": {"description": "check my order", "examples": ["check my order"]},
        "steps": [
            {"id": "look", "kind": "connector", "connector": "get_big", "save_as": "big"},
            {"id": "test", "kind": "condition", "branches": [
                {"when": when, "steps": [{"id": "yes", "kind": "end", "outcome": "resolved", "say": say}]},
                {"when": "else", "steps": [{"id": "no", "kind": "end", "outcome": "handoff"}]}]}]}},
        connectors={"get_big": {"description": "Big values.", "sample": BIG}})


SIM = {"procedure": "check", "customer": {"script": ["check my order"]},
       "expect": {"outcome": "resolved"}}


@pytest.mark.parametrize("when, say", [
    ("len(lower([big.note]*100000)) > 0", "Done."),
    ('matches([big.note]*100000, "a")', "Done."),
    ("true", "{{ big.fmt % 1 }}"),
    ("true", "Notes: {{ lower([big.note]*100000) }}"),
])
def test_a_simulation_that_breaks_a_limit_is_error_never_passed(tmp_path, when, say):
    project = _project(tmp_path, when=when, say=say)
    tracemalloc.start()
    try:
        result = run(project, SIM)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.status == "error", result.status
    step = "test" if when != "true" else "yes"          # the condition, or the end step's say
    lines = (project.root / "procedures" / "check.yaml").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.strip().replace("'", "") == f"- id: {step}")
    # the run-time error names the step and where it is written (file:line)
    assert f"expression error at check.{step} (procedures/check.yaml:{line}):" in result.error
    assert peak < 100_000_000


def test_validation_names_file_and_line_of_a_static_breach(tmp_path):
    project = _project(tmp_path, when=f"len(lower({HUGE_LIST})) > 0", say='{{ "%2000000000d" % 1 }}')
    found = [(p.file, p.line, p.message) for p in validate_project(project) if p.severity.value == "error"]
    assert any(f == "procedures/check.yaml" and "builds a value of about" in m and line for f, line, m in found)
    assert any(f == "procedures/check.yaml" and "'%' on text formats it" in m and line for f, line, m in found)


@pytest.mark.parametrize("text", ["a{{ x" * 20000, "{{ 1 }}" + "{{" * 20000])
def test_a_long_text_with_unclosed_placeholders_is_refused_at_once(text):
    started = time.monotonic()
    with pytest.raises(ExpressionError):
        render(text, {})
    assert time.monotonic() - started < 1


def test_a_switch_rule_that_breaks_a_limit_is_named_not_the_step_that_was_running(tmp_path):
    project = make_project(tmp_path / "p", procedures={"check": {
        "title": "Check", "trigger": {"examples": ["check my order"]},
        "variables": {"note": {"type": "string"}},
        "switch_rules": [{"keywords": ["lawyer"], "to": "other"},
                         {"when": "note and len(lower([note]*100000)) > 0", "to": "other"}],
        "steps": [{"id": "ask", "kind": "instruction", "text": "Note?", "collect": ["note"]},
                  {"id": "done", "kind": "end", "outcome": "resolved"}]},
        "other": {"title": "Other", "trigger": {"examples": ["something else"]},
                  "steps": [{"id": "bye", "kind": "end", "outcome": "resolved"}]}})
    result = run(project, {"procedure": "check", "customer": {"script": ["check my order", "a long note"]}})
    lines = (project.root / "procedures" / "check.yaml").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.strip().startswith("- when:"))
    assert result.status == "error"
    assert f"expression error at check switch rule 2 (procedures/check.yaml:{line}):" in result.error
