"""A conversation turned into a simulation: reviewed before saving, passes on today's
procedures, fails after a change to the step it covers."""
from __future__ import annotations

import json

import pytest

from conversation_kit import scenario, with_production
from studio.cli import main
from studio.core.project import load_project
from studio.library import Library


@pytest.fixture
def imported(sample_copy, tmp_path, capsys):
    root = sample_copy("food-delivery")
    project = load_project(root)
    # c-000000: crushed order, refund after lookup (get_order / issue_refund logged)
    convs = [with_production(project, scenario(i)) for i in range(5)]
    data = tmp_path / "prod.jsonl"
    data.write_text("".join(json.dumps(c) + "\n" for c in convs))
    assert main(["conversations", "import", str(root), str(data), "-q"]) == 0
    capsys.readouterr()
    return root, convs


def simulate(root, name, capsys):
    code = main(["simulate", str(root), name, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_to_sim_shows_the_capture_and_saves_only_when_confirmed(imported, capsys):
    root, convs = imported
    assert main(["conversations", "to-sim", str(root), "c-000000"]) == 1      # no terminal: not saved
    captured = capsys.readouterr()
    assert "--yes" in captured.err and "schema: simulation/v1" in captured.out
    assert "procedure: damaged-order" in captured.out and "connector_calls" in captured.out
    assert not (root / "simulations" / "production-c-000000.yaml").exists()
    assert main(["conversations", "to-sim", str(root), "c-000000", "--yes"]) == 0
    capsys.readouterr()
    path = root / "simulations" / "production-c-000000.yaml"
    text = path.read_text()
    assert "get_order:" in text and "issue_refund:" in text        # logged outputs became fixtures
    assert "from-production" in text
    with Library.open(root) as library:
        assert library.get("production c-000000") is not None
    # saving again under the same name is refused, nothing overwritten
    assert main(["conversations", "to-sim", str(root), "c-000000", "--yes"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_captured_simulation_passes_now_and_fails_after_changing_the_step_it_covers(imported, capsys):
    root, convs = imported
    assert main(["conversations", "to-sim", str(root), "c-000000", "--name", "crushed refund", "--yes"]) == 0
    capsys.readouterr()
    code, result = simulate(root, "crushed refund", capsys)
    assert code == 0 and result["status"] == "passed"
    procedure = root / "procedures" / "damaged-order.yaml"
    procedure.write_text(procedure.read_text().replace(
        "refund = round(order.total * (1.0 if has_photo else 0.5), 2)",
        "refund = round(order.total * (1.0 if has_photo else 0.4), 2)"))
    code, result = simulate(root, "crushed refund", capsys)
    assert code == 1 and result["status"] == "failed"
    assert any(e["type"] == "connector_calls" and e["status"] == "fail" for e in result["expectations"])


def test_a_handoff_captures_its_internal_note_and_fails_when_the_note_changes(imported, capsys):
    """c-000001: delivered 30 h ago, so damaged-order hands off with a note for the human."""
    root, _ = imported
    assert main(["conversations", "to-sim", str(root), "c-000001", "--name", "late damage", "--yes"]) == 0
    capsys.readouterr()
    text = (root / "simulations" / "late-damage.yaml").read_text()
    assert "outcome: handoff" in text and "note_contains:" in text and "FD-100001" in text
    code, result = simulate(root, "late damage", capsys)
    assert code == 0 and result["status"] == "passed"
    procedure = root / "procedures" / "damaged-order.yaml"
    procedure.write_text(procedure.read_text().replace("past the 24 h window", "outside the window"))
    code, result = simulate(root, "late damage", capsys)
    assert code == 1
    assert [e["type"] for e in result["expectations"] if e["status"] == "fail"] == ["note_contains"]


def test_unknown_conversation_is_a_clear_error(imported, capsys):
    root, _ = imported
    assert main(["conversations", "to-sim", str(root), "nope", "--yes"]) == 2
    assert "no conversation 'nope'" in capsys.readouterr().err
