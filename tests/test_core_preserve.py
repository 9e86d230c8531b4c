"""Saving onto a hand-written file keeps what the designer wrote: comments, explicit
defaults, flow style, quotes; a change rewrites only its own lines."""
from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from studio.core.connector import Connector
from studio.core.procedure import Procedure
from studio.core.project import load_project
from studio.core.settings import ProjectSettings
from studio.core.simulation import Simulation
from studio.core.steps import CodeStep, EndStep
from studio.core.yaml_io import dump_yaml, model_to_yaml, parse_yaml, save_model

HAND_WRITTEN = """\
# Damaged orders: written by hand, reviewed in git.
schema: procedure/v1
id: damaged-order
title: 'Damaged food order'        # shown in the app
trigger:
  description: The customer's food order arrived damaged.
  examples: ["my order arrived damaged", "the pizza was crushed"]
variables:
  order_id: {type: string, description: "Order number, like FD-123456", pattern: 'FD-\\d{6}'}
steps:
  # First we need the order number.
  - id: ask-order
    kind: instruction
    text: Ask for the order number.   # keep it short
    collect: [order_id]
    attempts: 3
  # Then we look the order up.
  - id: lookup
    kind: connector
    connector: get_order
    inputs: {order_id: "{{ order_id }}"}
    save_as: order
    on_error: handoff
  - {id: amount, kind: code, code: "refund = round(order.total, 2)"}
  - id: eligible
    kind: condition
    branches:
      # within the window
      - when: order.hours_since_delivery <= 24
        steps:
          - id: pay
            kind: end
            outcome: resolved
            say: "Refunded {{ refund }}."
      - when: else
        steps:
          - {id: late, kind: end, outcome: handoff}   # a teammate takes over
  - id: done
    kind: end
    outcome: resolved    # the designer wrote the default on purpose
"""


def _load(text: str, cls=Procedure):
    return cls.model_validate(parse_yaml(text)[0])


def _diff(before: str, after: str) -> tuple[list[str], list[str]]:
    """(removed lines, added lines)."""
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def _save(model, text: str) -> str:
    out = model_to_yaml(model, text)
    assert type(model).model_validate(parse_yaml(out)[0]) == model
    return out


def _comments(text: str) -> list[str]:
    return [line.split("#", 1)[1] for line in text.splitlines() if "# " in line and "{{" not in line]


@pytest.fixture
def proc() -> Procedure:
    return _load(HAND_WRITTEN)


def test_saving_unchanged_gives_the_same_bytes(proc):
    assert _save(proc, HAND_WRITTEN) == HAND_WRITTEN


def test_comments_survive_an_edit_of_another_step(proc):
    proc.find_step("pay").say = "All refunded."
    out = _save(proc, HAND_WRITTEN)
    assert _diff(HAND_WRITTEN, out) == (['            say: "Refunded {{ refund }}."'],
                                        ['            say: "All refunded."'])
    assert _comments(out) == _comments(HAND_WRITTEN)


def test_comment_on_the_edited_line_survives(proc):
    proc.find_step("ask-order").text = "Ask for the order number, please."
    out = _save(proc, HAND_WRITTEN)
    assert _diff(HAND_WRITTEN, out) == (
        ["    text: Ask for the order number.   # keep it short"],
        ["    text: Ask for the order number, please.   # keep it short"])


def test_explicit_defaults_the_designer_wrote_stay(proc):
    proc.title = "Damaged order"
    out = _save(proc, HAND_WRITTEN)
    for line in ("    outcome: resolved    # the designer wrote the default on purpose",
                 "    attempts: 3", "    on_error: handoff", "            outcome: resolved",
                 "  order_id: {type: string, description: \"Order number, like FD-123456\", "
                 "pattern: 'FD-\\d{6}'}"):
        assert line in out.splitlines()
    # the title keeps its quotes and its comment, at the comment's column
    assert _diff(HAND_WRITTEN, out) == (["title: 'Damaged food order'        # shown in the app"],
                                        ["title: 'Damaged order'             # shown in the app"])


def test_a_default_changed_by_the_model_is_written_or_dropped(proc):
    proc.find_step("done").outcome = "unresolved"
    out = _save(proc, HAND_WRITTEN)
    assert "    outcome: unresolved  # the designer wrote the default on purpose" in out.splitlines()
    proc.find_step("ask-order").attempts = 2
    proc.find_step("lookup").on_error = "continue"
    out = _save(proc, out)
    assert "    attempts: 2" in out.splitlines() and "    on_error: continue" in out.splitlines()
    # from 'handoff' (not the default) back to the default: the key goes, like a plain save
    proc.find_step("late").outcome = "resolved"
    out = _save(proc, out)
    late = next(line for line in out.splitlines() if "id: late" in line)
    assert late.startswith("          - {id: late, kind: end}  ") and late.endswith("  # a teammate takes over")
    assert late.index("#") == HAND_WRITTEN.splitlines()[HAND_WRITTEN.splitlines().index(
        "          - {id: late, kind: end, outcome: handoff}   # a teammate takes over")].index("#")


def test_flow_style_step_stays_flow_style(proc):
    proc.find_step("pay").say = "Done."
    out = _save(proc, HAND_WRITTEN)
    assert '  - {id: amount, kind: code, code: "refund = round(order.total, 2)"}' in out.splitlines()
    proc = _load(HAND_WRITTEN)
    proc.find_step("amount").code = "refund = order.total"
    out = _save(proc, HAND_WRITTEN)
    assert _diff(HAND_WRITTEN, out)[1] == ['  - {id: amount, kind: code, code: "refund = order.total"}']


def test_a_flow_step_that_no_longer_fits_becomes_block(proc):
    proc.find_step("amount").code = "refund = round(order.total * (1.0 if has_photo else 0.5), 2)  # long" * 2
    out = _save(proc, HAND_WRITTEN)
    assert "  - id: amount" in out.splitlines()


def test_deleting_a_step_removes_only_its_lines_and_comment(proc):
    del proc.steps[1]
    out = _save(proc, HAND_WRITTEN)
    removed, added = _diff(HAND_WRITTEN, out)
    assert added == []
    assert removed == ["  # Then we look the order up.", "  - id: lookup", "    kind: connector",
                       "    connector: get_order", '    inputs: {order_id: "{{ order_id }}"}',
                       "    save_as: order", "    on_error: handoff"]


def test_inserting_a_step_adds_only_its_lines(proc):
    proc.steps.insert(2, CodeStep(id="total", code="total = order.total"))
    out = _save(proc, HAND_WRITTEN)
    assert _diff(HAND_WRITTEN, out) == ([], ["  - id: total", "    kind: code", "    code: total = order.total"])
    assert out.index("save_as: order") < out.index("id: total") < out.index("id: amount")


def test_reordering_steps_moves_them_with_their_comments(proc):
    proc.steps[0], proc.steps[1] = proc.steps[1], proc.steps[0]
    out = _save(proc, HAND_WRITTEN)
    lines = out.splitlines()
    assert lines[lines.index("  - id: lookup") - 1] == "  # Then we look the order up."
    assert lines[lines.index("  - id: ask-order") - 1] == "  # First we need the order number."
    assert sorted(out.splitlines()) == sorted(HAND_WRITTEN.splitlines())


def test_renaming_a_step_id_changes_one_line(proc):
    proc.find_step("lookup").id = "find-order"
    out = _save(proc, HAND_WRITTEN)
    assert _diff(HAND_WRITTEN, out) == (["  - id: lookup"], ["  - id: find-order"])
    proc.find_step("late").id = "too-late"
    out = _save(proc, out)
    assert "          - {id: too-late, kind: end, outcome: handoff}   # a teammate takes over" in out


def test_editing_a_branch_when_changes_one_line(proc):
    proc.find_step("eligible").branches[0].when = "order.hours_since_delivery <= 48"
    out = _save(proc, HAND_WRITTEN)
    assert _diff(HAND_WRITTEN, out) == (["      - when: order.hours_since_delivery <= 24"],
                                        ["      - when: order.hours_since_delivery <= 48"])
    assert "      # within the window" in out


def test_a_step_moved_into_a_branch_keeps_its_neighbours(proc):
    amount = proc.steps.pop(2)
    proc.find_step("eligible").branches[0].steps.insert(0, amount)
    out = _save(proc, HAND_WRITTEN)
    removed, added = _diff(HAND_WRITTEN, out)
    assert removed == ['  - {id: amount, kind: code, code: "refund = round(order.total, 2)"}']
    assert added == ['          - {id: amount, kind: code, code: "refund = round(order.total, 2)"}']


def test_new_keys_go_where_the_model_order_puts_them(proc):
    proc.find_step("lookup").when = "order_id"
    proc.description = "Refund damaged orders."
    out = _save(proc, HAND_WRITTEN)
    lines = out.splitlines()
    assert lines[lines.index("  - id: lookup") + 2] == "    when: order_id"      # after id and kind
    assert lines[lines.index("description: Refund damaged orders.") - 1].startswith("title:")


def test_keys_removed_in_the_model_are_removed(proc):
    proc.find_step("pay").say = None
    proc.variables = {}
    out = _save(proc, HAND_WRITTEN)
    assert "Refunded" not in out and "variables" not in out and "order_id: {type" not in out
    assert _comments(out) == _comments(HAND_WRITTEN)


def test_new_list_items_and_text_keep_the_lists_style(proc):
    proc.trigger.examples.append("it came squashed")
    proc.find_step("ask-order").collect.append("photo")
    out = _save(proc, HAND_WRITTEN)
    assert _diff(HAND_WRITTEN, out)[1] == [
        '  examples: ["my order arrived damaged", "the pizza was crushed", "it came squashed"]',
        "    collect: [order_id, photo]"]


def test_multi_line_text_is_written_as_a_block(proc):
    proc.find_step("amount").code = "total = order.total\nrefund = round(total, 2)\n"
    out = _save(proc, HAND_WRITTEN)
    assert "      refund = round(total, 2)" in out.splitlines()
    proc.find_step("amount").code = "total = order.total\nrefund = total\n"
    again = _save(proc, out)
    assert _diff(out, again) == (["      refund = round(total, 2)"], ["      refund = total"])


def test_strings_that_read_as_other_types_get_quoted(proc):
    proc.find_step("ask-order").text = "yes"
    proc.find_step("pay").say = "2024-05-01"
    out = _save(proc, HAND_WRITTEN)
    assert "    text: 'yes'                       # keep it short" in out.splitlines()
    assert _load(out).find_step("pay").say == "2024-05-01"


def test_new_file_is_the_plain_dump_and_saving_twice_is_stable(tmp_path: Path, proc):
    path = tmp_path / "procedures" / "damaged-order.yaml"
    save_model(proc, path)
    first = path.read_bytes()
    assert first.decode() == dump_yaml(proc.to_data())
    save_model(proc, path)
    assert path.read_bytes() == first
    proc.find_step("pay").say = "Done."
    save_model(proc, path)
    second = path.read_bytes()
    save_model(_load(second.decode()), path)
    assert path.read_bytes() == second


def test_project_saves_keep_the_hand_written_file(tmp_path: Path):
    (tmp_path / "procedures").mkdir()
    (tmp_path / "connectors").mkdir()
    (tmp_path / "simulations").mkdir()
    (tmp_path / "studio.yaml").write_text(
        "schema: studio/v1\nname: Shop   # our team\nmodel: {name: offline}\n", encoding="utf-8")
    (tmp_path / "procedures/damaged-order.yaml").write_text(HAND_WRITTEN, encoding="utf-8")
    connector_text = ("schema: connector/v1\nid: get_order\n# the shop API\nrequest:\n  method: GET\n"
                      "  url: https://api.example.com/orders/{{ order_id }}\n")
    (tmp_path / "connectors/get_order.yaml").write_text(connector_text, encoding="utf-8")
    sim_text = ("schema: simulation/v1\nname: Late order\ncustomer:\n  script:\n    - Hi   # opener\n"
                "    - FD-123456\nfixtures:\n  connectors:\n    get_order: {placed: 2024-05-01, total: 12}\n")
    (tmp_path / "simulations/late.yaml").write_text(sim_text, encoding="utf-8")
    project = load_project(tmp_path)
    assert project.load_problems == []

    project.settings.tone = "Friendly."
    project.save_settings()
    assert (tmp_path / "studio.yaml").read_text() == (
        "schema: studio/v1\nname: Shop   # our team\ntone: Friendly.\nmodel: {name: offline}\n")
    project.connectors["get_order"].description = "Look up an order."
    project.save_connector(project.connectors["get_order"])
    assert (tmp_path / "connectors/get_order.yaml").read_text() == connector_text.replace(
        "id: get_order\n", "id: get_order\ndescription: Look up an order.\n")
    sim = project.simulations["late"]
    sim.customer.script.append("thanks")
    project.save_simulation("late", sim)
    assert (tmp_path / "simulations/late.yaml").read_text() == sim_text.replace(
        "    - FD-123456\n", "    - FD-123456\n    - thanks\n")
    proc = project.procedures["damaged-order"]
    original = proc.model_copy(deep=True)
    proc.steps.insert(0, EndStep(id="early"))
    project.save_procedure(proc)
    assert "  - id: early" in (tmp_path / "procedures/damaged-order.yaml").read_text()
    project.save_procedure(original)          # an undo back to what was loaded
    assert (tmp_path / "procedures/damaged-order.yaml").read_text() == HAND_WRITTEN
    again = load_project(tmp_path)
    assert again.load_problems == [] and again.procedures["damaged-order"] == original


def test_indentless_lists_and_four_space_indents_are_followed():
    text = ("schema: procedure/v1\nid: p\nsteps:\n- id: a\n  kind: instruction\n  text: Hi\n"
            "- id: b\n  kind: end\n")
    proc = _load(text)
    proc.steps.insert(1, CodeStep(id="c", code="x = 1"))
    proc.find_step("a").collect = ["x", "y"]
    out = _save(proc, text)
    assert out == ("schema: procedure/v1\nid: p\nsteps:\n- id: a\n  kind: instruction\n  text: Hi\n"
                   "  collect:\n  - x\n  - y\n- id: c\n  kind: code\n  code: x = 1\n- id: b\n  kind: end\n")
    four = "schema: connector/v1\nid: c\ninputs:\n    order_id:\n        type: string\n"
    connector = _load(four, Connector)
    connector.inputs["order_id"].required = True
    connector.request = None
    connector.sample = {"ok": True}
    assert _save(connector, four) == four + "        required: true\nsample:\n    ok: true\n"


@pytest.mark.parametrize("text", [
    # anchors and aliases tie lines together: the whole document is merged by ruamel
    "schema: procedure/v1\nid: p   # keep\nsteps:\n  - &first {id: a, kind: instruction, text: &t Hi}\n"
    "  - {id: b, kind: instruction, text: *t}\n",
    # a flow-style document
    "{schema: procedure/v1, id: p, steps: [{id: a, kind: instruction, text: Hi}, {id: b, kind: "
    "instruction, text: Hi}]}   # all on one line\n",
    # a key written twice: the last one counts, and the first goes on save
    "schema: procedure/v1\nid: p\ntitle: One\ntitle: Two   # this one\nsteps:\n"
    "  - {id: a, kind: instruction, text: Hi}\n  - {id: b, kind: instruction, text: Hi}\n",
])
def test_unusual_files_still_save_right_and_keep_comments(text):
    proc = _load(text)
    proc.steps[1].text = "Bye"
    out = _save(proc, text)
    assert "Bye" in out and "#" in out
    assert out.count("title:") <= 1


def test_a_broken_or_foreign_file_is_replaced_by_the_plain_dump(proc):
    for old in ("steps: [unclosed\n", "- just\n- a list\n", ""):
        assert model_to_yaml(proc, old) == dump_yaml(proc.to_data())


def test_dates_and_yaml11_booleans_in_free_data_stay_as_written():
    text = ("schema: simulation/v1\nname: Dates\nfixtures:\n  connectors:\n"
            "    get_order: {placed: 2024-05-01, gift: yes, note: 'on'}   # mock\n"
            "expect:\n  outcome: resolved\n")
    sim = _load(text, Simulation)
    assert sim.fixtures.connectors["get_order"] == {"placed": "2024-05-01", "gift": True, "note": "on"}
    sim.expect.max_turns = 4
    out = _save(sim, text)
    assert _diff(text, out) == ([], ["  max_turns: 4"])
    sim.fixtures.connectors["get_order"]["total"] = 3
    out = _save(sim, out)
    assert "    get_order: {placed: 2024-05-01, gift: yes, note: 'on', total: 3}   # mock" in out.splitlines()


def test_settings_model_default_written_explicitly_stays():
    text = "schema: studio/v1\nname: Shop\nmodel: {name: offline}   # or a litellm id\n"
    settings = _load(text, ProjectSettings)
    settings.name = "Shop two"
    assert _save(settings, text) == text.replace("Shop", "Shop two")
    settings.model.temperature = 0.2
    assert "model: {name: offline, temperature: 0.2}   # or a litellm id" in _save(settings, text)


def test_a_step_moved_out_of_a_branch_keeps_its_lines_and_comment():
    text = HAND_WRITTEN.replace("          - id: pay\n", "          # paying\n          - id: pay\n")
    proc = _load(text)
    pay = proc.find_step("eligible").branches[0].steps.pop(0)
    proc.steps.append(pay)
    out = _save(proc, text)
    assert out.endswith("  # paying\n  - id: pay\n    kind: end\n    outcome: resolved\n"
                        "    say: \"Refunded {{ refund }}.\"\n")
    assert "      - when: order.hours_since_delivery <= 24\n        steps: []\n" in out


def test_a_closing_comment_stays_at_the_end_when_the_last_step_goes(proc):
    text = HAND_WRITTEN + "# end of the procedure\n"
    proc = _load(text)
    del proc.steps[-1]
    out = _save(proc, text)
    assert out.endswith("# a teammate takes over\n# end of the procedure\n")


def test_the_save_is_never_lost_when_splicing_goes_wrong(proc, monkeypatch):
    from studio.core import yaml_preserve

    proc.find_step("pay").say = "Paid."
    monkeypatch.setattr(yaml_preserve._Splicer, "document", lambda self, root, old, new: self.lines)
    out = _save(proc, HAND_WRITTEN)          # the spliced text reads back wrong: ruamel merges it all
    assert 'say: "Paid."' in out and "# First we need the order number." in out

    def broken(*args):
        raise RuntimeError("bug")

    monkeypatch.setattr(yaml_preserve, "_merged_whole", broken)
    assert _save(proc, HAND_WRITTEN) == dump_yaml(proc.to_data())
