"""Load, save, load gives an equal model; saving twice gives identical bytes; keys in model order."""
from __future__ import annotations

from pathlib import Path

import pytest

from studio.core.connector import Connector
from studio.core.procedure import Procedure
from studio.core.project import load_project
from studio.core.settings import ProjectSettings
from studio.core.simulation import Simulation
from studio.core.yaml_io import model_to_yaml, parse_yaml, save_model

PROCEDURE = Procedure.model_validate({
    "id": "damaged-order", "title": "Damaged food order",
    "trigger": {"description": "Food arrived damaged.", "examples": ["my order arrived damaged"]},
    "channels": ["chat", "email"],
    "variables": {"order_id": {"type": "string", "pattern": "FD-\\d{6}", "description": "Order"},
                  "size": {"type": "enum", "options": ["s", "m"]}},
    "switch_rules": [{"keywords": ["lawyer"], "to": "complaints"}, {"when": "order.total > 500", "to": "big"}],
    "steps": [
        {"id": "ask", "kind": "instruction", "text": "Ask.\nThen wait.", "say": "Number?", "collect": ["order_id"]},
        {"id": "lookup", "kind": "connector", "connector": "get_order",
         "inputs": {"order_id": "{{ order_id }}"}, "save_as": "order", "on_error": "continue"},
        {"id": "eligible", "kind": "condition", "branches": [
            {"when": "order.status == 'delivered'", "steps": [
                {"id": "amount", "kind": "code", "code": "refund = round(order.total, 2)\n"},
                {"id": "approve", "kind": "checkpoint", "mode": "approval", "when": "refund > 50",
                 "note": "Refund {{ refund }}"},
                {"id": "done", "kind": "end", "outcome": "resolved", "say": "Done."}]},
            {"when": "else", "steps": []}]},
        {"id": "policy", "kind": "knowledge", "article": "refunds", "text": "Use it."},
        {"id": "who", "kind": "subprocedure", "procedure": "identity", "when": True},
        {"id": "go", "kind": "switch", "to": "complaints"},
    ],
})

CONNECTOR = Connector.model_validate({
    "id": "get_order", "description": "Look up an order.",
    "inputs": {"order_id": {"type": "string", "required": True}},
    "request": {"method": "GET", "url": "https://x/{{ order_id }}", "headers": {"A": "b"}},
    "sample": {"status": "delivered", "total": 42.5, "items": [{"name": "pizza"}]},
})

SETTINGS = ProjectSettings.model_validate({
    "name": "Fresh Bites", "tone": "Friendly.", "model": {"name": "offline", "temperature": 0.2},
    "segments": {"vip": {"plan": "pro", "lifetime_value": 2400}},
    "real_calls": {"connectors": ["get_order"], "allowed_hosts": ["api.example.com"]},
})

SIMULATION = Simulation.model_validate({
    "name": "Crushed pizza", "procedure": "damaged-order", "tags": ["refunds"],
    "customer": {"segment": "vip", "script": ["Hi", {"text": "FD-123456", "attachments": [
        {"file": "crushed.jpg", "extracted": {"has_photo": True}}]}],
        "persona": "Polite", "goal": "Refund"},
    "fixtures": {"connectors": {"get_order": {"total": 42.5}, "issue_refund": [{"ok": True}]},
                 "approvals": {"approve": "approved"}},
    "expect": {"procedure": "damaged-order", "outcome": "resolved", "visited": ["lookup"],
               "not_visited": ["late"], "variables": {"refund": 42.5},
               "connector_calls": [{"connector": "issue_refund", "inputs": {"amount": 42.5}}],
               "not_called": ["cancel_order"], "replies_contain": ["42.5"],
               "replies_not_contain": ["sorry"], "note_contains": ["FD"], "max_turns": 6,
               "rubric": ["Apologises"]},
})

MODELS = [("procedure", PROCEDURE), ("connector", CONNECTOR), ("settings", SETTINGS),
          ("simulation", SIMULATION)]


@pytest.mark.parametrize("name,model", MODELS, ids=[m[0] for m in MODELS])
def test_load_save_load_is_equal_and_stable(tmp_path: Path, name, model):
    path = tmp_path / f"{name}.yaml"
    save_model(model, path)
    first = path.read_bytes()
    data, _ = parse_yaml(first.decode())
    again = type(model).model_validate(data)
    assert again == model
    save_model(again, path)
    assert path.read_bytes() == first


def test_key_order_is_the_models_order():
    text = model_to_yaml(PROCEDURE)
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith(" ")]
    assert keys == ["schema", "id", "title", "trigger", "channels", "variables", "switch_rules", "steps"]
    lines = text.splitlines()
    first_step = lines.index("  - id: ask")
    assert lines[first_step + 1] == "    kind: instruction"
    assert lines[first_step + 2].startswith("    text: |")
    assert "text: |" in text                         # multi-line text as a block
    assert model_to_yaml(SIMULATION).startswith("schema: simulation/v1\nname: Crushed pizza\n")
    assert model_to_yaml(SETTINGS).startswith("schema: studio/v1\nname: Fresh Bites\n")


def test_defaults_are_left_out_but_ids_and_kinds_kept():
    text = model_to_yaml(Procedure.model_validate({"id": "p", "steps": [{"id": "e", "kind": "end"}]}))
    assert text == "schema: procedure/v1\nid: p\nsteps:\n  - id: e\n    kind: end\n"


def test_project_save_then_load_round_trip(tmp_path: Path):
    from studio.core.project import Project
    project = Project(root=tmp_path, settings=SETTINGS)
    project.save_settings()
    project.save_procedure(PROCEDURE)
    project.save_connector(CONNECTOR)
    project.save_simulation("crushed", SIMULATION)
    loaded = load_project(tmp_path)
    assert loaded.load_problems == []
    assert loaded.settings == SETTINGS
    assert loaded.procedures["damaged-order"] == PROCEDURE
    assert loaded.connectors["get_order"] == CONNECTOR
    assert loaded.simulations["crushed"] == SIMULATION


@pytest.mark.parametrize("title", [
    "What to do when a courier is more than forty-five minutes late and the food is cold",
    "Refunds: the rules", "yes", "2024-05-01", "Ünïcode ✓ titles", "- starts with a dash"])
def test_article_title_survives_save_and_load(tmp_path: Path, title):
    from studio.core.knowledge import Article
    from studio.core.project import Project
    project = Project(root=tmp_path)
    article = Article(id="policy", title=title, body="# Policy\n\nRefund within 24 h.\n")
    project.save_article(article)
    loaded = load_project(tmp_path).knowledge["policy"]
    assert loaded == article
    project.save_article(loaded)
    assert Article.parse("policy", (tmp_path / "knowledge" / "policy.md").read_text()) == article
