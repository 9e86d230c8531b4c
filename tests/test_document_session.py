"""The editing model without Qt: commands, undo/redo with file contents, references,
clipboard, recovery (no QApplication: the CLI and headless tests use it too)."""
from __future__ import annotations

import yaml

from studio.core.project import load_project
from studio.document import commands as cmd
from studio.document import project_commands as pc
from studio.document.clipboard import steps_from_yaml, steps_to_yaml
from studio.document.recovery import Recovery
from studio.document.session import ProjectSession
from studio.document.tree_ops import locate, new_step

from document_support import demo_project, studio_home  # noqa: F401  (fixtures)


def file_steps(root, pid="damaged-order"):
    data = yaml.safe_load((root / f"procedures/{pid}.yaml").read_text())
    return [s["id"] for s in data["steps"]]


def test_undo_redo_with_saved_file_contents(demo_project):
    s = ProjectSession.open(demo_project)
    original = s.project.procedures["damaged-order"].to_data()
    step = new_step("instruction", s.project.procedures["damaged-order"].step_ids())
    s.push(cmd.InsertSteps(s, "damaged-order", None, 1, [step]))
    assert s.is_dirty and s.dirty_keys() == [("procedure", "damaged-order")]
    s.save()
    assert file_steps(demo_project)[1] == "instruction"
    s.push(cmd.MoveStep(s, "damaged-order", "instruction", ("eligible", 1), 0))
    s.save()
    assert "instruction" not in file_steps(demo_project)
    assert locate(s.project.procedures["damaged-order"], "instruction") == (("eligible", 1), 0)
    s.undo_stack.undo()
    assert s.is_dirty            # differs from the saved (moved) file
    s.save()
    assert file_steps(demo_project)[1] == "instruction"
    s.undo_stack.undo()
    s.save()          # back to the original procedure (the file may keep its own key order)
    assert load_project(demo_project).procedures["damaged-order"].to_data() == original
    s.undo_stack.redo()
    s.undo_stack.redo()
    s.save()
    assert "instruction" not in file_steps(demo_project)
    reloaded = load_project(demo_project)
    assert reloaded.procedures["damaged-order"] == s.project.procedures["damaged-order"]


def test_typing_merges_into_one_undo_step_and_undo_to_saved_is_clean(demo_project):
    s = ProjectSession.open(demo_project)
    for text in ("A", "Ap", "Apo", "Apologise"):
        s.push(cmd.SetStepField(s, "damaged-order", "ask-order", "text", text))
    assert s.undo_stack.count() == 1
    assert s.project.procedures["damaged-order"].find_step("ask-order").text == "Apologise"
    assert s.is_dirty
    s.undo_stack.undo()
    assert not s.is_dirty


def test_branches_and_step_id_rename(demo_project):
    s = ProjectSession.open(demo_project)
    s.push(cmd.AddBranch(s, "damaged-order", "eligible", when="order.total > 100"))
    cond = s.project.procedures["damaged-order"].find_step("eligible")
    assert [b.when for b in cond.branches][-2:] == ["order.total > 100", "else"]
    s.push(cmd.SetStepField(s, "damaged-order", "amount", "id", "compute", merge=False))
    assert s.project.procedures["damaged-order"].find_step("compute") is not None
    s.undo_stack.undo()
    s.undo_stack.undo()
    assert s.project.procedures["damaged-order"].find_step("amount") is not None
    assert len(cond.branches) == 2


def test_rename_updates_references_and_undo_restores_files(demo_project):
    s = ProjectSession.open(demo_project)
    s.push(pc.rename_item(s, "connector", "get_order", "fetch_order"))
    s.save()
    assert not (demo_project / "connectors/get_order.yaml").exists()
    assert (demo_project / "connectors/fetch_order.yaml").exists()
    project = load_project(demo_project)
    assert project.procedures["damaged-order"].find_step("lookup").connector == "fetch_order"
    s.undo_stack.undo()
    s.save()
    project = load_project(demo_project)
    assert "get_order" in project.connectors and "fetch_order" not in project.connectors
    assert project.procedures["damaged-order"].find_step("lookup").connector == "get_order"


def test_procedure_rename_follows_switch_rules_and_simulations(demo_project):
    s = ProjectSession.open(demo_project)
    s.push(pc.rename_item(s, "procedure", "complaints", "formal-complaints"))
    s.push(pc.rename_item(s, "procedure", "damaged-order", "damaged"))
    s.save()
    project = load_project(demo_project)
    assert project.procedures["damaged"].switch_rules[0].to == "formal-complaints"
    assert project.simulations["crushed-pizza"].procedure == "damaged"


def test_duplicate_and_delete_are_undoable(demo_project):
    s = ProjectSession.open(demo_project)
    new_id, command = pc.duplicate_item(s, "procedure", "complaints")
    s.push(command)
    s.push(pc.delete_item(s, "knowledge", "refund-policy"))
    s.save()
    assert (demo_project / f"procedures/{new_id}.yaml").exists()
    assert not (demo_project / "knowledge/refund-policy.md").exists()
    s.undo_stack.undo()
    s.undo_stack.undo()
    s.save()
    assert not (demo_project / f"procedures/{new_id}.yaml").exists()
    assert (demo_project / "knowledge/refund-policy.md").exists()


def test_clipboard_yaml_dedupes_ids(demo_project):
    s = ProjectSession.open(demo_project)
    proc = s.project.procedures["damaged-order"]
    text = steps_to_yaml([proc.find_step("eligible")])
    pasted = steps_from_yaml(text, proc.step_ids())
    ids = [st.id for _, st in __import__("studio.core.steps", fromlist=["walk_steps"]).walk_steps(pasted)]
    assert not set(ids) & set(proc.step_ids())
    assert ids[0] == "eligible-2" and len(ids) == 6
    assert steps_from_yaml("not: [valid", []) == []


def test_recovery_roundtrip(demo_project, studio_home):
    s = ProjectSession.open(demo_project)
    s.push(cmd.SetStepField(s, "damaged-order", "ask-order", "text", "Recovered text"))
    Recovery(s, studio_home / "data").autosave()
    fresh = ProjectSession.open(demo_project)           # "after the crash"
    recovery = Recovery(fresh, studio_home / "data")
    assert recovery.pending() == ["procedures/damaged-order.yaml"]
    recovery.restore(recovery.pending())
    assert fresh.project.procedures["damaged-order"].find_step("ask-order").text == "Recovered text"
    assert fresh.is_dirty
    fresh.undo_stack.undo()
    assert not fresh.is_dirty
