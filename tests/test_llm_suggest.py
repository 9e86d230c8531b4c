"""The offline branch generator: one simulation per path, 100% branch coverage on
the samples where conditions are solvable, and a list of what it could not reach."""
from __future__ import annotations

import json

import pytest

from studio.cli import main
from studio.core.project import load_project
from studio.core.validate import validate_simulation
from studio.simulate.coverage import coverage_universe
from studio.simulate.runner import run_simulation
from studio.simulate.suggest import suggest_simulations
from studio.simulate.suggest_values import sample_for_pattern

SAMPLES = ["food-delivery", "card-payments", "subscriptions"]


@pytest.mark.parametrize("sample", SAMPLES)
def test_full_branch_coverage_on_samples(sample, sample_copy):
    project = load_project(sample_copy(sample))
    for pid, procedure in project.procedures.items():
        report = suggest_simulations(project, pid)
        assert not report.unreached, (pid, report.unreached)
        assert report.branch_coverage == 1.0, pid
        # independently: run every suggestion offline; together they cover every branch
        _, branches = coverage_universe(procedure)
        seen: set[str] = set()
        for suggestion in report.suggestions:
            result = run_simulation(project, suggestion.simulation)
            assert result.status == "passed", (suggestion.simulation.name, result.error,
                                               result.failed_expectations)
            seen |= set(result.coverage.get(pid).branches)
        assert seen >= set(branches), (pid, set(branches) - seen)
        names = [s.simulation.name for s in report.suggestions]
        assert len(names) == len(set(names))


def test_solves_comparisons_and_segments(sample_copy):
    project = load_project(sample_copy("food-delivery"))
    report = suggest_simulations(project, "damaged-order")
    by_branch = {b: s.simulation for s in report.suggestions for b in s.branches}
    late = by_branch["eligible#1"].fixtures.connectors["get_order"]
    assert late["status"] == "delivered" and late["hours_since_delivery"] > 24
    pro = by_branch["pro-perk#0"]
    assert project.settings.segments[pro.customer.segment]["plan"] == "pro"
    approval = next(s.simulation for s in report.suggestions if "approve" in s.steps)
    assert approval.fixtures.connectors["get_order"]["total"] > 50     # refund > 50 via code
    assert by_branch["eligible#2"].expect.outcome == "unresolved"


def test_lists_what_it_cannot_satisfy(sample_copy):
    root = sample_copy("food-delivery")
    path = root / "procedures" / "cancel-order.yaml"
    text = path.read_text()
    text = text.replace('when: order.status == "out_for_delivery"',
                        'when: order.status == "out_for_delivery" and order.status == "lost"')
    path.write_text(text)
    project = load_project(root)
    report = suggest_simulations(project, "cancel-order")
    targets = {u.target: u for u in report.unreached}
    assert "status#1" in targets
    assert any("lost" in c for c in targets["status#1"].conditions)
    assert report.branch_coverage < 1.0
    assert all(run_simulation(project, s.simulation).status == "passed" for s in report.suggestions)


def test_pattern_samples():
    assert sample_for_pattern(r"FD-\d{6}") == "FD-123456"
    assert sample_for_pattern(r"\b\d{4}\b") == "1234"
    assert sample_for_pattern(r"(CARD|ACC)-[A-Z]{2}") == "CARD-AA"


def test_cli_prints_and_writes_valid_simulations(sample_copy, capsys):
    root = sample_copy("food-delivery")
    assert main(["suggest", str(root), "late-delivery"]) == 0
    out = capsys.readouterr()
    assert "schema: simulation/v1" in out.out and "branch coverage 6/6 (100%)" in out.err
    assert main(["suggest", str(root), "late-delivery", "--write", "-q"]) == 0
    written = sorted((root / "simulations").glob("suggested-late-delivery-*.yaml"))
    assert len(written) == 4
    project = load_project(root)
    for path in written:
        assert not [p for p in validate_simulation(project, path.stem) if p.severity == "error"]
        assert run_simulation(project, project.simulations[path.stem]).status == "passed"
    assert main(["suggest", str(root), "late-delivery", "--write", "-q"]) == 0   # no overwrite
    assert len(sorted((root / "simulations").glob("suggested-late-delivery-*.yaml"))) == 8
    assert main(["suggest", str(root), "nope"]) == 2


@pytest.mark.parametrize("sample", SAMPLES)
def test_written_suggestions_validate_and_pass_run_all(sample, sample_copy, tmp_path, capsys):
    root = sample_copy(sample)
    for pid in sorted(load_project(root).procedures):
        assert main(["suggest", str(root), pid, "--write", "-q"]) == 0, pid
    written = sorted((root / "simulations").glob("suggested-*.yaml"))
    assert written
    capsys.readouterr()
    assert main(["validate", str(root), "--json"]) == 0
    about_them = [p for p in json.loads(capsys.readouterr().out)["problems"] if "suggested-" in (p["file"] or "")]
    assert not about_them                      # not even a warning
    report = tmp_path / "run.json"
    assert main(["run-all", str(root), "-q", "--json", str(report)]) == 0
    results = {r["simulation"]: r["status"] for r in json.loads(report.read_text())["results"]}
    project = load_project(root)
    suggested = [project.simulations[path.stem].name for path in written]
    assert all(results.get(name) == "passed" for name in suggested), \
        {n: results.get(n) for n in suggested if results.get(n) != "passed"}
