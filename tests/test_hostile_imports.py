"""Hostile production conversations (issue 11, beside item 2): one record nested
thousands deep, or deep enough to overflow redaction, is rejected at its line; the
other records are imported and the command never ends in an internal error."""
from __future__ import annotations

import json

import pytest

from studio.cli import main
from studio.core.limits import MAX_DATA_DEPTH, data_too_deep

GOOD = json.dumps({"id": "c-1", "messages": [{"role": "customer", "text": "My pizza came crushed"}]})
BRACKETS = '{"id": "c-2", "messages": ' + "[" * 100_000 + "]" * 100_000 + "}"     # the decoder recurses
NESTED = ('{"id": "c-3", "messages": [{"role": "customer", "text": "hi"}], "customer": {"attributes": '
          + '{"a": ' * 900 + "1" + "}" * 900 + "}}")                               # redaction would recurse


@pytest.mark.parametrize("text, line, message", [
    (GOOD + "\n" + BRACKETS + "\n", 2, "the JSON nests too deeply"),
    (GOOD + "\n" + NESTED + "\n", 2, f"the record nests deeper than {MAX_DATA_DEPTH} levels"),
    ("[" + GOOD + ",\n" + BRACKETS + "]", 2, "the JSON nests too deeply"),
    ('{"conversations": [' + GOOD + ",\n" + NESTED + "]}", 2, f"nests deeper than {MAX_DATA_DEPTH} levels"),
], ids=["jsonl-brackets", "jsonl-nested", "array-brackets", "wrapped-nested"])
def test_a_record_nested_too_deep_is_rejected_at_its_line_and_the_rest_imported(
        sample_copy, tmp_path, capsys, text, line, message):
    project = sample_copy("food-delivery")
    data = tmp_path / "prod.jsonl"
    data.write_text(text, encoding="utf-8")
    assert main(["conversations", "import", str(project), str(data)]) == 1     # refused records
    out = capsys.readouterr()
    assert "internal error" not in out.err and "RecursionError" not in out.err
    assert f"prod.jsonl:{line}: " in out.err and message in out.err
    assert "1 added" in out.out


def test_the_depth_check_walks_without_recursion():
    deep: list = []
    for _ in range(50_000):
        deep = [deep]
    assert data_too_deep(deep) and data_too_deep({"a": {"b": deep}})
    assert not data_too_deep({"messages": [{"role": "customer", "text": "hi", "tags": [[1], [2]]}]})


def test_a_long_csv_field_is_read_and_one_over_the_limit_is_refused_at_its_line(sample_copy, tmp_path, capsys):
    from studio.flywheel.csv_reader import MAX_FIELD
    project = sample_copy("food-delivery")
    data = tmp_path / "export.csv"
    data.write_text("conversation_id,role,text\nc1,customer,hello\n"
                    f"c2,customer,{'x' * 300_000}\n"                 # a long email: was an internal error
                    f"c3,customer,{'y' * (MAX_FIELD + 1)}\nc4,customer,never read\n", encoding="utf-8")
    assert main(["conversations", "import", str(project), str(data)]) == 1
    out = capsys.readouterr()
    assert "internal error" not in out.err
    assert "export.csv:4: not valid CSV (field larger than field limit" in out.err
    assert "2 added" in out.out                                    # c1 and the long c2
