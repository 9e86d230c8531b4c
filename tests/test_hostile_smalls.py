"""Issue 11 item 8: the smaller holes, each as the user meets it."""
from __future__ import annotations

import datetime
import sqlite3

import pytest

from engine_kit import make_project, run
from studio.cli import main
from studio.core.project import LIBRARY_FILE
from studio.library import writer
from studio.library.library import Library
from studio.runtime.sandbox import Sandbox

# re.enum is a module reached through an allowed one on every Python we support.
SWALLOW = "import re\ntry:\n    s = re.enum\nexcept:\n    s = 'x'\n"
# the same reach through another name: only the run can see it, and the run blocks it
SWALLOW_ALIASED = "import re\nm = re\ntry:\n    s = m.enum\nexcept:\n    s = 'x'\n"


@pytest.mark.parametrize("code, line", [(SWALLOW, 3), (SWALLOW_ALIASED, 4)], ids=["direct", "aliased"])
def test_a_bare_except_does_not_swallow_the_sandbox_block(code, line):
    with Sandbox() as sandbox:
        result = sandbox.run(code, {})
    assert result.status == "blocked"
    assert f"'re.enum' is not available in snippets (line {line})" in result.error
    assert result.assigned == {}


# The issue's own case (datetime.sys) where this Python's datetime has a `sys` to hide (3.13's
# has none, so there is nothing to refuse), and re.enum, which every supported Python has.
HIDDEN_PARTS = [("re", "enum")] + ([("datetime", "sys")] if hasattr(datetime, "sys") else [])


@pytest.mark.parametrize("module,part", HIDDEN_PARTS, ids=lambda v: v if isinstance(v, str) else None)
def test_validate_reports_a_module_part_the_sandbox_hides_at_its_file_and_line(tmp_path, capsys, module, part):
    make_project(tmp_path / "p", procedures={"p": {
        "trigger": {"examples": ["run the snippet"]},
        "steps": [{"id": "code", "kind": "code", "code": f"import {module}\ntry:\n    s = {module}.{part}\n"
                                                          "except:\n    s = 'x'\n"},
                  {"id": "done", "kind": "end", "outcome": "resolved"}]}})
    assert main(["validate", str(tmp_path / "p")]) == 1
    out = capsys.readouterr().out
    lines = (tmp_path / "p" / "procedures" / "p.yaml").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if f"s = {module}.{part}" in text)
    assert f"procedures/p.yaml:{line}:" in out and f"'{module}.{part}' is not available in snippets" in out


def test_a_simulation_whose_snippet_swallows_the_block_is_error_not_passed(tmp_path):
    project = make_project(tmp_path / "p", procedures={"p": {
        "trigger": {"examples": ["run the snippet"]},
        "steps": [{"id": "code", "kind": "code", "code": SWALLOW},
                  {"id": "done", "kind": "end", "outcome": "resolved"}]}})
    result = run(project, {"procedure": "p", "customer": {"script": ["run the snippet"]},
                           "expect": {"outcome": "resolved"}})
    assert result.status == "error" and "not available in snippets" in result.error
    assert "the step is at procedures/p.yaml:" in result.error        # where the step is written


def _copy_name(root) -> str:
    source = root / "simulations" / "late-already-delivered.yaml"
    (root / "simulations" / "zz-copy.yaml").write_text(source.read_text())
    return "simulations/late-already-delivered.yaml"


def test_the_same_simulation_name_in_two_files_is_a_validation_error_naming_both(sample_copy, capsys):
    root = sample_copy("food-delivery")
    first = _copy_name(root)
    assert main(["validate", str(root)]) == 1
    out = capsys.readouterr().out
    assert f"simulations/zz-copy.yaml:2:7: error: simulation name 'Order marked delivered is not " \
           f"treated as late' is also used by {first}" in out


@pytest.mark.parametrize("library_first", [False, True])
def test_run_all_exits_non_zero_naming_both_files_of_a_duplicate_name(sample_copy, capsys, library_first):
    root = sample_copy("food-delivery")
    if library_first:                       # the first file is already in the library, unchanged
        assert main(["run-all", str(root), "--quiet"]) == 0
    first = _copy_name(root)
    for _ in range(2):                      # and again: the skipped file is never forgotten
        assert main(["run-all", str(root), "--quiet"]) == 2
        err = capsys.readouterr().err
        assert "simulations/zz-copy.yaml" in err and first in err


def test_escape_codes_in_customer_text_are_shown_not_obeyed(sample_copy, capsys):
    root = sample_copy("food-delivery")
    sim = root / "simulations" / "damaged-photo-full-refund.yaml"
    sim.write_text(sim.read_text().replace('"Hi, my pizza arrived completely crushed"',
                                           '"Hi, my pizza arrived completely crushed\\e[2J\\e]52;c;aGk=\\a"'))
    main(["simulate", str(root), "damaged-photo-full-refund"])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "crushed\\x1b[2J\\x1b]52;c;aGk=\\x07" in out


def test_an_outside_program_holding_the_sqlite_lock_gets_a_clear_message(sample_copy, capsys, monkeypatch):
    root = sample_copy("food-delivery")
    assert main(["run-all", str(root), "--quiet"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(writer, "BUSY_TIMEOUT_MS", 200)
    other = sqlite3.connect(str(root / LIBRARY_FILE), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")              # a database browser with unsaved changes
        assert main(["run-all", str(root), "--quiet"]) == 2
    finally:
        other.close()
    err = capsys.readouterr().err
    assert "the library is busy: another program holds a lock on it" in err
    assert "This is a bug" not in err


def test_resume_with_no_recorded_run_starts_the_run(sample_copy, capsys):
    root = sample_copy("food-delivery")
    assert main(["run-all", str(root), "--resume", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "starting a new run" in captured.err
    assert "run 1 (complete, offline): 21/21 run, 21 passed" in captured.out


def test_a_huge_text_a_snippet_assigns_is_stored_cut_and_the_trace_says_so(tmp_path, capsys):
    root = tmp_path / "p"
    make_project(root, procedures={"p": {
        "trigger": {"examples": ["make a blob"]},
        "steps": [{"id": "code", "kind": "code", "code": "blob = 'x' * 2000000"},
                  {"id": "done", "kind": "end", "outcome": "resolved"}]}},
        simulations={"blob": {"schema": "simulation/v1", "name": "Blob", "procedure": "p",
                              "customer": {"script": ["make a blob"]}, "expect": {"outcome": "resolved"}}})
    assert main(["run-all", str(root), "--quiet"]) == 0
    with Library.open(root) as library:
        stored = library.results(library.latest_run().id)[0].result
    assert stored.status == "passed"
    assert len(stored.variables["blob"]) < 20_000 and "[cut: 2,000,000 characters" in stored.variables["blob"]
    cut = [e for e in stored.trace if e["type"] == "stored_cut"]
    assert cut and "variables.blob (2,000,000 characters)" in cut[0]["message"]
    size = sum(f.stat().st_size for f in root.glob(LIBRARY_FILE + "*"))
    assert size < 1_000_000
