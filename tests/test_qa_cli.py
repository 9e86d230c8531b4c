"""Bad input at the command line gets a clear message and an exit code, never a
traceback, and loses nothing (QA regressions)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio.cli import main
from studio.cli.output import PipeGuard
from studio.library import Library


def studio_piped_to_head(*args: str) -> subprocess.CompletedProcess:
    """`studio ARGS | head`, with the reader gone before the first write."""
    with subprocess.Popen([sys.executable, "-m", "studio", *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as writer:
        writer.stdout.close()                       # nobody reads: every write gets EPIPE
        err = writer.stderr.read().decode()
        code = writer.wait(timeout=60)
    return subprocess.CompletedProcess(args, code, "", err)


def test_output_piped_to_head_ends_without_a_traceback():
    res = studio_piped_to_head("schema")            # ~100 kB of JSON into a closed pipe
    assert "Traceback" not in res.stderr and "BrokenPipe" not in res.stderr, res.stderr
    assert res.returncode == 0


def test_simulate_json_piped_to_head_still_reports_its_verdict(sample_copy):
    root = sample_copy("food-delivery")
    res = studio_piped_to_head("simulate", str(root), "damaged-photo-full-refund", "--json")
    assert "Traceback" not in res.stderr, res.stderr
    assert res.returncode == 0                       # the simulation passed


class _ClosedPipe:
    def __init__(self):
        self.writes = 0

    def write(self, text):
        self.writes += 1
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self):
        raise OSError("no descriptor")


def test_pipe_guard_swallows_a_closed_pipe_once_and_then_discards():
    stream = _ClosedPipe()
    guard = PipeGuard(stream)
    assert guard.write("hello\n") == 6
    guard.write("more\n")
    guard.flush()
    assert guard.broken and stream.writes == 1


def test_new_in_a_folder_that_cannot_be_created_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["new", str(blocker / "project")]) == 2
    assert "cannot create" in capsys.readouterr().err
    assert main(["new", str(blocker / "project"), "--sample", "food-delivery"]) == 2
    assert "cannot create" in capsys.readouterr().err
    assert blocker.read_text() == "x"


def test_an_unexpected_error_is_one_line_with_a_way_to_see_more(tmp_path, capsys, monkeypatch):
    import studio.cli.cmd_schema as cmd_schema

    def broken(kind):
        raise ValueError("boom")
    monkeypatch.setattr(cmd_schema, "json_schema", broken)
    monkeypatch.delenv("STUDIO_DEBUG", raising=False)
    assert main(["schema"]) == 2
    err = capsys.readouterr().err
    assert "internal error" in err and "boom" in err and "STUDIO_DEBUG=1" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", [
    ["runs", "list"], ["runs", "show", "{p}", "1"], ["runs", "diff"], ["stats"],
    ["sim", "list"], ["sim", "rebuild"], ["coverage"], ["run-all"]])
def test_library_commands_never_create_a_library_outside_a_project(tmp_path, capsys, command):
    folder = tmp_path / "not-a-project"
    folder.mkdir()
    args = [a.replace("{p}", str(folder)) for a in command]
    if "{p}" not in " ".join(command):
        args.insert(2 if command[0] in ("runs", "sim") else 1, str(folder))
    assert main(args) == 2
    assert "not a Procedure Studio project" in capsys.readouterr().err
    assert list(folder.iterdir()) == []


def test_sim_export_to_a_folder_outside_a_project_is_refused(tmp_path, capsys):
    folder = tmp_path / "plain"
    folder.mkdir()
    assert main(["sim", "export", str(folder), str(tmp_path / "out")]) == 2
    assert list(folder.iterdir()) == [] and not (tmp_path / "out").exists()


@pytest.mark.parametrize("flag, value", [("--concurrency", "0"), ("--concurrency", "-3"),
                                         ("--repeat", "0"), ("--repeat", "two")])
def test_run_all_refuses_counts_below_one(sample_copy, capsys, flag, value):
    root = sample_copy("card-payments")
    with pytest.raises(SystemExit) as stop:
        main(["run-all", str(root), flag, value])
    assert stop.value.code == 2
    assert flag in capsys.readouterr().err
    assert not (root / "library.sqlite").exists()             # refused before anything ran


def test_run_all_checks_report_folders_before_running(sample_copy, tmp_path, capsys):
    root = sample_copy("card-payments")
    assert main(["run-all", str(root), "--junit", str(tmp_path / "nope" / "junit.xml")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (root / "library.sqlite").exists()


def test_a_report_that_cannot_be_written_keeps_the_summary_and_says_where_results_are(
        sample_copy, tmp_path, capsys):
    root = sample_copy("card-payments")
    target = tmp_path / "report.json"
    target.mkdir()                                            # a folder where the file should go
    assert main(["run-all", str(root), "-q", "--json", str(target)]) == 2
    captured = capsys.readouterr()
    assert "12 passed" in captured.out
    assert "cannot write" in captured.err and "runs show" in captured.err


def test_library_in_use_says_what_to_do_for_reading_and_for_writing(sample_copy, capsys):
    root = sample_copy("card-payments")
    holder = Library.open(root)
    try:
        assert main(["run-all", str(root), "-q"]) == 2
        err = capsys.readouterr().err
        assert f"pid {os.getpid()}" in err and "close the other one" in err
        assert "--force-read-only" not in err                # run-all has no such flag
        assert main(["runs", "list", str(root)]) == 2
        assert "add --force-read-only" in capsys.readouterr().err
        assert main(["sim", "export", str(root), str(root / "out"), "--force-read-only"]) == 0
        assert len(list((root / "out").glob("*.yaml"))) == 12
    finally:
        holder.close()


def test_ctrl_c_during_run_all_keeps_results_and_says_how_to_resume(sample_copy, capsys,
                                                                     monkeypatch):
    import studio.cli.cmd_run_all as cmd_run_all
    from studio.library import run_all as run_all_module
    from studio.simulate.runner import run_simulation

    calls = []

    def interrupting(project, simulation, **kwargs):
        calls.append(simulation.name)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return run_simulation(project, simulation, **kwargs)

    real = run_all_module.run_all
    monkeypatch.setattr(cmd_run_all, "run_all",
                        lambda *a, **kw: real(*a, **kw | {"runner": interrupting}))
    root = sample_copy("card-payments")
    assert main(["run-all", str(root), "-q", "--concurrency", "1"]) == 130
    err = capsys.readouterr().err
    assert "interrupted: run 1 keeps its finished results" in err and "--resume" in err
    with Library.open(root) as library:
        run = library.run(1)
        assert run.status == "interrupted" and len(library.results(1)) == 3
    monkeypatch.setattr(cmd_run_all, "run_all", real)
    assert main(["run-all", str(root), "-q", "--resume"]) == 0
    with Library.open(root) as library:
        assert library.run(1).status == "complete" and len(library.results(1)) == 12


def test_simulations_of_a_broken_procedure_end_in_error_not_failure(sample_copy, capsys):
    root = sample_copy("food-delivery")
    (root / "procedures" / "damaged-order.yaml").write_text(
        "schema: procedure/v1\nid: damaged-order\ntitle: x\nsteps:\n  - id: a\n"
        "    kind: instruction\n   text: bad indent\n")
    assert main(["run-all", str(root), "-q"]) == 2
    out = capsys.readouterr().out
    assert "0 failed" in out and "FAILED" not in out
    assert "procedure 'damaged-order' cannot be loaded: procedures/damaged-order.yaml:7:4" in out


def test_a_simulation_of_an_unknown_procedure_ends_in_error(sample_copy, capsys):
    root = sample_copy("card-payments")
    sim = root / "simulations" / "lost-card-no-replacement.yaml"
    text = sim.read_text()
    assert "procedure: lost-card" in text
    sim.write_text(text.replace("procedure: lost-card", "procedure: lost-cards", 1))
    assert main(["run-all", str(root), "-q", "--procedure", "lost-cards"]) == 2
    assert "procedure 'lost-cards' is not in this project (known: dispute-transaction, lost-card)" \
        in capsys.readouterr().out


def test_validate_help_states_the_exit_codes_it_uses(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 1              # a folder without studio.yaml
    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    assert "a folder without studio.yaml is one" in capsys.readouterr().out
