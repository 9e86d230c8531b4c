"""Every query behind the library reports (runs list/show/diff, coverage, stats, --failed,
the GUI's library table) reads `results` through an index: a query that scans every result
once per simulation made coverage of 20,000 simulations take minutes."""
from __future__ import annotations

import sqlite3

import pytest

from library_fakes import FakeRunner, make_project
from studio.core.project import load_project
from studio.library import Library
from studio.library.coverage_report import coverage_report
from studio.library.diff import diff_runs
from studio.library.run_all import failed_in_last_run, run_all
from studio.library.stats import run_stats


def traced_selects(lib: Library, work) -> list[str]:
    seen: list[str] = []
    conn = lib.db.conn
    conn.set_trace_callback(seen.append)
    try:
        work()
    finally:
        conn.set_trace_callback(None)
    return [s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH")) and "results" in s]


def plan(conn: sqlite3.Connection, sql: str) -> list[str]:
    return [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]


@pytest.fixture
def library(tmp_path):
    root = make_project(tmp_path / "proj", {f"sim-{i:02}": (["fail"] if i % 3 == 0 else [])
                                            for i in range(12)})
    project = load_project(root)
    with Library.open(root) as lib:
        run_all(project, lib, runner=FakeRunner())
        run_all(project, lib, runner=FakeRunner())
        yield project, lib


def test_report_queries_never_scan_the_results_table(library):
    project, lib = library
    latest = lib.latest_run().id
    selects = traced_selects(lib, lambda: (
        lib.runs(), lib.results(latest), lib.results(latest, light=True),
        diff_runs(lib), diff_runs(lib, latest - 1, latest), coverage_report(project, lib),
        coverage_report(project, lib, latest), run_stats(lib, latest), failed_in_last_run(lib),
        lib.latest_verdicts(), lib.latest_result_rows(), lib.latest_results(in_library=True),
        lib.simulation_history("sim-01")))
    assert len(selects) >= 10
    for sql in selects:
        steps = plan(lib.db.conn, sql)
        scans = [s for s in steps if s.startswith("SCAN") and " results" in f" {s.split()[1]}"
                 and "COVERING INDEX" not in s]
        assert not scans, f"{sql}\n  scans every result: {steps}"


def test_latest_in_library_uses_exists_not_a_list_rebuilt_per_row(library):
    _project, lib = library
    sql = traced_selects(lib, lambda: lib.latest_results(in_library=True))[0]
    steps = plan(lib.db.conn, sql)
    assert any("idx_simulations_name" in s for s in steps)
    assert not any("LIST SUBQUERY" in s or "FOR IN-OPERATOR" in s for s in steps), steps


def test_verdicts_and_coverage_of_a_passing_library_are_read_from_indexes_alone(tmp_path):
    """A result row holds its transcript and trace: `runs diff`, `coverage` and --failed on a
    library that passes read no result row at all (at 20,000 simulations x 3 runs the
    table is 600 MB; reading statuses from it took seconds)."""
    root = make_project(tmp_path / "proj", {f"sim-{i:02}": [] for i in range(12)})
    project = load_project(root)
    with Library.open(root) as lib:
        run_all(project, lib, runner=FakeRunner())
        run_all(project, lib, runner=FakeRunner())
        latest = lib.latest_run().id
        selects = traced_selects(lib, lambda: (
            diff_runs(lib), diff_runs(lib, latest - 1, latest), coverage_report(project, lib),
            failed_in_last_run(lib), lib.latest_verdicts()))
        assert len(selects) >= 5
        for sql in selects:
            steps = plan(lib.db.conn, sql)
            rows_read = [s for s in steps if s.startswith(("SCAN", "SEARCH"))
                         and "COVERING INDEX" not in s
                         and (s.split()[1] in ("results", "r") or "USING INDEX" in s
                              or "PRIMARY KEY" in s)]
            assert not rows_read, f"{sql}\n  reads result rows: {steps}"
