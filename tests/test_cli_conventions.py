"""CLI conventions a user and a script rely on: `studio --version`; every argument of
every sub-command explains itself in --help; `-` as a report file means stdout; every
`--json` output starts with its `"schema"`; files keep their permissions when saved."""
from __future__ import annotations

import argparse
import json
import os
import stat
import xml.etree.ElementTree as ET

import pytest

from studio import __version__
from studio.cli import build_parser, main
from studio.core.yaml_io import atomic_write


def _parsers(parser: argparse.ArgumentParser, path=("studio",)):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, path + (name,))


def test_version_prints_the_installed_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"studio {__version__}"
    assert __version__[0].isdigit()


def test_every_argument_of_every_sub_command_has_help():
    missing = []
    for path, parser in _parsers(build_parser()):
        for action in parser._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            if not (action.help or "").strip() or action.help == argparse.SUPPRESS:
                missing.append(f"{' '.join(path)} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


def test_every_sub_command_is_walked():
    names = {path[1] for path, _ in _parsers(build_parser()) if len(path) > 1}
    assert {"validate", "run-all", "runs", "sim", "coverage", "stats", "simulate", "new"} <= names


@pytest.fixture
def ran_project(sample_copy, capsys):
    project = sample_copy("food-delivery")
    for _ in range(2):                 # two runs, so `runs diff` has something to compare
        assert main(["run-all", str(project), "--quiet"]) == 0
    capsys.readouterr()
    return project


@pytest.mark.parametrize("flag,check", [
    ("--json", lambda out: json.loads(out)["schema"] == "run-all/v1"),
    ("--junit", lambda out: ET.fromstring(out).tag == "testsuites"),
])
def test_a_report_named_dash_goes_to_stdout_alone(sample_copy, capsys, monkeypatch, flag, check):
    project = sample_copy("food-delivery")
    monkeypatch.chdir(project)
    assert main(["run-all", str(project), "--quiet", flag, "-"]) == 0
    out, err = capsys.readouterr()
    assert check(out)                              # nothing but the report on stdout
    assert "passed" in err                         # the human summary moved to stderr
    assert not (project / "-").exists()


def test_both_reports_on_stdout_is_refused_before_running(sample_copy, capsys):
    project = sample_copy("food-delivery")
    assert main(["run-all", str(project), "--json", "-", "--junit", "-"]) == 2
    assert "stdout" in capsys.readouterr().err
    assert not (project / "library.sqlite").exists()


@pytest.mark.parametrize("argv,schema", [
    (["validate", "{p}", "--json"], "problems/v1"),
    (["coverage", "{p}", "--json"], "coverage/v1"),
    (["stats", "{p}", "--json"], "stats/v1"),
    (["runs", "list", "{p}", "--json"], "runs/v1"),
    (["runs", "show", "{p}", "1", "--json"], "run/v1"),
    (["runs", "diff", "{p}", "1", "2", "--json"], "run-diff/v1"),
    (["simulate", "{p}", "damaged-photo-full-refund", "--json"], "simulation-result/v1"),
])
def test_every_json_output_starts_with_its_schema(ran_project, capsys, argv, schema):
    code = main([a.format(p=ran_project) for a in argv])
    data = json.loads(capsys.readouterr().out)
    assert code in (0, 1) and isinstance(data, dict)
    assert next(iter(data)) == "schema" and data["schema"] == schema


def test_json_outputs_keep_what_they_had(ran_project, capsys):
    main(["runs", "list", str(ran_project), "--json"])
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [r["id"] for r in runs] == [2, 1] and runs[0]["status"] == "complete"   # newest first
    main(["validate", str(ran_project), "--json"])
    assert json.loads(capsys.readouterr().out)["problems"] == []


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_rewritten_file_keeps_its_mode_and_a_new_one_gets_the_umasks(tmp_path):
    kept = tmp_path / "procedure.yaml"
    kept.write_text("old\n")
    os.chmod(kept, 0o640)
    atomic_write(kept, "new\n")
    assert kept.read_text() == "new\n" and _mode(kept) == 0o640
    os.chmod(kept, 0o755)
    atomic_write(kept, "again\n")
    assert _mode(kept) == 0o755
    old = os.umask(0o027)
    try:
        atomic_write(tmp_path / "fresh.yaml", "x\n")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "fresh.yaml") == 0o640
    atomic_write(tmp_path / "plain.yaml", "x\n")
    assert _mode(tmp_path / "plain.yaml") == 0o666 & ~old


def test_new_project_export_and_junit_files_are_not_private(tmp_path, sample_copy, capsys):
    old = os.umask(0o022)
    try:
        assert main(["new", str(tmp_path / "p"), "--sample", "food-delivery"]) == 0
        project = tmp_path / "p"
        assert _mode(project / "studio.yaml") == 0o644
        assert main(["run-all", str(project), "--quiet", "--junit", str(tmp_path / "j.xml")]) == 0
        assert _mode(tmp_path / "j.xml") == 0o644
        assert main(["sim", "export", str(project), str(tmp_path / "out")]) == 0
        assert {_mode(p) for p in (tmp_path / "out").glob("*.yaml")} == {0o644}
    finally:
        os.umask(old)
