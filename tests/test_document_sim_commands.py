"""Simulation edits are commands like procedure edits (no Qt): one per edit, typing in one
place merges, undo walks back edit by edit, the dirty state follows the stack, and the
library listener hears every edit."""
from __future__ import annotations

from library_fakes import make_project
from studio.document import commands as cmd
from studio.document.library_sync import LibrarySync
from studio.document.session import ProjectSession
from studio.document.sim_commands import SetSimulationField, changed_path
from studio.library import Library

KEY = ("simulation", "late-soup")


def _type(session, field, texts):
    for text in texts:
        session.push(SetSimulationField(session, "late-soup", field, text))


def test_typing_merges_per_place_and_undo_walks_back_edit_by_edit(tmp_path):
    root = make_project(tmp_path / "proj", {"late-soup": [], "cold-fries": []})
    session = ProjectSession.open(root)
    stack = session.undo_stack
    simulation = lambda: session.get("simulation", "late-soup")  # noqa: E731
    events: list[tuple[str, str]] = []
    session.item_changed.connect(lambda kind, key: events.append((kind, key)))

    _type(session, "description", ["S", "So", "Soup"])           # typing: one command
    assert stack.count() == 1 and simulation().description == "Soup"
    assert events == [KEY] * 3 and session.is_key_dirty(KEY)
    _type(session, "tags", [["late"]])                           # another field: a new command
    customer = simulation().customer.model_copy(update={"goal": "Get a refund"})
    session.push(SetSimulationField(session, "late-soup", "customer", customer))
    customer = customer.model_copy(update={"goal": "Get a refund now"})
    session.push(SetSimulationField(session, "late-soup", "customer", customer))   # same place
    customer = customer.model_copy(update={"persona": "In a hurry"})
    session.push(SetSimulationField(session, "late-soup", "customer", customer))   # another place
    assert stack.count() == 4

    stack.undo()
    assert simulation().customer.persona is None and simulation().customer.goal == "Get a refund now"
    stack.undo()
    assert simulation().customer.goal is None
    stack.undo()
    assert simulation().tags != ["late"] and simulation().description == "Soup"
    stack.undo()
    assert simulation().description is None
    assert not session.is_key_dirty(KEY) and not session.is_dirty     # back at the file: clean
    stack.redo()
    assert simulation().description == "Soup" and session.is_key_dirty(KEY)


def test_typing_back_to_the_start_drops_the_command_and_saving_cleans(tmp_path):
    root = make_project(tmp_path / "proj", {"late-soup": []})
    session = ProjectSession.open(root)
    old = session.get("simulation", "late-soup").name
    _type(session, "name", [old + "!", old])
    assert session.undo_stack.count() == 0 and not session.is_dirty
    _type(session, "name", ["Soup was late"])
    session.save([KEY])
    assert "Soup was late" in (root / "simulations" / "late-soup.yaml").read_text()
    assert not session.is_dirty
    session.undo_stack.undo()                             # the file has the new name: dirty
    assert session.get("simulation", "late-soup").name == old and session.is_dirty
    session.undo_stack.redo()
    assert not session.is_dirty


def test_the_library_hears_each_simulation_edit_and_its_undo(tmp_path):
    root = make_project(tmp_path / "proj", {"late-soup": []})
    session = ProjectSession.open(root)
    with Library.open(root) as library:
        sync = LibrarySync(session, library)
        _type(session, "name", ["Soup", "Soup was late"])
        assert library.get("Soup was late").source_file == "simulations/late-soup.yaml"
        _type(session, "tags", [["refunds"]])
        assert library.get("Soup was late").tags == ["refunds"]
        session.undo_stack.undo()
        session.undo_stack.undo()
        assert library.get("late-soup") is not None and library.get("Soup was late") is None
        sync.close()


def test_simulation_and_procedure_edits_share_one_history(tmp_path):
    root = make_project(tmp_path / "proj", {"late-soup": []})
    session = ProjectSession.open(root)
    procedure_id = next(iter(session.project.procedures))
    _type(session, "description", ["Soup"])
    session.push(cmd.SetProcedureField(session, procedure_id, "title", "New title"))
    assert session.undo_stack.undo_text() == "Edit title"
    session.undo_stack.undo()
    assert session.undo_stack.undo_text() == "Edit simulation description"


def test_changed_path_finds_the_one_place_that_changed():
    old = {"goal": "a", "script": ["hi", {"text": "photo", "attachments": []}]}
    assert changed_path(old, {**old, "goal": "ab"}) == ("goal",)
    new = {**old, "script": ["hi", {"text": "photo!", "attachments": []}]}
    assert changed_path(old, new) == ("script", 1, "text")
    assert changed_path(old, {**old, "script": ["hi"]}) == ("script",)     # a turn removed
    assert changed_path(old, {"goal": "b", "script": []}) == ()              # two places
    assert changed_path(old, {**old, "persona": "x"}) == ()                  # a field added
