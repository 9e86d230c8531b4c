"""The example files of DESIGN.md section 3 (format v1 is a contract) load, save
back unchanged, validate clean in a project that holds what they refer to, and
match the published JSON Schemas. The examples are copied verbatim into
tests/design_examples.py; when DESIGN.md sits beside the checkout (as in CI),
the copies must still match it."""
from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from design_examples import BY_SCHEMA, CONNECTOR, PROCEDURE, SIMULATION, STUDIO, design_blocks, write_files
from studio.core.connector import Connector
from studio.core.problems import Severity
from studio.core.procedure import Procedure
from studio.core.project import load_project
from studio.core.schema_export import json_schema
from studio.core.settings import ProjectSettings
from studio.core.simulation import Simulation
from studio.core.steps import STEP_KINDS
from studio.core.validate import validate_project
from studio.core.yaml_io import model_to_yaml, parse_yaml

EXAMPLES = [("studio", STUDIO, ProjectSettings), ("connector", CONNECTOR, Connector),
            ("procedure", PROCEDURE, Procedure), ("simulation", SIMULATION, Simulation)]
DESIGN = Path(__file__).resolve().parents[2] / "shared" / "DESIGN.md"


@pytest.mark.skipif(not DESIGN.is_file(), reason="DESIGN.md is not beside this checkout")
def test_copies_match_design_md():
    blocks = design_blocks(DESIGN.read_text(encoding="utf-8"))
    assert set(BY_SCHEMA) <= set(blocks), "DESIGN.md lost an example block"
    for schema, copy in BY_SCHEMA.items():
        assert blocks[schema] == copy, f"the {schema} example differs from DESIGN.md"


@pytest.mark.parametrize("kind,text,cls", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_example_loads_and_round_trips(kind, text, cls):
    data, _ = parse_yaml(text)
    model = cls.model_validate(data)
    saved = model_to_yaml(model)
    again = cls.model_validate(parse_yaml(saved)[0])
    assert again == model
    assert model_to_yaml(again) == saved
    # saving leaves out only values equal to their defaults, nothing else
    dropped = _leaves(data) - _leaves(parse_yaml(saved)[0])
    assert dropped == DEFAULTS_LEFT_OUT[kind]
    assert _leaves(parse_yaml(saved)[0]) <= _leaves(data)


DEFAULTS_LEFT_OUT = {
    "studio": {(("model", "name"), "offline"), (("fallback", "say"), "How can I help you today?"),
               (("fallback", "attempts"), 1)},
    "connector": {(("request", "method"), "GET"), (("inputs", "order_id", "type"), "string")},
    "procedure": {(("steps", 2, "branches", 0, "steps", 3, "outcome"), "resolved")},
    "simulation": set(),
}


def _leaves(value, path=()):
    """Every scalar with its path, so a lost field shows up by name."""
    if isinstance(value, dict):
        return {leaf for key, sub in value.items() for leaf in _leaves(sub, path + (key,))}
    if isinstance(value, list):
        return {leaf for index, sub in enumerate(value) for leaf in _leaves(sub, path + (index,))}
    return {(path, value)}


@pytest.mark.parametrize("kind,text,cls", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_example_matches_the_json_schema(kind, text, cls):
    validator = jsonschema.Draft202012Validator(json_schema(kind))
    errors = [e.message for e in validator.iter_errors(parse_yaml(text)[0])]
    assert errors == []


def test_examples_read_as_design_md_describes():
    settings = ProjectSettings.model_validate(parse_yaml(STUDIO)[0])
    assert settings.model.name == "offline" and settings.segments["vip"] == {"plan": "pro", "lifetime_value": 2400}
    assert settings.secrets == ["SHOP_TOKEN"]
    assert settings.fallback.say == "How can I help you today?" and settings.fallback.attempts == 1
    assert settings.environments == ["staging", "production"]    # the default DESIGN.md section 5 names
    connector = Connector.model_validate(parse_yaml(CONNECTOR)[0])
    assert connector.inputs["order_id"].required and connector.request.method == "GET"
    assert connector.sample["hours_since_delivery"] == 3
    proc = Procedure.model_validate(parse_yaml(PROCEDURE)[0])
    assert proc.variables["order_id"].pattern == "FD-\\d{6}"       # single quotes keep the backslash
    assert [r.to for r in proc.switch_rules] == ["complaints", "high-value-claims"]
    approve = proc.find_step("approve")
    assert approve.kind == "checkpoint" and approve.when == "refund > 50" and approve.mode == "approval"
    eligible = proc.find_step("eligible")
    assert [b.is_else for b in eligible.branches] == [False, True]
    assert proc.step_ids() == ["ask-order", "lookup", "eligible", "amount", "approve", "pay", "done", "late"]
    sim = Simulation.model_validate(parse_yaml(SIMULATION)[0])
    turns = sim.customer.turns()
    assert turns[0].text.startswith("Hi") and turns[1].attachments[0].extracted == {"has_photo": True}
    assert sim.fixtures.connectors["issue_refund"] == [{"ok": True}]
    assert sim.fixtures.approvals == {"approve": "approved"}
    assert sim.expect.connector_calls[0].inputs == {"order_id": "FD-123456", "amount": 64.9}
    assert sim.expect.max_turns == 6 and sim.expect.rubric


# What the examples refer to, and nothing more: a minimal project around them.
EXTRA = {
    "procedures/complaints.yaml": "schema: procedure/v1\nid: complaints\nsteps:\n"
                                  "  - {id: note, kind: checkpoint, mode: handoff, note: Complaint}\n",
    "procedures/high-value-claims.yaml": "schema: procedure/v1\nid: high-value-claims\nsteps:\n"
                                         "  - {id: note, kind: checkpoint, mode: handoff, note: Big claim}\n",
    "connectors/issue_refund.yaml": "schema: connector/v1\nid: issue_refund\n"
                                    "inputs: {order_id: {required: true}, amount: {type: number, required: true}}\n"
                                    "sample: {ok: true}\n",
    "connectors/cancel_order.yaml": "schema: connector/v1\nid: cancel_order\nsample: {ok: true}\n",
    "attachments/crushed.jpg": "jpeg",
}


def _design_project(root: Path, extra: dict[str, str]) -> Path:
    return write_files(root, {"studio.yaml": STUDIO, "connectors/get_order.yaml": CONNECTOR,
                              "procedures/damaged-order.yaml": PROCEDURE,
                              "simulations/crushed-pizza.yaml": SIMULATION} | extra)


def test_examples_validate_clean_in_a_minimal_project(tmp_path):
    project = load_project(_design_project(tmp_path, EXTRA))
    assert project.load_problems == []
    assert [p.format() for p in validate_project(project)] == []


def test_without_what_they_refer_to_each_reference_is_reported(tmp_path):
    project = load_project(_design_project(tmp_path, {}))
    problems = validate_project(project)
    got = sorted((p.file, p.code, p.line) for p in problems if p.severity == Severity.error)
    assert got == [
        ("procedures/damaged-order.yaml", "unknown-connector", 33),
        ("procedures/damaged-order.yaml", "unknown-procedure", 12),
        ("procedures/damaged-order.yaml", "unknown-procedure", 13),
        ("simulations/crushed-pizza.yaml", "unknown-connector", 16),
        ("simulations/crushed-pizza.yaml", "unknown-connector", 24),
        ("simulations/crushed-pizza.yaml", "unknown-connector", 25),
    ]
    assert [p.code for p in problems if p.severity == Severity.warning] == ["missing-attachment"]


def test_step_kinds_of_the_example_are_among_the_nine():
    proc = Procedure.model_validate(parse_yaml(PROCEDURE)[0])
    assert {s.kind for s in proc.all_steps()} <= set(STEP_KINDS)
