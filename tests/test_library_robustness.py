"""Robustness: migrations keep data, a second Studio gets a clear message, a corrupt file
is named with its fix, and kill -9 during run-all loses no finished result."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlite_utils

from library_fakes import make_project
from studio.core.simulation import Simulation
from studio.library import Library, LibraryCorrupt, LibraryError, LibraryInUse, LibraryReadOnly
from studio.library import schema

TESTS = Path(__file__).resolve().parent


def studio(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "studio", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def test_a_library_made_by_the_first_schema_is_migrated_with_its_data(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    db = sqlite_utils.Database(root / "library.sqlite")
    schema.migrations.apply(db, stop_before="m002_search")
    assert schema.stored_version(db) == 1
    db["simulations"].insert({"name": "old one", "procedure": "refund", "tags": '["legacy"]',
                              "spec": '{"schema": "simulation/v1", "name": "old one", '
                                      '"customer": {"script": ["my parcel is lost"]}}',
                              "created": "2024-01-01", "updated": "2024-01-01"})
    run_id = db["runs"].insert({"started": "2024-01-01", "status": "complete", "repeat": 1,
                                "total": 1, "passed": 1, "failed": 0, "errors": 0,
                                "planned": '[["old one", 0]]'}).last_pk
    db["results"].insert({"run_id": run_id, "simulation": "old one", "repeat_index": 0,
                          "status": "passed", "duration_ms": 5.0, "turns": 1,
                          "expectations": "[]", "coverage": "{}"})
    db.close()

    with Library.open(root) as lib:
        assert schema.stored_version(lib.db) == schema.SCHEMA_VERSION
        assert ["source_file"] in [ix.columns for ix in lib.db["simulations"].indexes]
        assert lib.get("old one").tags == ["legacy"]
        assert [r.name for r in lib.search("legacy")] == ["old one"]     # old rows indexed
        results = lib.results(run_id)
        assert results[0].result.status == "passed" and results[0].result.triggered is None
        assert "cost_known" in lib.db["results"].columns_dict
        assert results[0].result.cost is None and results[0].result.cost_known is None
        lib.save_simulation(Simulation(name="new one", customer={"script": ["lost parcel"]}))
        assert {r.name for r in lib.search("parcel")} == {"new one"}
    with Library.open(root) as lib:                                      # idempotent
        assert lib.simulation_count() == 2


def test_a_library_before_cost_known_keeps_its_costs_and_stores_the_new_field(tmp_path):
    """Schema 5 had no `cost_known`: its priced results keep their cost after the upgrade,
    and a partly priced result stored afterwards keeps its known part."""
    from studio.library.stats import run_stats
    from studio.simulate.result import SimulationResult
    root = make_project(tmp_path / "proj", 1)
    db = sqlite_utils.Database(root / "library.sqlite")
    schema.migrations.apply(db, stop_before="m006_result_cost_known")
    assert schema.stored_version(db) == 5 and "cost_known" not in db["results"].columns_dict
    run_id = db["runs"].insert({"started": "2024-01-01", "status": "complete", "repeat": 1,
                                "total": 1, "passed": 1, "failed": 0, "errors": 0,
                                "planned": '[["sim-00", 0]]'}).last_pk
    db["results"].insert({"run_id": run_id, "simulation": "sim-00", "repeat_index": 0,
                          "status": "passed", "duration_ms": 5.0, "turns": 1, "tokens": 40,
                          "cost": 0.25, "triggered": "refund", "outcome": "resolved",
                          "expectations": "[]", "coverage": "{}"})
    db.close()

    with Library.open(root) as lib:
        assert schema.stored_version(lib.db) == schema.SCHEMA_VERSION >= 6
        old = lib.results(run_id)[0].result
        assert (old.tokens, old.cost, old.cost_known) == (40, 0.25, None)
        assert run_stats(lib, run_id).total.cost == 0.25
        new_run = lib.start_run(engine="gpt", model="gpt", revisions={}, filters={},
                                planned=[("sim-00", 0)])
        lib.add_result(new_run, SimulationResult(simulation="sim-00", status="passed",
                                                 triggered="refund", tokens=9, cost=None,
                                                 cost_known=0.125))
        lib.finish_run(new_run, "complete")
    with Library.open(root) as lib:
        new = lib.results(new_run)[0].result
        assert (new.cost, new.cost_known) == (None, 0.125)
        total = run_stats(lib, new_run).total
        assert (total.cost, total.cost_unknown) == (0.125, 1)


def test_a_library_from_a_newer_studio_is_refused_not_damaged(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    with Library.open(root) as lib:
        lib.write(lambda db: db.execute("UPDATE schema_version SET version = 99"))
    with pytest.raises(LibraryError, match="newer Procedure Studio"):
        Library.open(root)


def test_second_instance_gets_a_clear_message_and_can_still_read(tmp_path):
    root = make_project(tmp_path / "proj", 2)
    first = Library.open(root)
    try:
        with pytest.raises(LibraryInUse) as info:
            Library.open(root)
        message = str(info.value)
        assert f"pid {os.getpid()}" in message and "--force-read-only" in message
        with Library.open(root, read_only=True) as reader:
            assert reader.simulation_count() == 2
            with pytest.raises(LibraryReadOnly):
                reader.delete_simulation("sim-00")
        res = studio("sim", "list", root)
        assert res.returncode == 2 and "in use by another Procedure Studio" in res.stderr
        res = studio("sim", "list", root, "--force-read-only")
        assert res.returncode == 0 and "sim-01" in res.stdout
    finally:
        first.close()
    Library.open(root).close()           # released on close


def test_lock_held_by_another_process_names_its_pid(tmp_path):
    root = make_project(tmp_path / "proj", 1)
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys
            from studio.library import Library
            lib = Library.open({str(root)!r})
            print("ready", flush=True)
            sys.stdin.readline()
            """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(LibraryInUse) as info:
            Library.open(root)
        assert info.value.pid == holder.pid
    finally:
        holder.kill()
        holder.wait()
    Library.open(root).close()           # the OS dropped the dead holder's lock


@pytest.mark.parametrize("damage", ["not-sqlite", "bad-pages"])
def test_corrupt_library_names_the_file_and_rebuild_restores_it(tmp_path, damage):
    root = make_project(tmp_path / "proj", 3)
    path = root / "library.sqlite"
    if damage == "not-sqlite":
        path.write_text("this is not a database\n" * 50)
    else:
        Library.open(root).close()
        data = bytearray(path.read_bytes())
        data[100:] = b"\xff" * (len(data) - 100)
        path.write_bytes(bytes(data))
    with pytest.raises(LibraryCorrupt) as info:
        Library.open(root)
    assert str(path) in str(info.value) and f"studio sim rebuild {root}" in str(info.value)
    res = studio("run-all", root)
    assert res.returncode == 2 and "studio sim rebuild" in res.stderr

    res = studio("sim", "rebuild", root)
    assert res.returncode == 0, res.stderr
    assert "3 simulation(s)" in res.stdout
    assert len(list(root.glob("library.sqlite.broken-*"))) >= 1
    with Library.open(root) as lib:
        assert lib.simulation_count() == 3


KILL_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from library_fakes import FakeRunner
import studio.library.run_all as ra
ra.load_default_runner = lambda: FakeRunner(delay=0.04)
from studio.cli import main
sys.exit(main(["run-all", {root!r}, "--concurrency", "2"] + sys.argv[1:]))
"""


def test_kill_9_during_run_all_loses_no_finished_result_and_resume_finishes(tmp_path):
    root = make_project(tmp_path / "proj", 60)
    script = tmp_path / "run.py"
    script.write_text(KILL_SCRIPT.format(tests=str(TESTS), root=str(root)))
    proc = subprocess.Popen([sys.executable, str(script)], stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True)
    reported = []
    for line in proc.stderr:
        if line.startswith("[") and ": " in line and "run " not in line:
            reported.append(line.split(": ", 1)[1].strip())
        if len(reported) >= 6:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    conn = sqlite3.connect(root / "library.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {r[0] for r in conn.execute("SELECT simulation FROM results")}
        assert set(reported) <= stored                 # every reported result was committed
        assert len(stored) < 60
        assert conn.execute("SELECT status FROM runs").fetchone()[0] == "running"
    finally:
        conn.close()

    with Library.open(root) as lib:
        assert lib.latest_run().status == "interrupted"
    res = subprocess.run([sys.executable, str(script), "--resume"], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    with Library.open(root) as lib:
        runs = lib.runs()
        assert len(runs) == 1 and runs[0].status == "complete" and runs[0].passed == 60
        rows = lib.query("SELECT simulation, count(*) AS n FROM results GROUP BY simulation")
        assert len(rows) == 60 and all(r["n"] == 1 for r in rows)


CRASH_SCRIPT = """
import os, sys
sys.path.insert(0, {tests!r})
from library_fakes import FakeRunner
from studio.core.project import load_project
from studio.library import Library
from studio.library.run_all import run_all
library = Library.open({root!r})
run_all(load_project({root!r}), library, runner=FakeRunner())
os._exit(0)            # a crash: the write-ahead log is never folded into the file
"""


def test_rebuild_leaves_one_self_contained_file_beside_the_new_library(tmp_path):
    root = make_project(tmp_path / "proj", 3)
    script = tmp_path / "crash.py"
    script.write_text(CRASH_SCRIPT.format(tests=str(TESTS), root=str(root)))
    subprocess.run([sys.executable, str(script)], check=True, timeout=60)
    assert (root / "library.sqlite-wal").stat().st_size > 0     # the results live only there

    from studio.library.sim_io import rebuild
    moved, library, _ = rebuild(root)
    library.close()
    assert sorted(p.name for p in root.glob(moved.name + "*")) == [moved.name]   # no -wal/-shm
    conn = sqlite3.connect(f"file:{moved}?mode=ro", uri=True)
    try:                                                # the crashed run's results were kept
        assert conn.execute("SELECT count(*) FROM results").fetchone()[0] == 3
    finally:
        conn.close()


def test_rebuild_moves_the_log_of_a_file_too_damaged_to_fold_it_in(tmp_path):
    root = make_project(tmp_path / "proj", 2)
    (root / "library.sqlite").write_bytes(b"garbage" * 100)
    (root / "library.sqlite-wal").write_bytes(b"last writes" * 10)
    from studio.library.sim_io import rebuild
    moved, library, _ = rebuild(root)
    with library:
        assert library.simulation_count() == 2
    assert (moved.parent / (moved.name + "-wal")).read_bytes() == b"last writes" * 10
    assert not (moved.parent / (moved.name + "-shm")).exists()


def test_damage_found_after_opening_gets_the_rebuild_message_not_an_internal_error(tmp_path):
    root = make_project(tmp_path / "proj", 30)
    from library_fakes import FakeRunner
    from studio.core.project import load_project
    from studio.library.run_all import run_all
    with Library.open(root) as lib:
        run_all(load_project(root), lib, runner=FakeRunner(), repeat=20)
    path = root / "library.sqlite"
    data = bytearray(path.read_bytes())
    pages = len(data) // 4096
    for page in range(pages // 2, pages - 1):          # the results' pages, past the schema
        data[page * 4096:(page + 1) * 4096] = b"\x07" * 4096
    path.write_bytes(bytes(data))
    for command in (["runs", "show", root, "1"], ["stats", root], ["coverage", root]):
        res = studio(*command)
        assert res.returncode == 2, (command, res.stderr)
        assert "the simulation library is damaged" in res.stderr, (command, res.stderr)
        assert f"studio sim rebuild {root}" in res.stderr and "internal error" not in res.stderr
    assert studio("sim", "rebuild", root).returncode == 0
    with Library.open(root) as lib:
        assert lib.simulation_count() == 30 and lib.runs() == []
