"""The procedure editor through the real main window: every step kind, drag and drop,
live problems, undo/redo against the saved file, copy/paste, flowchart sync."""
from __future__ import annotations

import pytest
import yaml
from PySide6.QtCore import Qt

from studio.core.project import load_project
from studio.core.steps import STEP_KINDS

from test_ui_support import demo_project, studio_home, window  # noqa: F401  (fixtures)

pytestmark = pytest.mark.gui


def saved_steps(root, pid):
    data = yaml.safe_load((root / f"procedures/{pid}.yaml").read_text())
    return data.get("steps", [])


def test_build_a_procedure_with_every_step_kind(qtbot, window, demo_project):
    window.prompts.answers["ask_text"] = "Refund flow"
    assert window.project_tree.add("procedure") == "refund-flow"
    editor = window.current_editor()
    assert editor.item_id == "refund-flow"
    for kind in STEP_KINDS:
        editor.insert_actions[kind].trigger()
    procedure = window.session.project.procedures["refund-flow"]
    assert [s.kind for s in procedure.steps] == list(STEP_KINDS)
    # inline editing of an instruction's text
    index = editor.model.index_of("instruction")
    assert editor.model.setData(index, "Greet the customer by name.", Qt.EditRole)
    # the inspector edits the selected step (the end step, inserted last)
    form = window.inspector.step_form
    assert form.step_id == "end"
    form.fields["outcome"].setCurrentText("handoff")
    form.fields["say"].setPlainText("A teammate will take over.")
    assert "*" in window.windowTitle()
    window.actions_["save_all"].trigger()
    assert "*" not in window.windowTitle()
    steps = saved_steps(demo_project, "refund-flow")
    assert [s["kind"] for s in steps] == list(STEP_KINDS)
    assert steps[0]["text"] == "Greet the customer by name."
    assert steps[-1]["outcome"] == "handoff" and steps[-1]["say"] == "A teammate will take over."
    assert load_project(demo_project).procedures["refund-flow"] == procedure


def test_drag_and_drop_reorders_and_moves_in_and_out_of_branches(qtbot, window, demo_project):
    editor = window.current_editor()
    model = editor.model
    assert editor.item_id == "complaints"   # first procedure alphabetically
    window.open_item("procedure", "damaged-order")
    editor = window.current_editor()
    model = editor.model
    # reorder: drop "lookup" at the top
    mime = model.mimeData([model.index_of("lookup")])
    assert model.dropMimeData(mime, Qt.MoveAction, 0, 0, model.index_of("__none__").parent())
    ids = [s.id for s in model.procedure.steps]
    assert ids[:2] == ["lookup", "ask-order"]
    # into the else branch of "eligible", before "late"
    branch = model.index_of("eligible#1")
    mime = model.mimeData([model.index_of("policy")])
    assert model.canDropMimeData(mime, Qt.MoveAction, 0, 0, branch)
    assert model.dropMimeData(mime, Qt.MoveAction, 0, 0, branch)
    cond = model.procedure.find_step("eligible")
    assert [s.id for s in cond.branches[1].steps] == ["policy", "late"]
    # a condition cannot be dropped inside itself
    branch = model.index_of("eligible#1")
    mime = model.mimeData([model.index_of("eligible")])
    assert not model.canDropMimeData(mime, Qt.MoveAction, 0, 0, branch)
    # out again: dropped onto a top-level step goes after it
    mime = model.mimeData([model.index_of("amount")])
    assert model.dropMimeData(mime, Qt.MoveAction, -1, 0, model.index_of("lookup"))
    assert [s.id for s in model.procedure.steps][:2] == ["lookup", "amount"]
    window.save_all()
    saved = saved_steps(demo_project, "damaged-order")
    assert [s["id"] for s in saved][:3] == ["lookup", "amount", "ask-order"]
    # the view shows the new structure (selection follows by id)
    assert model.index_of("amount").parent().isValid() is False
    # one undo per drop
    for _ in range(3):
        window.actions_["undo"].trigger()
    assert [s.id for s in model.procedure.steps][:2] == ["ask-order", "policy"]


def test_invalid_condition_shows_a_problem_then_fixing_it_clears(qtbot, window):
    editor = window.open_item("procedure", "damaged-order")
    editor.select_step("eligible")
    form = window.inspector.step_form
    assert form.step_id == "eligible"
    edit = form.branch_edits[0]
    edit.setPlainText("order.total >")
    qtbot.waitUntil(lambda: edit.problem is not None, timeout=2000)
    assert edit.problem[3] == "error" and "syntax" in edit.problem[2]
    assert edit.toolTip() == edit.problem[2]
    qtbot.waitUntil(lambda: any(p.step == "eligible" for p in window.problems_panel.problems),
                    timeout=3000)
    problem = next(p for p in window.problems_panel.problems if p.step == "eligible")
    assert editor.model.problems.get("eligible")          # the card shows a badge
    editor.select_step("ask-order")
    window.jump_to_problem(problem)                       # what double-click does
    assert editor.selected_step_ids() == ["eligible"]
    form = window.inspector.step_form
    form.branch_edits[0].setPlainText("order.total > 10")
    qtbot.waitUntil(lambda: form.branch_edits[0].problem is None, timeout=2000)
    qtbot.waitUntil(lambda: not any(p.step == "eligible" and p.severity.value == "error"
                                    for p in window.problems_panel.problems), timeout=3000)
    # unknown names are warned about as you type
    form.branch_edits[0].setPlainText("ordr.total > 10")
    qtbot.waitUntil(lambda: form.branch_edits[0].problem is not None, timeout=2000)
    assert form.branch_edits[0].problem[3] == "warning"


def test_undo_redo_back_and_forth_checks_the_saved_file(qtbot, window, demo_project):
    editor = window.open_item("procedure", "complaints")
    undo, redo, save = (window.actions_[n] for n in ("undo", "redo", "save"))
    states = [[s["id"] for s in saved_steps(demo_project, "complaints")]]
    editor.select_step("take")
    editor.insert_step("code")
    save.trigger()
    states.append([s["id"] for s in saved_steps(demo_project, "complaints")])
    editor.select_step("escalate")
    editor.delete_selected()
    save.trigger()
    states.append([s["id"] for s in saved_steps(demo_project, "complaints")])
    assert states == [["take", "escalate"], ["take", "code", "escalate"], ["take", "code"]]
    for expected in (states[1], states[0]):
        undo.trigger()
        save.trigger()
        assert [s["id"] for s in saved_steps(demo_project, "complaints")] == expected
    for expected in (states[1], states[2]):
        redo.trigger()
        save.trigger()
        assert [s["id"] for s in saved_steps(demo_project, "complaints")] == expected
    assert load_project(demo_project).procedures["complaints"] == \
        window.session.project.procedures["complaints"]


def test_copy_paste_between_procedures_and_flowchart_sync(qtbot, window, tmp_path):
    source = window.open_item("procedure", "damaged-order")
    source.select_keys(["ask-order", "eligible"])
    source.copy_selected()
    target = window.open_item("procedure", "complaints")
    target.select_step("take")
    pasted = target.paste()
    assert pasted[0] == "ask-order" and "eligible" in pasted
    ids = window.session.project.procedures["complaints"].step_ids()
    assert len(ids) == len(set(ids)) == 2 + 7
    again = target.paste()                 # same steps again: ids de-duplicated
    assert again[0] == "ask-order-2"
    # selecting in the flowchart selects the card, and back
    target._refresh_flowchart()
    target.flowchart.scene().clearSelection()
    target.flowchart.nodes["escalate"].setSelected(True)
    assert target.selected_step_ids() == ["escalate"]
    target.select_step("take")
    assert target.flowchart.nodes["take"].isSelected()
    target.flowchart.export_svg(str(tmp_path / "flow.svg"))
    target.flowchart.export_png(str(tmp_path / "flow.png"))
    assert (tmp_path / "flow.svg").read_text().lstrip().startswith("<?xml")
    assert (tmp_path / "flow.png").stat().st_size > 1000


def test_project_tree_rename_asks_and_updates_references(qtbot, window, demo_project):
    window.prompts.answers["yes_no_cancel"] = "yes"
    assert window.project_tree.rename("knowledge", "refund-policy", "refunds")
    step = window.session.project.procedures["damaged-order"].find_step("policy")
    assert step.article == "refunds"
    assert window.prompts.asked[-1][0] == "yes_no_cancel"
    window.actions_["undo"].trigger()
    assert window.session.project.procedures["damaged-order"].find_step("policy").article == \
        "refund-policy"
