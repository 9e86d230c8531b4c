"""History: diff between runs, coverage of the last run, stats per procedure and over time."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from library_fakes import FakeRunner, fake_result, make_project
from studio.core.project import load_project
from studio.library import Library, LibraryError
from studio.library.coverage_report import coverage_report, format_coverage
from studio.library.diff import diff_runs, format_diff
from studio.library.run_all import run_all
from studio.library.stats import format_stats, history, percentile, run_stats, series


class TagFlipRunner(FakeRunner):
    """Fails the names in `broken`: a procedure change as the fake runner sees it."""

    def __init__(self, broken=()):
        super().__init__()
        self.broken = set(broken)

    def __call__(self, project, simulation, *, options, cancel=None):
        tags = list(simulation.tags) + (["fail"] if simulation.name in self.broken else [])
        return fake_result(simulation.name, tags, options.repeat_index)


@pytest.fixture
def project_dir(tmp_path):
    return make_project(tmp_path / "proj", {"a": [], "b": [], "c": ["fail"], "d": []})


def test_diff_puts_regressions_first_and_names_the_failed_expectations(project_dir):
    project = load_project(project_dir)
    with Library.open(project_dir) as lib:
        with pytest.raises(LibraryError, match="need two runs"):
            diff_runs(lib)
        run_all(project, lib, runner=TagFlipRunner())
        lib.delete_simulation("d")
        from studio.core.simulation import Simulation
        lib.save_simulation(Simulation(name="e", procedure="refund"))
        (project_dir / "procedures" / "refund.yaml").write_text(
            (project_dir / "procedures" / "refund.yaml").read_text().replace(
                "title: Refund", "title: Refund v2"))
        project = load_project(project_dir)
        run_all(project, lib, runner=TagFlipRunner(broken={"a"}))
        diff = diff_runs(lib)
        assert [c.name for c in diff.regressions] == ["a"]
        change = diff.regressions[0]
        assert (change.before, change.after) == ("passed", "failed")
        assert change.expectations[0].type == "outcome"
        assert change.expectations[0].message == "expected outcome resolved, got handoff"
        assert (change.expectations[0].before, change.expectations[0].after) == ("pass", "fail")
        assert [c.name for c in diff.still_failing] == ["c"]
        assert [c.name for c in diff.new] == ["e"] and [c.name for c in diff.removed] == ["d"]
        assert diff.unchanged_passing == 1 and diff.changed_procedures == ["refund"]
        text = format_diff(diff)
        assert text.index("REGRESSIONS") < text.index("still failing")
        assert "expected outcome resolved, got handoff" in text

        run_all(load_project(project_dir), lib, runner=TagFlipRunner())
        fixed = diff_runs(lib)
        assert [c.name for c in fixed.fixes] == ["a"] and not fixed.regressions
        first = lib.runs()[-1].id
        assert [c.name for c in diff_runs(lib, first, lib.runs()[0].id).fixes] == []

    res = subprocess.run([sys.executable, "-m", "studio", "runs", "diff", str(project_dir), "1", "2"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 1 and "REGRESSIONS" in res.stdout and "outcome (pass -> fail)" in res.stdout
    res = subprocess.run([sys.executable, "-m", "studio", "runs", "show", str(project_dir), "2"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0 and "outcome: expected outcome resolved" in res.stdout
    res = subprocess.run([sys.executable, "-m", "studio", "runs", "list", str(project_dir), "--json"],
                         capture_output=True, text=True, timeout=60)
    assert [r["id"] for r in json.loads(res.stdout)["runs"]] == [3, 2, 1]


def test_coverage_is_the_union_of_the_last_run_and_lists_uncovered(project_dir):
    project = load_project(project_dir)
    with Library.open(project_dir) as lib:
        with pytest.raises(LibraryError, match="no runs yet"):
            coverage_report(project, lib)
        run_all(project, lib, simulations=["a", "b"], runner=FakeRunner())
        report = coverage_report(project, lib)
        refund = report.procedures[0]
        assert (refund.steps_covered, refund.steps_total) == (3, 4)
        assert refund.uncovered_steps == ["late"]
        assert refund.uncovered_branches == ["check#1", "check#none"]
        assert refund.branch_share == pytest.approx(1 / 3)
        run_all(project, lib, runner=FakeRunner())          # "c" fails: takes the other branch
        refund = coverage_report(project, lib).procedures[0]
        assert refund.uncovered_steps == [] and refund.uncovered_branches == ["check#none"]
        assert "uncovered branches: check#none" in format_coverage(coverage_report(project, lib))


def test_stats_per_procedure_per_run_and_over_time(project_dir):
    project = load_project(project_dir)
    with Library.open(project_dir) as lib:
        run_all(project, lib, runner=FakeRunner())
        run_all(project, lib, runner=FakeRunner(), repeat=2)
        stats = run_stats(lib)
        refund = stats.procedures[0]
        assert refund.procedure == "refund" and refund.triggered == 8
        assert (refund.resolved, refund.handoff, refund.unresolved) == (6, 2, 0)
        assert refund.avg_turns == 2
        assert refund.p50_duration_ms == 10.0 and refund.p95_duration_ms == 11.0
        assert refund.tokens is None and refund.tokens_unknown == 8    # unknown stays unknown
        assert refund.cost is None
        points = history(lib)
        assert [p.run_id for p in points] == [1, 2]
        assert series(points, "refund", "triggered") == [(1, 4), (2, 8)]
        assert series(points, "(all)", "passed") == [(1, 3), (2, 6)]
    assert percentile([], 0.5) is None and percentile([5.0], 0.95) == 5.0
    res = subprocess.run([sys.executable, "-m", "studio", "stats", str(project_dir), "--json",
                          "--history"], capture_output=True, text=True, timeout=60)
    data = json.loads(res.stdout)
    assert data["run"]["procedures"][0]["handoff"] == 2 and len(data["history"]) == 2


def run_stats_json(project_dir) -> dict:
    res = subprocess.run([sys.executable, "-m", "studio", "stats", str(project_dir), "--json"],
                         capture_output=True, text=True, timeout=60)
    return json.loads(res.stdout)["run"]["procedures"][0]


def test_stats_keep_unknown_tokens_and_cost_apart_from_zero(project_dir, capsys):
    known = {"a": (120, 0.002), "b": (0, 0.0), "c": (None, None), "d": (30, None)}

    def runner(project, simulation, *, options, cancel=None):
        tokens, cost = known[simulation.name]
        return fake_result(simulation.name, simulation.tags).model_copy(
            update={"tokens": tokens, "cost": cost, "duration_ms": 10.0 * (ord(simulation.name) - 96)})
    with Library.open(project_dir) as lib:
        run_all(load_project(project_dir), lib, runner=runner)
        refund = run_stats(lib).procedures[0]
        assert (refund.tokens, refund.tokens_unknown) == (150, 1)
        assert (refund.cost, refund.cost_unknown) == (pytest.approx(0.002), 2)
        assert (refund.p50_duration_ms, refund.p95_duration_ms) == (20.0, 40.0)
        text = format_stats(run_stats(lib))
    # a sum over only the results that knew it reads as a lower bound, never as the whole
    assert "≥150" in text and "≥0.0020" in text and "a lower bound" in text
    partial = run_stats_json(project_dir)
    assert partial["cost"] == pytest.approx(0.002)
    assert partial["cost_complete"] is False and partial["tokens_complete"] is False
    only_zero = {"a": (0, 0.0), "b": (0, 0.0), "c": (0, 0.0), "d": (0, 0.0)}
    known.update(only_zero)
    with Library.open(project_dir) as lib:
        run_all(load_project(project_dir), lib, runner=runner)
        refund = run_stats(lib).procedures[0]
        assert (refund.tokens, refund.tokens_unknown, refund.cost, refund.cost_unknown) == (0, 0, 0.0, 0)
        assert "unknown" not in format_stats(run_stats(lib))
    from studio.cli import main
    assert main(["stats", str(project_dir), "--history"]) == 0
    over_time = capsys.readouterr().out.split("over time", 1)[1].splitlines()
    assert "p95 ms" in over_time[1] and "tokens" in over_time[1]
    assert over_time[2].split()[0] == "1" and "≥150" in over_time[2]
    assert any("a lower bound" in line for line in over_time)
    assert over_time[3].split()[0] == "2" and over_time[3].split()[-2:] == ["0", "0.0000"]


def test_stats_lower_bound_counts_the_priced_part_of_a_partly_unknown_cost(project_dir):
    """A result whose cost is unknown only in part keeps that part: stored, loaded and in
    stats' '≥' figure, which so matches what run-all printed."""
    priced = {"a": (100, 0.001, None), "b": (50, None, 0.003), "c": (20, None, None),
              "d": (10, 0.0005, None)}

    def runner(project, simulation, *, options, cancel=None):
        tokens, cost, known = priced[simulation.name]
        return fake_result(simulation.name, []).model_copy(
            update={"tokens": tokens, "cost": cost, "cost_known": known})
    from studio.cli.cmd_run_all import usage_text
    with Library.open(project_dir) as lib:
        summary = run_all(load_project(project_dir), lib, runner=runner)
        printed = usage_text(summary)
        stored = {r.simulation: r.result for r in lib.results(summary.run_id)}
        assert (stored["b"].cost, stored["b"].cost_known) == (None, pytest.approx(0.003))
        assert stored["c"].cost_known is None and stored["a"].cost_known is None
        light = {r.simulation: r.result for r in lib.results(summary.run_id, light=True)}
        assert light["b"].cost_known == pytest.approx(0.003)
        refund = run_stats(lib).procedures[0]
        assert (refund.cost, refund.cost_unknown) == (pytest.approx(0.0045), 2)
        text = format_stats(run_stats(lib))
    assert "≥ $0.0045" in printed and "≥0.0045" in text and "a lower bound" in text
    assert run_stats_json(project_dir)["cost_complete"] is False
