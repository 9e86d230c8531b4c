"""Every problem names the file, line and column a designer has to look at."""
from __future__ import annotations

from studio.core.project import load_project
from studio.core.validate import validate_procedure, validate_project, validate_simulation
from validate_builder import edit, find, problems_of, write_project

P = "procedures/damaged-order.yaml"


def one(problems, code):
    found = find(problems, code)
    assert len(found) == 1, [p.format() for p in problems]
    return found[0]


def test_yaml_syntax_error_bad_indentation(tmp_path):
    text = "schema: procedure/v1\nid: damaged-order\nsteps:\n  - id: a\n    kind: end\n   say: x\n"
    problem = one(problems_of(write_project(tmp_path, {P: text})), "yaml")
    assert (problem.file, problem.line, problem.column) == (P, 6, 4)
    assert "line 4" in problem.message
    assert "indented" in problem.hint


def test_yaml_syntax_error_unclosed_flow_mapping(tmp_path):
    text = "schema: procedure/v1\nid: damaged-order\nsteps:\n  - {id: a, kind: end\n"
    problem = one(problems_of(write_project(tmp_path, {P: text})), "yaml")
    assert problem.line == 5 and "starts on line 4" in problem.message
    assert "'{'" in problem.hint


def test_yaml_syntax_error_colon_in_plain_value(tmp_path):
    changes = edit(P, "text: Ask for the order number.", "text: Ask: for the order: number.")
    problem = one(problems_of(write_project(tmp_path, changes)), "yaml")
    assert (problem.line, problem.column) == (13, 14)
    assert "quotes" in problem.hint


def test_yaml_tab_indentation(tmp_path):
    changes = edit(P, "    kind: knowledge", "\tkind: knowledge")
    problem = one(problems_of(write_project(tmp_path, changes)), "yaml")
    assert problem.line == 17 and "tabs" in problem.hint


def test_schema_error_inside_nested_branch(tmp_path):
    changes = edit(P, "{id: done, kind: end, outcome: resolved,", "{id: done, kind: end, outcome: solved,")
    problem = one(problems_of(write_project(tmp_path, changes)), "schema")
    assert (problem.line, problem.column) == (38, changes[P].splitlines()[37].index("solved") + 1)
    assert problem.step == "done" and "solved" in problem.message


def test_unknown_step_kind_points_at_kind_with_suggestion(tmp_path):
    changes = edit(P, "kind: knowledge", "kind: knowlege")
    problem = one(problems_of(write_project(tmp_path, changes)), "schema")
    assert (problem.line, problem.column) == (17, 11)
    assert problem.message == "unknown step kind 'knowlege'"
    assert "did you mean 'knowledge'" in problem.hint


def test_unknown_field_typo_points_at_key_with_suggestion(tmp_path):
    changes = edit(P, "    save_as: order", "    sav_as: order")
    problem = one(problems_of(write_project(tmp_path, changes)), "schema")
    assert (problem.line, problem.column) == (23, 5)
    assert problem.message == "unknown field 'sav_as'" and problem.step == "lookup"
    assert problem.hint == "did you mean 'save_as'?"


def test_missing_field_in_nested_step(tmp_path):
    changes = edit(P, "{id: approve, kind: checkpoint, mode: approval,", "{id: approve, kind: checkpoint,")
    problem = one(problems_of(write_project(tmp_path, changes)), "schema")
    assert problem.line == 36 and problem.step == "approve" and "'mode'" in problem.message


def test_bad_expression_in_nested_step_has_exact_column(tmp_path):
    changes = edit(P, "when: refund > 50,", "when: refund > 50 +,")
    problem = one(problems_of(write_project(tmp_path, changes)), "expression")
    line = changes[P].splitlines()[35]
    assert problem.line == 36
    assert problem.column - 1 >= line.index("refund > 50 +")
    assert problem.step == "approve" and problem.procedure == "damaged-order"


def test_disallowed_name_column_inside_expression(tmp_path):
    changes = edit(P, "when: order.status == \"delivered\" and has_photo",
                   "when: order.status == \"delivered\" and order.__class__")
    problem = one(problems_of(write_project(tmp_path, changes)), "expression")
    line = changes[P].splitlines()[problem.line - 1]
    assert line[problem.column - 1:].startswith("order.__class__")


def test_template_error_column_in_quoted_text(tmp_path):
    changes = edit(P, "note: \"Refund {{ refund }}\"", "note: \"Refund {{ refund ) }}\"")
    problem = one(problems_of(write_project(tmp_path, changes)), "template")
    line = changes[P].splitlines()[problem.line - 1]
    assert problem.line == 36
    assert line[problem.column - 1] == ")"          # exactly the stray bracket


def test_snippet_error_line_inside_block_scalar(tmp_path):
    changes = edit(P, "              refund = round(order.total * (1.0 if has_photo else 0.5), 2)\n",
                   "              refund = 1\n              if refund >\n")
    problem = one(problems_of(write_project(tmp_path, changes)), "snippet-syntax")
    assert problem.line == 36           # `code: |` is on line 34, the snippet's line 2 on 36
    assert problem.column >= 15


def test_multiline_template_error_line(tmp_path):
    changes = edit(P, "    text: Ask for the order number.\n",
                   "    text: |\n      Ask for the order number.\n      Then say {{ order_id + }}.\n")
    problem = one(problems_of(write_project(tmp_path, changes)), "template")
    assert problem.line == 15
    line = changes[P].splitlines()[14]
    assert line.index("{{") < problem.column - 1 < line.index("}}") + 2


def test_simulation_problem_location(tmp_path):
    changes = edit("simulations/crushed.yaml", "not_visited: [late]", "not_visited: [lat]")
    problem = one(problems_of(write_project(tmp_path, changes)), "unknown-step")
    assert (problem.file, problem.line, problem.column) == ("simulations/crushed.yaml", 17, 17)


def test_id_mismatch_names_file(tmp_path):
    changes = edit("procedures/identity.yaml", "id: identity", "id: identity-check")
    problem = one(problems_of(write_project(tmp_path, changes)), "id-mismatch")
    assert (problem.file, problem.line) == ("procedures/identity.yaml", 2)


def test_validate_procedure_reports_only_that_procedure(tmp_path):
    changes = edit(P, "connector: get_order", "connector: get_ordr") | \
        edit("simulations/crushed.yaml", "segment: vip", "segment: nobody")
    project = load_project(write_project(tmp_path, changes))
    assert [p.code for p in validate_procedure(project, "damaged-order")] == ["unknown-connector"]
    assert validate_procedure(project, "identity") == []
    assert [p.code for p in validate_simulation(project, "crushed")] == ["unknown-segment"]


def test_validate_procedure_sees_in_memory_edits(tmp_path):
    project = load_project(write_project(tmp_path))
    proc = project.procedures["damaged-order"]
    proc.steps[0].collect.append("missing_var")
    problems = validate_procedure(project, "damaged-order")
    assert [p.code for p in problems] == ["unknown-variable"]
    assert problems[0].step == "ask-order"


def test_validate_procedure_includes_its_load_problems(tmp_path):
    changes = edit(P, "kind: knowledge", "kind: knowlege")
    project = load_project(write_project(tmp_path, changes))
    assert [p.code for p in validate_procedure(project, "damaged-order")] == ["schema"]


def test_problems_are_sorted_by_file_and_line(tmp_path):
    text = edit(P, "article: refunds", "article: nope")[P].replace("connector: get_order", "connector: x")
    changes = {P: text} | edit("simulations/crushed.yaml", "segment: vip", "segment: nobody")
    problems = validate_project(load_project(write_project(tmp_path, changes)))
    keys = [(p.file, p.line) for p in problems]
    assert len(keys) >= 3 and keys == sorted(keys)


def test_refused_operator_column(tmp_path):
    changes = edit(P, "when: refund > 50,", "when: refund >> 50,")
    problem = one(problems_of(write_project(tmp_path, changes)), "expression")
    line = changes[P].splitlines()[problem.line - 1]
    assert line[problem.column - 1:].startswith(">> 50")


def test_unset_name_points_at_the_name(tmp_path):
    changes = edit(P, "say: \"Refunded {{ refund }}.\"", "say: \"Refunded {{ refnd }}.\"")
    problem = one(problems_of(write_project(tmp_path, changes)), "unset-name")
    line = changes[P].splitlines()[problem.line - 1]
    assert line[problem.column - 1:].startswith("refnd }}")
