"""A rubric-only simulation under the offline engine has nothing to judge: it is
`skipped` (JUnit `<skipped>`), never passed (DESIGN.md section 3), and a skip
is no failure: run-all still exits 0 and the diff does not list it."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from engine_kit import HAPPY, damaged_project, run
from studio.cli import main
from studio.library import Library

RUBRIC_ONLY = HAPPY | {"expect": {"rubric": ["The agent apologises before asking for details"]}}
WITH_ASSERTION = HAPPY | {"expect": {"outcome": "resolved",
                                     "rubric": ["The agent apologises before asking for details"]}}


def test_a_rubric_only_simulation_offline_is_skipped_not_passed(tmp_path):
    result = run(damaged_project(tmp_path), RUBRIC_ONLY)
    assert result.status == "skipped"                            # was: passed
    assert [e.status for e in result.expectations] == ["skipped"]


def test_a_simulation_with_something_to_judge_passes_with_its_rubric_skipped(tmp_path):
    result = run(damaged_project(tmp_path), WITH_ASSERTION)
    assert result.status == "passed"
    assert sorted(e.status for e in result.expectations) == ["pass", "skipped"]


def _project_with_simulations(root):
    return damaged_project(root, simulations={
        "rubric-only": {"name": "Rubric only"} | RUBRIC_ONLY,
        "judged": {"name": "Judged"} | WITH_ASSERTION})


def test_run_all_reports_the_skip_in_junit_json_and_the_library(tmp_path, capsys):
    project = _project_with_simulations(tmp_path / "p")
    junit, report = tmp_path / "junit.xml", tmp_path / "run.json"
    code = main(["run-all", str(project.root), "--junit", str(junit), "--json", str(report)])
    out = capsys.readouterr().out
    assert code == 0                                             # a skip is not a failure
    assert "1 passed, 0 failed, 0 errors, 1 skipped" in out
    assert "SKIPPED Rubric only" in out and "judged by a model only" in out

    root = ET.parse(junit).getroot()
    assert root.get("skipped") == "1" and root.get("failures") == "0"
    suite = root.find("testsuite")
    assert suite.get("skipped") == "1"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    skipped = cases["Rubric only"].find("skipped")
    assert skipped is not None and "model" in skipped.get("message")
    assert cases["Judged"].find("skipped") is None and cases["Judged"].find("failure") is None

    assert main(["runs", "show", str(project.root), "1"]) == 0
    assert "1 passed, 0 failed, 0 errors, 1 skipped of 2" in capsys.readouterr().out

    data = json.loads(report.read_text())
    assert (data["passed"], data["skipped"], data["verdicts"]["Rubric only"]) == (1, 1, "skipped")

    library = Library.open(project.root)
    try:
        run_record = library.latest_run()
        assert (run_record.passed, run_record.skipped, run_record.done) == (1, 1, 2)
    finally:
        library.close()


def test_a_skipped_simulation_is_not_rerun_by_failed_nor_listed_by_the_diff(tmp_path, capsys):
    project = _project_with_simulations(tmp_path / "p")
    assert main(["run-all", str(project.root), "-q"]) == 0
    assert main(["run-all", str(project.root), "-q"]) == 0
    capsys.readouterr()
    assert main(["runs", "diff", str(project.root)]) == 0
    out = capsys.readouterr().out
    assert "Rubric only" not in out and "2 unchanged passing" in out
    main(["run-all", str(project.root), "--failed", "-q"])
    assert "nothing to run" in capsys.readouterr().err


def test_studio_simulate_says_skipped_and_exits_0(tmp_path, capsys):
    project = _project_with_simulations(tmp_path / "p")
    assert main(["simulate", str(project.root), "rubric-only"]) == 0
    assert "SKIPPED: nothing to judge" in capsys.readouterr().out
