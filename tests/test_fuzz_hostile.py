"""Property-based fuzzing (hypothesis) of everything a hostile file or customer can
feed Studio: YAML, expressions, templates, snippets, customers' numbers, and whole
procedures validated and run, and model answers. Each input ends in a clear error or a valid result,
never a traceback, never a hang, in bounded memory (tests/fuzz_kit.py).

About a minute in the normal run; STUDIO_FUZZ_EXAMPLES=2000 hunts longer, with
fresh random inputs each time.
"""
from __future__ import annotations

import json
import math

import yaml
from hypothesis import given
from hypothesis import strategies as st

from fuzz_kit import (FUZZ, NAMES, assert_sound, bounded, hostile_expression, hostile_json, hostile_snippet,
                      hostile_yaml, read_conversations, template, yaml_value)
from studio.core.connector import Connector
from studio.core.expressions import ExpressionError, evaluate
from studio.core.procedure import Procedure, Variable
from studio.core.project import load_project, model_from_text
from studio.core.settings import ProjectSettings
from studio.core.simulation import Simulation
from studio.core.snippets import analyze_snippet
from studio.core.validate import validate_project
from studio.core.validate_steps import sandbox_verdict
from studio.llm.structured import MalformedOutput, choice_model, model_for_variables, parse_reply
from studio.runtime.extraction import extract_value
from studio.runtime.http_calls import _read as read_response
from studio.runtime.render import render as runtime_render
from studio.runtime.sandbox import Sandbox
from studio.simulate.runner import run_simulation

KINDS = [Procedure, Simulation, Connector, ProjectSettings]


def _load(cls, text: str):
    model, _source, problems = model_from_text(cls, text, "fuzz.yaml")
    assert model is not None or problems, "nothing loaded and no problem said why"
    assert all(p.file == "fuzz.yaml" and p.message for p in problems)
    return model


@FUZZ
@given(text=hostile_yaml, kind=st.sampled_from(KINDS), fast=st.booleans())
def test_any_yaml_text_loads_or_says_why(text, kind, fast):
    assert_sound(bounded(lambda: model_from_text(kind, text, "fuzz.yaml", fast=fast) and _load(kind, text)),
                 f"YAML {text[:80]!r}")


@FUZZ
@given(data=yaml_value(), kind=st.sampled_from(KINDS))
def test_any_yaml_data_loads_or_says_why(data, kind):
    text = yaml.safe_dump({"schema": "x", "id": "a", "steps": data, "fixtures": data}, allow_unicode=True)
    assert_sound(bounded(lambda: _load(kind, text)), f"YAML data {text[:80]!r}")


@FUZZ
@given(source=hostile_expression)
def test_any_expression_evaluates_or_says_why(source):
    assert_sound(bounded(lambda: evaluate(source, NAMES), (ExpressionError,)), f"expression {source[:80]!r}")


@FUZZ
@given(text=template())
def test_any_template_renders_or_says_why(text):
    assert_sound(bounded(lambda: runtime_render(text, NAMES), (ExpressionError,)),
                 f"template {text[:80]!r}")


@FUZZ
@given(code=hostile_snippet)
def test_any_snippet_is_read_statically_without_a_traceback(code):
    assert_sound(bounded(lambda: (analyze_snippet(code), sandbox_verdict(code))), f"snippet {code[:80]!r}")


@FUZZ
@given(text=st.one_of(st.text(max_size=40), st.from_regex(r"[-+]?\d{1,6000}(\.\d{1,500})?", fullmatch=True)),
       kind=st.sampled_from(["number", "integer", "boolean", "date", "email", "enum"]))
def test_any_customer_message_is_read_or_left_unread(text, kind):
    variable = Variable(type=kind, options=["a", "B"] if kind == "enum" else None)
    outcome = bounded(lambda: extract_value(text, variable, is_answer=True))
    assert_sound(outcome, f"message {text[:60]!r} as {kind}")
    if outcome.value is not None and outcome.value[0] is not None and kind == "number":
        assert abs(outcome.value[0]) != float("inf")


_SANDBOX: list[Sandbox] = []


def _sandbox() -> Sandbox:
    if not _SANDBOX:
        _SANDBOX.append(Sandbox())
    return _SANDBOX[0]


@FUZZ
@given(code=hostile_snippet.filter(lambda c: "while True" not in c))
def test_any_snippet_runs_to_a_verdict_in_the_sandbox(code):
    outcome = bounded(lambda: _sandbox().run(code, {"order": {"total": 1}}, timeout=1.0))
    assert_sound(outcome, f"snippet {code[:80]!r}")
    assert outcome.value.status in ("ok", "error", "blocked", "timeout")
    assert outcome.value.status == "ok" or outcome.value.error


_CALM_SNIPPETS = st.sampled_from(["x = 1", "x = order_total * 2", "x = 'a' * 100", "import math\nx = math.pi",
                                  "try:\n    import os\nexcept:\n    x = 1", "x = " + "+".join(["1"] * 1000)])


@FUZZ
@given(when=hostile_expression, say=template(), code=_CALM_SNIPPETS,
       message=st.one_of(st.text(max_size=40), st.just("9" * 5000), st.just("\x1b[2J help")))
def test_any_procedure_validates_and_runs_to_a_verdict(tmp_path_factory, when, say, code, message):
    root = tmp_path_factory.mktemp("fuzz")
    (root / "procedures").mkdir()
    (root / "studio.yaml").write_text("schema: studio/v1\nname: Fuzz\n")
    (root / "procedures" / "p.yaml").write_text(yaml.safe_dump({
        "schema": "procedure/v1", "id": "p", "title": "P",
        "trigger": {"description": "anything", "examples": ["help me please"]},
        "variables": {"amount": {"type": "number"}},
        "steps": [{"id": "ask", "kind": "instruction", "text": "How much?", "collect": ["amount"],
                   "attempts": 1},
                  {"id": "code", "kind": "code", "code": code},
                  {"id": "test", "kind": "condition", "branches": [
                      {"when": when, "steps": [{"id": "yes", "kind": "end", "outcome": "resolved", "say": say}]},
                      {"when": "else", "steps": [{"id": "no", "kind": "end", "outcome": "handoff"}]}]}]},
        allow_unicode=True))
    project = load_project(root)
    assert_sound(bounded(lambda: validate_project(project)), "validate")
    simulation = Simulation.model_validate({"name": "f", "procedure": "p",
                                            "customer": {"script": ["help me please", message]}})
    outcome = bounded(lambda: run_simulation(project, simulation))
    assert_sound(outcome, f"run when={when[:60]!r} say={say[:60]!r}")
    result = outcome.value
    assert result.status in ("passed", "failed", "error")
    assert not (result.error or "").startswith("engine fault"), result.error


_ANSWER_SCHEMAS = [
    model_for_variables({"amount": Variable(type="number"), "count": Variable(type="integer"),
                         "size": Variable(type="enum", options=["small", "Large"]),
                         "ok": Variable(type="boolean"), "when": Variable(type="date")},
                        reasoning="why"),
    choice_model("Route", "procedure", ["damaged-order", "late-delivery"], description="which",
                 reasoning="why"),
]
_json = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
                               st.sampled_from(["9" * 5000, "1e999", "NaN", "£1,234.50", "Large"])),
                     lambda inner: st.one_of(st.lists(inner, max_size=4),
                                             st.dictionaries(st.sampled_from(
                                                 ["reasoning", "amount", "count", "size", "ok", "when",
                                                  "procedure", "extra"]), inner, max_size=7)),
                     max_leaves=20)


@FUZZ
@given(answer=st.one_of(_json.map(lambda v: json.dumps(v, allow_nan=True)), st.text(max_size=80),
                        st.sampled_from(['{"amount": 1e999}', '{"count": ' + "9" * 5000 + "}",
                                         "```json\n{}\n```", '{"procedure": null}'])),
       schema=st.sampled_from(_ANSWER_SCHEMAS))
def test_any_model_answer_fits_its_schema_or_is_malformed(answer, schema):
    outcome = bounded(lambda: parse_reply(answer, schema), (MalformedOutput,))
    assert_sound(outcome, f"answer {answer[:80]!r}")
    if outcome.value is not None:
        assert isinstance(outcome.value, schema)
        amount = getattr(outcome.value, "amount", None)
        assert amount is None or math.isfinite(amount), "a number answer read as infinity"


@FUZZ
@given(text=hostile_json)
def test_any_conversation_record_is_imported_or_refused_at_its_line(text):
    outcome = bounded(lambda: read_conversations(text))
    assert_sound(outcome, f"conversation {text[:80]!r}")
    assert all(why for _line, why in outcome.value)


@FUZZ
@given(text=hostile_json)
def test_any_connector_response_is_read_or_refused(text):
    outcome = bounded(lambda: read_response(text.encode("utf-8", "surrogatepass")))
    assert_sound(outcome, f"response {text[:80]!r}")
    output, refused = outcome.value
    assert refused is None or (output is None and refused)
