"""The library follows simulation edits, undo and redo through session events, without Qt."""
from __future__ import annotations

from library_fakes import make_project
from studio.document import project_commands as pc
from studio.document.library_sync import LibrarySync
from studio.document.session import ProjectSession
from studio.library import Library


def test_library_rows_follow_edits_undo_redo_and_deletes(tmp_path):
    root = make_project(tmp_path / "proj", {"late-soup": [], "cold-fries": []})
    session = ProjectSession.open(root)
    with Library.open(root) as library:
        sync = LibrarySync(session, library)
        renamed = session.get("simulation", "late-soup").model_copy(update={"name": "Soup was late"})
        session.push(pc.replace_item(session, "simulation", "late-soup", renamed, merge=False))
        assert library.get("Soup was late").source_file == "simulations/late-soup.yaml"
        assert library.get("late-soup") is None                 # renamed, not copied
        session.undo_stack.undo()
        assert library.get("late-soup") is not None and library.get("Soup was late") is None
        session.push(pc.delete_item(session, "simulation", "cold-fries"))
        assert library.get("cold-fries") is None
        session.undo_stack.undo()
        assert library.get("cold-fries") is not None
        session.undo_stack.redo()
        session.save()                                          # the file goes, the folder agrees
        assert not (root / "simulations" / "cold-fries.yaml").exists()
        assert [r.name for r in library.simulations()] == ["late-soup"]
        clash = session.get("simulation", "late-soup").model_copy(update={"name": "late-soup"})
        assert sync.clash("other", clash) is not None and sync.clash("late-soup", clash) is None
        sync.close()
