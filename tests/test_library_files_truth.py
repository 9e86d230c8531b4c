"""The files in simulations/ are the source of truth: a file added, changed, renamed or
deleted is what the library lists at the next open (the next run); history is kept."""
from __future__ import annotations

import subprocess
import sys

from library_fakes import FakeRunner, make_project, write_simulation
from studio.core.project import load_project
from studio.library import Library
from studio.library.run_all import run_all


def names(root) -> list[str]:
    with Library.open(root) as lib:
        return [r.name for r in lib.simulations()]


def test_a_deleted_file_leaves_the_list_and_run_all_but_its_history_stays(tmp_path):
    root = make_project(tmp_path / "proj", {"a": [], "b": [], "c": []})
    with Library.open(root) as lib:
        run_all(load_project(root), lib, runner=FakeRunner())
    (root / "simulations" / "b.yaml").unlink()
    with Library.open(root) as lib:
        assert [r.name for r in lib.simulations()] == ["a", "c"]
        summary = run_all(load_project(root), lib, runner=FakeRunner())
        assert summary.total == 2
        history = lib.query("SELECT DISTINCT simulation FROM results ORDER BY simulation")
        assert [r["simulation"] for r in history] == ["a", "b", "c"]
        assert any(e["action"] == "simulation.file-deleted" for e in lib.audit_log())


def test_added_changed_and_renamed_files_are_picked_up(tmp_path):
    root = make_project(tmp_path / "proj", {"a": [], "b": []})
    assert names(root) == ["a", "b"]
    write_simulation(root, "new-one", ["fresh"])                        # added
    write_simulation(root, "a", ["edited"])                             # changed
    (root / "simulations" / "b.yaml").rename(root / "simulations" / "b-renamed.yaml")
    with Library.open(root) as lib:
        assert [r.name for r in lib.simulations()] == ["a", "b", "new-one"]
        assert lib.get("a").tags == ["edited"]
        assert lib.get("b").source_file == "simulations/b-renamed.yaml"   # one row, new file
    (root / "simulations" / "b-renamed.yaml").unlink()
    assert names(root) == ["a", "new-one"]


def studio(*args):
    return subprocess.run([sys.executable, "-m", "studio", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_sim_delete_removes_the_file_and_the_simulation(tmp_path):
    root = make_project(tmp_path / "proj", {"late-soup": [], "cold-fries": []})
    names(root)
    done = studio("sim", "delete", root, "late-soup")
    assert done.returncode == 0, done.stderr
    assert "late-soup" in done.stdout
    assert not (root / "simulations" / "late-soup.yaml").exists()
    assert names(root) == ["cold-fries"]
    unknown = studio("sim", "delete", root, "no-such-simulation")
    assert unknown.returncode == 2 and "sim list" in unknown.stderr
    assert (root / "simulations" / "cold-fries.yaml").exists()
