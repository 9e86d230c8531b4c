"""`studio simulate`: output a designer can read, and exit codes 0 / 1 / 2."""
import json

import pytest
import yaml

from engine_kit import HAPPY, damaged_project
from studio.cli import main


@pytest.fixture
def project_root(tmp_path):
    root = tmp_path / "proj"
    damaged_project(root, simulations={
        "happy": {"name": "Happy refund"} | HAPPY | {"expect": {"outcome": "resolved", "rubric": ["polite"]}},
        "wrong": {"name": "Wrong outcome"} | HAPPY | {"expect": {"outcome": "handoff"}},
        "broken": {"name": "Broken"} | HAPPY | {"customer": {"segment": "ghost", "script": ["hi"]}},
    })
    return root


def test_passing_simulation_prints_transcript_and_marks(project_root, capsys):
    assert main(["simulate", str(project_root), "happy"]) == 0
    out = capsys.readouterr().out
    assert "turn 1" in out and "customer Hi, my pizza arrived completely crushed" in out
    assert "agent    I've refunded 42.5." in out
    assert "✓ outcome" in out and "– rubric" in out and "PASSED" in out
    assert "Trace:" not in out


def test_failing_simulation_by_name_exits_1_with_cause(project_root, capsys):
    assert main(["simulate", str(project_root), "Wrong outcome", "--trace"]) == 1
    out = capsys.readouterr().out
    assert "✗ outcome" in out and "outcome was resolved, expected handoff" in out
    assert "Trace:" in out and "procedure 'damaged-order' chosen" in out and "FAILED" in out


def test_error_exits_2(project_root, capsys):
    assert main(["simulate", str(project_root), "broken"]) == 2
    assert "ERROR: unknown customer segment 'ghost'" in capsys.readouterr().out


def test_json_output_is_the_simulation_result(project_root, capsys):
    assert main(["simulate", str(project_root), "happy", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "passed" and data["outcome"] == "resolved"
    assert data["trace"][0]["type"] == "conversation_started"


def test_yaml_file_path(project_root, tmp_path, capsys):
    path = tmp_path / "elsewhere.yaml"
    path.write_text(yaml.safe_dump({"name": "From a file"} | HAPPY | {"expect": {"max_turns": 1}}))
    assert main(["simulate", str(project_root), str(path)]) == 1
    assert "✗ max_turns" in capsys.readouterr().out


def test_unknown_simulation_and_bad_project_exit_2(project_root, tmp_path, capsys):
    assert main(["simulate", str(project_root), "nope"]) == 2
    assert "no simulation 'nope'" in capsys.readouterr().err
    assert main(["simulate", str(tmp_path / "missing"), "happy"]) == 2
    assert "not a project folder" in capsys.readouterr().err
    (project_root / "procedures" / "bad.yaml").write_text("id: [unclosed\n")
    assert main(["simulate", str(project_root), "happy"]) == 2
    assert "procedures/bad.yaml" in capsys.readouterr().err


def test_error_before_the_first_turn_says_so(project_root, tmp_path, capsys):
    path = tmp_path / "ghost.yaml"
    path.write_text(yaml.safe_dump({"name": "Ghost", "procedure": "ghost", "customer": {"script": ["hi"]},
                                    "expect": {"outcome": "resolved"}}))
    assert main(["simulate", str(project_root), str(path)]) == 2
    out = capsys.readouterr().out
    assert "(no messages: the run stopped before the first customer turn)" in out
    assert "ERROR: procedure 'ghost' is not in this project" in out


def test_hostile_snippet_mid_run_exits_2_naming_the_step(project_root, capsys):
    path = project_root / "procedures" / "damaged-order.yaml"
    text = path.read_text()
    path.write_text(text.replace('code: "refund = round(', 'code: "import os; refund = round('))
    assert main(["simulate", str(project_root), "happy", "--trace"]) == 2
    out = capsys.readouterr().out
    assert "customer It's FD-123456, photo attached" in out          # the turns up to the error
    assert "snippet blocked: import of 'os' is not allowed" in out
    assert "ERROR: code step 'amount' was blocked: import of 'os' is not allowed" in out
