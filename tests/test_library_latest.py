"""After a filtered run (only the failures, one tag, a few names), coverage and the default
diff speak of each simulation's latest result, not only of what the last run happened to
include; procedure revisions come from the models in memory (the GUI's unsaved edits)."""
from __future__ import annotations

import json

import pytest

from library_fakes import fake_result, make_project
from studio.cli import main
from studio.core.project import load_project
from studio.library import Library
from studio.library.coverage_report import coverage_report, format_coverage
from studio.library.diff import diff_runs, format_diff
from studio.library.revisions import PREFIX, procedure_revisions, revision_changed, scheme
from studio.library.run_all import run_all, select_simulations


class Verdicts:
    """Fails exactly the names in `failing`: what a procedure change does, as a fake."""

    def __init__(self, *failing: str):
        self.failing = set(failing)

    def __call__(self, project, simulation, *, options, cancel=None):
        tags = ["fail"] if simulation.name in self.failing else []
        return fake_result(simulation.name, tags, options.repeat_index)


@pytest.fixture
def project_dir(tmp_path):
    return make_project(tmp_path / "proj", {"a": [], "b": [], "c": [], "d": []})


def test_coverage_after_rerunning_only_failures_still_counts_the_rest(project_dir, capsys):
    project = load_project(project_dir)
    with Library.open(project_dir) as lib:
        run_all(project, lib, runner=Verdicts("c"))                  # run 1: all four
        failed = select_simulations(lib, failed=True)
        assert [r.name for r in failed] == ["c"]
        run_all(project, lib, simulations=failed, runner=Verdicts(), filters={"failed": True})

        report = coverage_report(project, lib)                       # default: latest of each
        refund = report.procedures[0]
        assert report.mode == "latest" and report.runs == [2, 1] and report.simulations == 4
        assert refund.uncovered_steps == ["late"]                    # c now passes: no handoff
        assert (refund.steps_covered, refund.steps_total, refund.simulations) == (3, 4, 4)
        text = format_coverage(report)
        assert "latest result of each of 4 simulation(s), from runs 2, 1" in text
        assert "filtered" in text

        only_run_2 = coverage_report(project, lib, run_id=2)         # --run keeps one run
        assert only_run_2.mode == "run" and only_run_2.runs == [2]
        assert only_run_2.procedures[0].simulations == 1
        assert format_coverage(only_run_2).startswith("coverage of run 2 ")

        lib.delete_simulation("a")                                   # gone: not counted
        from studio.core.simulation import Simulation
        lib.save_simulation(Simulation(name="e", procedure="refund"))
        report = coverage_report(project, lib)
        assert report.simulations == 3 and report.not_run == 1
        assert "1 simulation(s) never run are not counted" in format_coverage(report)

    assert main(["coverage", str(project_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["mode"] == "latest" and data["runs"] == [2, 1] and data["not_run"] == 1
    assert main(["coverage", str(project_dir), "--run", "2"]) == 0
    assert capsys.readouterr().out.startswith("coverage of run 2 ")
    assert main(["coverage", str(project_dir), "--run", "9"]) == 2
    assert "there is no run 9" in capsys.readouterr().err


def test_default_diff_compares_each_rerun_simulation_with_its_previous_result(project_dir, capsys):
    project = load_project(project_dir)
    with Library.open(project_dir) as lib:
        run_all(project, lib, runner=Verdicts("c"))                            # run 1
        run_all(project, lib, simulations=["c"], runner=Verdicts(),            # run 2: fixed
                filters={"failed": True})
        diff = diff_runs(lib)
        assert diff.baseline == "previous" and diff.before_runs == [1]
        assert [c.name for c in diff.fixes] == ["c"]
        assert not diff.removed and not diff.regressions and diff.unchanged_passing == 0
        assert "each simulation against its previous result (from run 1)" in format_diff(diff)

        whole = diff_runs(lib, 1, 2)                   # two ids: the runs as wholes
        assert whole.baseline == "run" and [c.name for c in whole.removed] == ["a", "b", "d"]

        run_all(project, lib, simulations=["a", "c"], runner=Verdicts("a"))   # run 3
        diff = diff_runs(lib)
        assert diff.before_runs == [2, 1] and diff.before.id == 2
        assert [(c.name, c.before_run) for c in diff.regressions] == [("a", 1)]
        assert diff.unchanged_passing == 1                                     # c, vs run 2
        assert {c.name for c in diff.still_failing + diff.new + diff.removed} == set()
        text = format_diff(diff)
        assert "a  [refund]  passed -> failed  (vs run 1)" in text
        assert "(from runs 2, 1)" in text

    assert main(["runs", "diff", str(project_dir)]) == 1                      # a regression
    assert "REGRESSIONS" in capsys.readouterr().out
    assert main(["runs", "diff", str(project_dir), "2"]) == 0                 # run 2 vs previous
    assert "fixed: 1" in capsys.readouterr().out
    assert main(["runs", "diff", str(project_dir), "1", "3"]) == 1
    out = capsys.readouterr().out
    assert "run 1 (" in out and "removed: 2" in out
    assert main(["runs", "diff", str(project_dir), "1", "2", "3"]) == 2


def test_revisions_come_from_the_models_in_memory(project_dir):
    project = load_project(project_dir)
    with Library.open(project_dir) as lib:
        first = run_all(project, lib, runner=Verdicts())
        revision = lib.run(first.run_id).revisions["refund"]
        assert scheme(revision) == "sha256" and len(revision) == 64      # full sha256

        path = project_dir / "procedures" / "refund.yaml"       # a comment: same procedure
        path.write_text("# reformatted\n" + path.read_text())
        run_all(load_project(project_dir), lib, runner=Verdicts())
        assert diff_runs(lib).changed_procedures == []

        project.procedures["refund"].title = "Refund (unsaved edit)"   # GUI edit, not saved
        run_all(project, lib, runner=Verdicts("b"))
        diff = diff_runs(lib)
        assert diff.changed_procedures == ["refund"]
        assert "procedures changed: refund" in format_diff(diff)
        assert [c.name for c in diff.regressions] == ["b"]
        assert lib.latest_run().revisions["refund"] == procedure_revisions(project)["refund"]
        assert coverage_report(project, lib).procedures[0].stale == 0

        run_all(project, lib, simulations=["a"], runner=Verdicts())
        project.procedures["refund"].title = "Refund, edited again"
        refund = coverage_report(project, lib).procedures[0]
        assert refund.stale == 4                      # every latest result predates this edit
        assert "4 of them ran an older version" in format_coverage(coverage_report(project, lib))

    assert not revision_changed("0123456789abcdef", revision)    # older file-hash scheme: unknown
    assert not revision_changed(PREFIX + "0" * 16, revision)     # older model-hash scheme: unknown
    assert revision_changed(None, revision) and revision_changed(revision, "0" * 64)
    assert revision_changed(PREFIX + "0" * 16, PREFIX + "1" * 16)


def test_latest_result_rows_are_each_simulations_latest_results_as_plain_rows(project_dir):
    project = load_project(project_dir)
    with Library.open(project_dir) as lib:
        run_all(project, lib, runner=Verdicts("c"), repeat=2)             # run 1: all, twice
        run_all(project, lib, simulations=select_simulations(lib, failed=True),
                runner=Verdicts())                                         # run 2: only c
        rows = lib.latest_result_rows()
    assert [(r["simulation"], r["repeat_index"], r["run_id"], r["status"]) for r in rows] == [
        ("a", 0, 1, "passed"), ("a", 1, 1, "passed"), ("b", 0, 1, "passed"),
        ("b", 1, 1, "passed"), ("c", 0, 2, "passed"), ("d", 0, 1, "passed"), ("d", 1, 1, "passed")]
    assert set(rows[0]) == {"simulation", "repeat_index", "status", "error", "error_code",
                            "duration_ms", "run_id"}
