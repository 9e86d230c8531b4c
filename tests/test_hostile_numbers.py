"""Issue 11 item 6: numbers from customers. One too large to represent is not
extracted and the trace says why; never an engine fault, never infinity."""
from __future__ import annotations

import pytest

from engine_kit import events, make_project, run

DIGITS_5000 = "7" * 5000
DIGITS_400_HALF = "9" * 400 + ".5"


def _project(tmp_path, kind: str):
    return make_project(tmp_path / "p", procedures={"pay": {
        "title": "Pay", "trigger": {"description": "pay an amount", "examples": ["I want to pay"]},
        "variables": {"amount": {"type": kind}},
        "steps": [
            {"id": "ask", "kind": "instruction", "text": "Ask how much.", "say": "How much?",
             "collect": ["amount"], "attempts": 2},
            {"id": "double", "kind": "code", "code": "twice = amount * 2"},
            {"id": "done", "kind": "end", "outcome": "resolved", "say": "Paying {{ twice }}."}]}})


@pytest.mark.parametrize("kind", ["number", "integer"])
@pytest.mark.parametrize("said", [DIGITS_5000, DIGITS_400_HALF, f"it is {DIGITS_5000} pounds"])
def test_a_number_too_large_is_not_extracted_and_the_trace_says_why(tmp_path, kind, said):
    result = run(_project(tmp_path, kind), {"procedure": "pay", "customer": {"script": [
        "I want to pay", said, "12"]}})
    assert result.status != "error", result.error
    skipped = events(result, "not_extracted")
    assert skipped and skipped[0]["name"] == "amount"
    assert "too large to represent" in skipped[0]["why"]
    values = [e["value"] for e in events(result, "variable_set") if e["name"] == "amount"]
    assert values == [12]                                   # the next answer fills it
    assert "inf" not in str(result.variables.get("twice"))


def test_a_long_but_representable_number_is_still_read(tmp_path):
    result = run(_project(tmp_path, "number"), {"procedure": "pay", "customer": {"script": [
        "I want to pay", "1" * 40]}})
    assert result.status != "error", result.error
    assert result.variables["amount"] == int("1" * 40)


def test_a_model_answering_a_number_too_large_is_malformed_never_infinity():
    from studio.core.procedure import Variable
    from studio.llm.structured import MalformedOutput, model_for_variables, parse_reply
    schema = model_for_variables({"amount": Variable(type="number")})
    for answer in ('{"amount": 1e999}', '{"amount": "' + "9" * 400 + '.5"}'):
        with pytest.raises(MalformedOutput, match="amount"):
            parse_reply(answer, schema)
    assert parse_reply('{"amount": "£1,234.50"}', schema).amount == 1234.5
