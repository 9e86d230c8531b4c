"""Schema and load problems read as a designer would want: one problem per mistake,
in the file's words (no class names), with a hint naming what to write, and a
broken file reported once rather than echoed by every file that refers to it."""
from __future__ import annotations

from studio.cli import main
from studio.core.expressions import ExpressionError, evaluate
from studio.core.problems import Severity
from studio.core.project import load_project
from studio.core.simulation import Simulation
from studio.core.yaml_io import model_to_yaml, parse_yaml
from validate_builder import edit, find, line_of, problems_of, write_project

P = "procedures/damaged-order.yaml"
S = "simulations/crushed.yaml"


def only_errors(problems):
    return [p for p in problems if p.severity == Severity.error]


def test_a_script_turn_of_the_wrong_kind_is_one_problem(tmp_path):
    changes = edit(S, "    - My pizza arrived crushed\n", "    - 12\n")
    errors = only_errors(problems_of(write_project(tmp_path, changes)))
    assert len(errors) == 1, [p.format() for p in errors]
    problem = errors[0]
    assert (problem.file, problem.line, problem.column) == (S, 7, 7)
    assert problem.message == "customer.script.0: should be text, or a mapping (key: value) (got 12)"
    assert "quote it" in problem.hint
    assert "CustomerTurn" not in problem.format() and ".str" not in problem.format()


def test_a_misspelt_field_in_a_script_turn_names_only_that_field(tmp_path):
    changes = edit(S, "      attachments: [{file: crushed.jpg,", "      atachments: [{file: crushed.jpg,")
    errors = only_errors(problems_of(write_project(tmp_path, changes)))
    assert [(p.line, p.message, p.hint) for p in errors] == [
        (9, "customer.script.1: unknown field 'atachments'", "did you mean 'attachments'?")]


def test_unknown_field_is_matched_against_the_fields_allowed_there(tmp_path):
    changes = edit(P, "title: Damaged order", "name: Damaged order")
    problem = only_errors(problems_of(write_project(tmp_path, changes)))[0]
    assert problem.message == "unknown field 'name'"
    assert problem.hint.startswith("fields here: schema, id, title")
    changes = edit(P, "      - when: else\n", "      - when: else\n        stesp: []\n")
    problem = only_errors(problems_of(write_project(tmp_path / "b", changes)))[0]
    assert problem.hint == "did you mean 'steps'?" and problem.step == "eligible"


def test_a_misspelt_choice_suggests_the_right_one(tmp_path):
    changes = edit(P, "mode: approval,", "mode: aproval,")
    problem = only_errors(problems_of(write_project(tmp_path, changes)))[0]
    assert problem.step == "approve" and "(got 'aproval')" in problem.message
    assert problem.hint == "did you mean 'approval'?"


def test_yes_where_a_word_is_expected_explains_yaml_booleans(tmp_path):
    changes = edit(S, "approvals: {approve: approved}", "approvals: {approve: yes}")
    problem = only_errors(problems_of(write_project(tmp_path, changes)))[0]
    assert problem.line == line_of(S, "approvals:", changes)
    assert "yes/no" in problem.hint and "approved, rejected" in problem.hint


def test_one_value_where_a_list_is_expected(tmp_path):
    changes = edit(P, "collect: [order_id]", "collect: order_id")
    problem = only_errors(problems_of(write_project(tmp_path, changes)))[0]
    assert problem.step == "ask-order" and problem.hint == "write a list, even of one item: [order_id]"


def test_a_model_name_alone_says_how_to_write_it(tmp_path):
    changes = {"studio.yaml": "schema: studio/v1\nname: Shop\nmodel: gpt-4o\nsegments: {vip: {}}\n"}
    problem = only_errors(problems_of(write_project(tmp_path, changes)))[0]
    assert (problem.file, problem.line) == ("studio.yaml", 3)
    assert problem.message == "model: should be a mapping of fields (key: value) (got 'gpt-4o')"
    assert problem.hint == "write model: {name: gpt-4o}"


def test_a_number_where_text_is_expected_says_to_quote_it(tmp_path):
    changes = edit(P, "say: \"What's your order number?\"", "say: 42")
    problem = only_errors(problems_of(write_project(tmp_path, changes)))[0]
    assert "quotes" in problem.hint and problem.step == "ask-order"


def test_broken_studio_yaml_is_one_error_not_one_per_simulation(tmp_path):
    changes = {"studio.yaml": "schema: studio/v1\nnme: Shop\nsegments:\n  vip: {plan: pro}\n"}
    errors = only_errors(problems_of(write_project(tmp_path, changes)))
    assert [(p.file, p.message, p.hint) for p in errors] == [
        ("studio.yaml", "unknown field 'nme'", "did you mean 'name'?")]


def test_broken_connector_is_one_error_not_one_per_simulation(tmp_path):
    changes = edit("connectors/issue_refund.yaml", "sample: {ok: true}", "sample: {ok: true}\nmethod: POST")
    errors = only_errors(problems_of(write_project(tmp_path, changes)))
    assert [(p.file, p.code) for p in errors] == [("connectors/issue_refund.yaml", "schema")]


def test_broken_article_front_matter_has_its_position_and_no_echo(tmp_path):
    changes = {"knowledge/refunds.md": "---\ntitle: Refunds: the rules\n---\n\nText.\n"}
    errors = only_errors(problems_of(write_project(tmp_path, changes)))
    assert len(errors) == 1, [p.format() for p in errors]
    problem = errors[0]
    assert (problem.file, problem.line, problem.column) == ("knowledge/refunds.md", 2, 15)
    assert problem.message.startswith("front matter: YAML syntax error") and "quote" in problem.hint


def test_a_key_written_twice_is_a_warning_naming_both_lines(tmp_path, capsys):
    changes = edit(P, "    say: \"What's your order number?\"\n",
                   "    say: \"What's your order number?\"\n    say: Number please.\n")
    root = write_project(tmp_path, changes)
    project = load_project(root)
    assert project.procedures["damaged-order"].steps[0].say == "Number please."
    found = find(problems_of(root), "duplicate-key")
    assert [(p.severity, p.line, p.column) for p in found] == [(Severity.warning, 15, 5)]
    assert "line 14" in found[0].hint and "say" in found[0].message
    assert main(["validate", str(root)]) == 0         # a warning: the file still works


def test_two_documents_in_one_file(tmp_path):
    problem = only_errors(problems_of(write_project(tmp_path, {S: "name: A\n---\nname: B\n"})))[0]
    assert (problem.code, problem.line) == ("yaml", 2)
    assert "one YAML document" in problem.hint


def test_an_empty_file_says_so_and_how_to_start(tmp_path):
    problem = only_errors(problems_of(write_project(tmp_path, {"procedures/identity.yaml": ""})))[0]
    assert problem.message == "the file is empty" and problem.hint == "start it with: schema: procedure/v1"


def test_dates_written_without_quotes_are_text_like_quoted_ones():
    text = ("name: Dispute\ncustomer:\n  script:\n    - I was charged twice\n    - 2024-05-03\n"
            "expect:\n  variables: {transaction_date: 2024-05-03}\n")
    sim = Simulation.model_validate(parse_yaml(text)[0])
    assert sim.customer.script[1] == "2024-05-03"
    assert sim.expect.variables == {"transaction_date": "2024-05-03"}
    assert parse_yaml(text, fast=True)[0] == parse_yaml(text)[0]
    saved = model_to_yaml(sim)
    assert Simulation.model_validate(parse_yaml(saved)[0]) == sim
    assert "'2024-05-03'" in saved


def test_a_pattern_that_backtracks_without_end_is_stopped_with_a_message():
    try:
        evaluate("matches(text, '(a|aa)+b')", {"text": "a" * 60 + "!"})
    except ExpressionError as exc:
        assert "takes too long" in exc.message
    else:
        raise AssertionError("expected the match to be stopped")
    assert evaluate("matches(text, 'FD-\\\\d{6}')", {"text": "It's FD-123456"}) is True


def test_a_bad_regex_in_matches_is_reported_where_it_is_written(tmp_path):
    changes = edit(P, "when: refund > 50,", "when: \"matches(order_id, 'FD-(')\",")
    problem = only_errors(problems_of(write_project(tmp_path, changes)))[0]
    line = changes[P].splitlines()[problem.line - 1]
    assert problem.code == "expression" and problem.step == "approve"
    assert "invalid regular expression" in problem.message
    assert line[problem.column - 1:].startswith("'FD-('")


def test_a_function_called_with_the_wrong_number_of_arguments(tmp_path):
    changes = edit(P, "when: refund > 50,", "when: round() > 50,")
    problem = only_errors(problems_of(write_project(tmp_path, changes)))[0]
    assert problem.message == "when: round() takes 1 or 2 arguments, not 0"
    changes = edit(P, "when: refund > 50,", "when: \"round(refund, 1) > 50\",")
    assert not only_errors(problems_of(write_project(tmp_path / "ok", changes)))


def test_a_comma_that_cut_a_value_in_a_flow_mapping_says_to_quote(tmp_path):
    changes = edit(P, "when: refund > 50,", "when: round(refund, 1) > 50,")
    problem = only_errors(problems_of(write_project(tmp_path, changes)))[0]
    assert problem.message == "unknown field '1) > 50'" and problem.step == "approve"
    assert "put the whole value in quotes" in problem.hint


def test_a_procedure_that_does_not_load_is_not_echoed_as_unset_names_elsewhere(tmp_path):
    # complaints.yaml reads order_id, which only the broken damaged-order declares
    changes = edit(P, "when: refund > 50,", "when: refund > 50 {,")
    problems = problems_of(write_project(tmp_path, changes))
    assert [(p.file, p.code) for p in problems] == [(P, "yaml")]


def test_a_missing_field_says_what_to_add(tmp_path):
    changes = edit(P, "{id: approve, kind: checkpoint, mode: approval,", "{id: approve, kind: checkpoint,")
    problem = only_errors(problems_of(write_project(tmp_path, changes)))[0]
    assert problem.message == "missing required field 'mode'" and problem.step == "approve"
    assert problem.hint == "add mode: ... (approval or handoff)"


def test_a_word_where_a_number_is_expected(tmp_path):
    changes = edit(P, "    collect: [order_id]\n", "    collect: [order_id]\n    attempts: three\n")
    problem = only_errors(problems_of(write_project(tmp_path, changes)))[0]
    assert problem.step == "ask-order" and problem.hint == "write a whole number, like 3"
