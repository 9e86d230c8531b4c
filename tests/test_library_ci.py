"""run-all as CI sees it: exit codes, the JUnit file a CI reader parses, the JSON report,
pass^k and flaky in the summary, --failed over each simulation's latest result, and
clear messages for filters that match nothing."""
from __future__ import annotations

import json
import re
import sqlite3
import xml.etree.ElementTree as ET

import pytest

import studio.library.run_all as run_all_module
from library_fakes import FakeRunner, fake_result, make_project
from studio.cli import main
from studio.core.project import load_project
from studio.library import Library
from studio.library.run_all import run_all, select_simulations
from studio.simulate.result import SimulationResult


class ControlRunner(FakeRunner):
    """The fake runner, plus an error whose message holds a terminal escape and a NUL."""

    def __call__(self, project, simulation, *, options, cancel=None):
        if "nasty" in simulation.tags:
            return SimulationResult(simulation=simulation.name, procedure="refund",
                                    status="error", duration_ms=2.0,
                                    error="model said \x1b[31mno\x1b[0m\x00 <&> " + "x" * 900)
        return super().__call__(project, simulation, options=options, cancel=cancel)


def use_runner(monkeypatch, runner):
    monkeypatch.setattr(run_all_module, "load_default_runner", lambda: runner)


def read_junit(path):
    """What a CI reader (Jenkins, GitLab) takes from the file; asserts its shape on the way."""
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    cases = []
    for suite in root:
        assert suite.tag == "testsuite"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", suite.get("timestamp"))
        found = suite.findall("testcase")
        assert int(suite.get("tests")) == len(found)
        assert int(suite.get("failures")) == sum(c.find("failure") is not None for c in found)
        assert int(suite.get("errors")) == sum(c.find("error") is not None for c in found)
        for case in found:
            assert case.get("classname") == suite.get("name") and case.get("name")
            float(case.get("time"))
            for bad in case.findall("failure") + case.findall("error"):
                assert bad.get("message") and "\n" not in bad.get("message")
            cases.append(case)
    assert int(root.get("tests")) == len(cases)
    assert int(root.get("failures")) == sum(int(s.get("failures")) for s in root)
    assert int(root.get("errors")) == sum(int(s.get("errors")) for s in root)
    return root, {(c.get("classname"), c.get("name")): c for c in cases}


@pytest.mark.parametrize("tags, code", [
    ({"a": [], "b": []}, 0),
    ({"a": [], "b": ["fail"]}, 1),
    ({"a": ["fail"], "b": ["error"]}, 2),
])
def test_exit_code_is_0_when_all_pass_1_on_failures_2_on_errors(tmp_path, monkeypatch, capsys,
                                                                tags, code):
    root = make_project(tmp_path / "proj", tags)
    use_runner(monkeypatch, FakeRunner())
    junit = tmp_path / "junit.xml"
    assert main(["run-all", str(root), "-q", "--junit", str(junit)]) == code
    _, cases = read_junit(junit)
    assert set(cases) == {("refund", "a"), ("refund", "b")}
    out = capsys.readouterr().out
    if code:
        assert ("FAILED  a" if code == 2 else "FAILED  b") in out


def test_junit_and_json_carry_what_ci_needs_even_from_hostile_text(tmp_path, monkeypatch, capsys):
    root = make_project(tmp_path / "proj", {"ok": ["smoke"], "bad": ["fail"],
                                            "broken": ["nasty"]})
    use_runner(monkeypatch, ControlRunner())
    junit, report = tmp_path / "junit.xml", tmp_path / "run.json"
    assert main(["run-all", str(root), "-q", "--junit", str(junit), "--json", str(report)]) == 2
    suites, cases = read_junit(junit)            # parses: the escape and NUL were cleaned
    failure = cases[("refund", "bad")].find("failure")
    assert failure.get("message") == "outcome: expected outcome resolved, got handoff"
    assert "customer: I want a refund" in cases[("refund", "bad")].find("system-out").text
    error = cases[("refund", "broken")].find("error")
    assert error.get("message").startswith("model said ?[31mno?[0m? <&>")
    assert len(error.get("message")) <= 500 and "x" * 900 in error.text
    assert cases[("refund", "ok")].find("failure") is None
    assert cases[("refund", "ok")].find("system-out") is None
    assert suites.get("failures") == "1" and suites.get("errors") == "1"

    data = json.loads(report.read_text())
    assert data["run"]["engine"] == "offline" and data["run"]["revisions"]["refund"]
    assert data["run"]["status"] == "complete" and data["run"]["started"]
    assert (data["passed"], data["failed"], data["errors"]) == (1, 1, 1)
    assert {r["simulation"] for r in data["results"]} == {"ok", "bad", "broken"}
    bad = next(r for r in data["results"] if r["simulation"] == "bad")
    assert bad["expectations"][0]["status"] == "fail" and bad["transcript"] and bad["trace"]
    assert bad["coverage"]["refund"]["branches"] == ["check#1"]


def test_repeat_prints_pass_k_and_names_flaky_simulations(tmp_path, monkeypatch, capsys):
    root = make_project(tmp_path / "proj", {"steady": [], "wobbly": ["flaky"]})
    use_runner(monkeypatch, FakeRunner())
    junit = tmp_path / "junit.xml"
    assert main(["run-all", str(root), "-q", "--repeat", "4", "--junit", str(junit)]) == 1
    out = capsys.readouterr().out
    assert "8/8 run, 6 passed, 2 failed" in out
    assert "pass^4: 50% of 2 simulations passed all 4 runs" in out
    assert "flaky (mixed results): wobbly" in out
    _, cases = read_junit(junit)
    assert len(cases) == 8 and ("refund", "wobbly [repeat 2]") in cases
    assert cases[("refund", "wobbly [repeat 2]")].find("failure") is not None


def test_failed_reruns_what_failed_in_its_latest_result_even_after_a_filtered_run(
        tmp_path, monkeypatch, capsys):
    root = make_project(tmp_path / "proj", {"a": ["smoke"], "b": [], "c": []})
    broken = {"b"}

    def runner(project, simulation, *, options, cancel=None):
        tags = list(simulation.tags) + (["fail"] if simulation.name in broken else [])
        return fake_result(simulation.name, tags, options.repeat_index)
    use_runner(monkeypatch, runner)

    assert main(["run-all", str(root), "--failed"]) == 2
    assert "no runs yet" in capsys.readouterr().err
    assert main(["run-all", str(root), "-q"]) == 1                  # b fails
    assert main(["run-all", str(root), "-q", "--tag", "smoke"]) == 0     # only a: passes
    with Library.open(root) as lib:
        assert [r.name for r in select_simulations(lib, failed=True)] == ["b"]
    capsys.readouterr()
    broken.clear()                                                    # the fix
    assert main(["run-all", str(root), "--failed"]) == 0
    assert "1/1 run, 1 passed" in capsys.readouterr().out
    assert main(["run-all", str(root), "--failed"]) == 0
    assert "nothing to run: every simulation passed" in capsys.readouterr().err


def test_failed_with_filters_tells_no_match_from_all_passed(tmp_path, monkeypatch, capsys):
    """--failed reads only the failures; with none among the filtered ones it still says
    whether the filters match nothing (exit 2) or everything they match passed (exit 0)."""
    root = make_project(tmp_path / "proj", {"a": ["smoke"], "b": ["slowpath"]})
    use_runner(monkeypatch, lambda project, simulation, *, options, cancel=None: fake_result(
        simulation.name, list(simulation.tags) + (["fail"] if simulation.name == "b" else []),
        options.repeat_index))
    assert main(["run-all", str(root), "-q"]) == 1                  # b fails
    capsys.readouterr()
    assert main(["run-all", str(root), "--failed", "--tag", "smok"]) == 2
    assert "no simulation matches --tag smok" in capsys.readouterr().err
    assert main(["run-all", str(root), "--failed", "--tag", "smoke"]) == 0
    assert "nothing to run: every simulation matching the filters passed" in \
        capsys.readouterr().err
    assert main(["run-all", str(root), "--failed", "--tag", "slowpath"]) == 1   # b again
    assert "1/1 run" in capsys.readouterr().out


def test_filters_that_match_nothing_say_what_the_library_has(tmp_path, monkeypatch, capsys):
    root = make_project(tmp_path / "proj", {"a": ["smoke"], "b": ["slowpath"]})
    use_runner(monkeypatch, FakeRunner())
    assert main(["run-all", str(root), "--tag", "smok"]) == 2
    err = capsys.readouterr().err
    assert "no simulation matches --tag smok" in err and "tags in the library: slowpath, smoke" in err
    assert main(["run-all", str(root), "--procedure", "refunds"]) == 2
    assert "procedures with simulations: refund" in capsys.readouterr().err
    assert main(["run-all", str(root), "--tag", "smoke", "--procedure", "refund", "-q"]) == 0
    assert main(["run-all", str(root), "--resume", "--tag", "smoke"]) == 2
    assert "--resume finishes the interrupted run as it was planned; drop --tag" in \
        capsys.readouterr().err


def test_only_the_writer_thread_writes(tmp_path):
    root = make_project(tmp_path / "proj", 2)
    with Library.open(root) as lib:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            lib.db.execute("DELETE FROM simulations")
        assert lib.simulation_count() == 2
        summary = run_all(load_project(root), lib, runner=FakeRunner(), concurrency=2)
        assert len(lib.results(summary.run_id)) == 2


class FakeTerminal:
    def __init__(self, tty):
        self.tty, self.text = tty, ""

    def isatty(self):
        return self.tty

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_progress_is_a_bar_redrawn_in_place_on_a_terminal_and_lines_otherwise():
    from studio.cli.cmd_run_all import TerminalProgress
    terminal, pipe = FakeTerminal(True), FakeTerminal(False)
    for stream in (terminal, pipe):
        show = TerminalProgress(stream)
        show(0, 4, "run 1: 4 to run")
        show._last = 0.0
        show(2, 4, "passed: a")
        show(4, 4, "failed: b")
    assert terminal.text.count("\r") == 3 and terminal.text.endswith("\n")
    assert "\r[###############---------------] 2/4 passed: a" in terminal.text
    assert "[##############################] 4/4 failed: b" in terminal.text
    assert pipe.text.splitlines() == ["[0/4] run 1: 4 to run", "[2/4] passed: a", "[4/4] failed: b"]
    quiet = FakeTerminal(True)
    TerminalProgress(quiet, quiet=True)(1, 2, "x")
    assert quiet.text == ""
