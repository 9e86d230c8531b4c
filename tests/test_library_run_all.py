"""Run all: stored results, filters, cancel and resume, repeat/flaky, JUnit and JSON."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from library_fakes import FakeRunner, make_project
from studio.core.progress import Progress
from studio.core.project import load_project
from studio.library import Library
from studio.library.reports import junit_xml, write_json
from studio.library.run_all import RunOptions, run_all, select_simulations


@pytest.fixture
def project_dir(tmp_path):
    return make_project(tmp_path / "proj", {
        "a-ok": ["smoke"], "b-ok": [], "c-fails": ["fail", "smoke"], "d-error": ["error"],
        "e-flaky": ["flaky"], "f-ok": []})


def test_every_result_is_stored_with_its_details_and_counted(project_dir):
    project = load_project(project_dir)
    seen = []
    with Library.open(project_dir) as lib:
        summary = run_all(project, lib, concurrency=3, runner=FakeRunner(),
                          progress=Progress(lambda d, t, m: seen.append((d, t, m))),
                          options=RunOptions(model="offline"))
        assert (summary.passed, summary.failed, summary.errors) == (4, 1, 1)
        assert summary.exit_code == 2
        run = lib.run(summary.run_id)
        assert run.status == "complete" and (run.passed, run.failed, run.errors) == (4, 1, 1)
        assert run.revisions["refund"] and run.engine == "offline"
        verdicts = lib.latest_verdicts()
        assert verdicts["c-fails"] == "failed" and verdicts["a-ok"] == "passed"
        assert [r.status for r in lib.simulation_history("d-error")] == ["error"]
        stored = lib.results(summary.run_id, simulation="c-fails")[0].result
        assert stored.failed_expectations[0].message == "expected outcome resolved, got handoff"
        assert stored.transcript[0].text == "I want a refund"
        assert stored.coverage["refund"].branches == ["check#1"]
        assert lib.results(summary.run_id, simulation="d-error")[0].result.error
    assert seen[-1][:2] == (6, 6)
    assert any(m.startswith("failed: c-fails") for _, _, m in seen)


def test_filters_by_tag_procedure_and_last_failures(project_dir):
    project = load_project(project_dir)
    with Library.open(project_dir) as lib:
        assert [r.name for r in select_simulations(lib, tags=["smoke"])] == ["a-ok", "c-fails"]
        assert len(select_simulations(lib, procedures=["refund"])) == 6
        assert select_simulations(lib, procedures=["nope"]) == []
        run_all(project, lib, runner=FakeRunner())
        failed = select_simulations(lib, failed=True)
        assert [r.name for r in failed] == ["c-fails", "d-error"]
        runner = FakeRunner()
        summary = run_all(project, lib, simulations=failed, runner=runner, filters={"failed": True})
        assert sorted(n for n, _ in runner.calls) == ["c-fails", "d-error"]
        assert lib.run(summary.run_id).filters == {"failed": True}


def test_cancel_keeps_finished_results_and_resume_runs_only_the_rest(project_dir):
    project = load_project(project_dir)
    with Library.open(project_dir) as lib:
        progress = Progress()

        class CancelAfterTwo(FakeRunner):
            """The user presses Cancel while the second simulation runs. (Progress reports
            come when a result is committed, which the writer may do later than this.)"""
            def __call__(self, project, simulation, *, options, cancel=None):
                result = super().__call__(project, simulation, options=options, cancel=cancel)
                if len(self.calls) >= 2:
                    progress.cancel()
                return result
        first = CancelAfterTwo()
        summary = run_all(project, lib, concurrency=1, runner=first, progress=progress)
        assert summary.status == "cancelled"
        kept = lib.result_keys(summary.run_id)
        assert 2 <= len(kept) < 6
        assert lib.run(summary.run_id).status == "cancelled"

        second = FakeRunner()
        resumed = run_all(project, lib, runner=second, resume=True)
        assert resumed.run_id == summary.run_id and resumed.status == "complete"
        assert not kept & set(second.calls)                # nothing run twice
        assert len(lib.result_keys(summary.run_id)) == 6
        assert resumed.done == 6 and lib.run(summary.run_id).done == 6
        with pytest.raises(Exception, match="no interrupted run"):
            run_all(project, lib, runner=FakeRunner(), resume=True)


def test_repeat_reports_pass_k_and_flaky_simulations(project_dir):
    project = load_project(project_dir)
    with Library.open(project_dir) as lib:
        runner = FakeRunner()
        summary = run_all(project, lib, repeat=3, runner=runner, concurrency=2)
        assert summary.total == 18 and summary.done == 18
        assert sorted({i for _, i in runner.calls}) == [0, 1, 2]   # RunOptions.repeat_index set
        assert summary.flaky == ["e-flaky"]
        assert summary.verdicts()["e-flaky"] == "failed"
        assert summary.pass_k == pytest.approx(3 / 6)               # a, b, f pass all three
        assert len(lib.results(summary.run_id, simulation="e-flaky")) == 3


def test_junit_has_a_suite_per_procedure_and_json_has_every_detail(project_dir, tmp_path):
    project = load_project(project_dir)
    with Library.open(project_dir) as lib:
        summary = run_all(project, lib, runner=FakeRunner())
    root = ET.fromstring(junit_xml(summary))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["refund"]
    suite = suites[0]
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("6", "1", "1")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert len(cases) == 6
    assert "expected outcome resolved" in cases["c-fails"].find("failure").get("message")
    assert cases["d-error"].find("error").get("message") == "connector get_order crashed"
    assert cases["a-ok"].find("failure") is None
    write_json(summary, tmp_path / "out.json")
    data = json.loads((tmp_path / "out.json").read_text())
    assert data["failed"] == 1 and len(data["results"]) == 6
    first = data["results"][0]
    assert first["simulation"] == "a-ok" and first["transcript"] and first["expectations"]
    assert first["coverage"]["refund"]["steps"] == ["ask", "check", "pay"]


def test_a_raising_runner_becomes_an_error_result_not_a_lost_run(project_dir):
    project = load_project(project_dir)

    def boom(project, simulation, *, options, cancel=None):
        raise RuntimeError("kaput")
    with Library.open(project_dir) as lib:
        summary = run_all(project, lib, runner=boom)
        assert summary.errors == 6
        assert "kaput" in lib.results(summary.run_id)[0].result.error
