"""Drafting a procedure and model-suggested edge cases, against the fake server."""
from __future__ import annotations

import json

import pytest

from design_examples import PROCEDURE, step_yaml
from llm_kit import fake, food, isolated, llm_settings, server  # noqa: F401  (fixtures)
from studio.cli import main
from studio.llm.draft import check_draft, draft_procedure
from studio.llm.settings import LLMSettings
from studio.simulate.suggest_model import suggest_edge_cases

# the model's draft: DESIGN.md's lookup step between an ask and an end of its own
GOOD = """\
```yaml
schema: procedure/v1
id: wrong-item
title: Wrong item delivered
trigger:
  description: The customer received the wrong item.
  examples: ["I got the wrong order", "this isn't what I ordered"]
variables:
  order_id: {type: string, pattern: 'FD-\\d{6}', description: Order number}
steps:
  - id: ask-order
    kind: instruction
    text: Ask for the order number.
    collect: [order_id]
""" + step_yaml(PROCEDURE, "lookup") + """\
  - id: done
    kind: end
    outcome: resolved
    say: "I've logged the wrong item on {{ order_id }}."
```
"""
BROKEN = GOOD.replace("connector: get_order", "connector: fetch_order").replace("kind: end", "kind: finish")


@pytest.fixture
def project(food):
    return food


def settings(fake) -> LLMSettings:
    return llm_settings(fake, model="openai/drafter")


def test_valid_draft_first_time(fake, project):
    fake.push(GOOD)
    result = draft_procedure(project, "Wrong item: ask order, look it up, log it.", settings=settings(fake))
    assert result.ok and not result.repaired and result.procedure.id == "wrong-item"
    system = fake.requests[0]["messages"][0]["content"]
    assert "connector get_order" in system and "knowledge article refund-policy" in system
    assert fake.requests[0]["messages"][1]["content"].startswith("Wrong item")


def test_one_repair_round_with_the_problems(fake, project):
    fake.push(BROKEN, GOOD)
    result = draft_procedure(project, "outline", settings=settings(fake))
    assert result.ok and result.repaired
    assert result.first_problems
    repair = fake.requests[1]["messages"]
    assert repair[-2]["role"] == "assistant" and "finish" in repair[-1]["content"]


def test_still_broken_after_repair_returns_text_and_problems(fake, project):
    broken_ref = GOOD.replace("connector: get_order", "connector: fetch_order")
    fake.push(broken_ref, broken_ref)
    result = draft_procedure(project, "outline", settings=settings(fake))
    assert not result.ok and result.repaired
    assert "fetch_order" in result.text
    assert any("fetch_order" in p.message for p in result.problems)
    assert fake.calls == 2                     # exactly one repair round


def test_check_draft_reports_yaml_position(project):
    procedure, problems = check_draft(project, "id: x\nsteps: [\n")
    assert procedure is None and problems[0].code == "yaml" and problems[0].line


def test_cli_draft_writes_or_explains(fake, project, tmp_path, capsys):
    outline = tmp_path / "sop.txt"
    outline.write_text("Wrong item SOP")
    out = tmp_path / "wrong-item.yaml"
    fake.push(GOOD)
    code = main(["draft", str(project.root), "--outline", str(outline), "--out", str(out),
                 "--model", "openai/drafter", "--api-base", fake.url])
    assert code == 0 and "id: wrong-item" in out.read_text()
    fake.push(BROKEN, BROKEN)
    code = main(["draft", str(project.root), "--outline", str(outline),
                 "--model", "openai/drafter", "--api-base", fake.url])
    captured = capsys.readouterr()
    assert code == 1 and "fetch_order" in captured.out and "repair round" in captured.err
    assert main(["draft", str(project.root), "--outline", str(outline)]) == 2   # offline


def test_model_edge_cases_are_validated_before_kept(fake, project):
    good = {"name": "Customer gives the order number up front", "procedure": "damaged-order",
            "customer": {"segment": "regular", "persona": "Angry", "goal": "refund",
                         "script": ["my pizza arrived crushed, order FD-123456", "no photo sorry"]},
            "fixtures": {"connectors": {"get_order": {"status": "delivered", "total": 20,
                                                      "hours_since_delivery": 2}}},
            "expect": {"outcome": "resolved", "visited": ["amount", "pay"]}}
    bad_step = {**good, "name": "Unknown step", "expect": {"visited": ["no-such-step"]}}
    bad_field = {**good, "name": "Bad field", "colour": "red"}
    wrong_proc = {**good, "name": "Other", "procedure": "late-delivery"}
    fake.push(json.dumps({"simulations": [good, bad_step, bad_field, wrong_proc]}))
    report = suggest_edge_cases(project, "damaged-order", settings=settings(fake))
    assert [s.simulation.name for s in report.accepted] == [good["name"]]
    assert report.accepted[0].offline_status == "passed"
    assert "edge-case" in report.accepted[0].simulation.tags
    text = "\n".join(report.problems)
    assert "Unknown step" in text and "Bad field" in text and "Other" in text


def test_cli_suggest_with_model_adds_edge_cases(fake, project, capsys):
    case = {"name": "Angry customer with a crushed pizza", "procedure": "damaged-order",
            "customer": {"segment": "regular", "persona": "Angry", "goal": "refund",
                         "script": ["my pizza arrived crushed", "FD-123456", "no"]},
            "fixtures": {"connectors": {"get_order": {"status": "delivered", "total": 20,
                                                      "hours_since_delivery": 2}}},
            "expect": {"outcome": "resolved"}}
    fake.push(json.dumps({"simulations": [case]}))
    code = main(["suggest", str(project.root), "damaged-order", "--model", "openai/m",
                 "--api-base", fake.url, "--write", "-q"])
    assert code == 0
    written = list((project.root / "simulations").glob("edge-damaged-order-*.yaml"))
    assert len(written) == 1 and "Angry customer" in written[0].read_text()
    assert len(list((project.root / "simulations").glob("suggested-damaged-order-*.yaml"))) == 5


def test_cli_draft_never_overwrites_a_file(fake, project, tmp_path, capsys):
    outline = tmp_path / "sop.txt"
    outline.write_text("Damaged order SOP")
    existing = project.root / "procedures" / "damaged-order.yaml"
    before = existing.read_text()
    flags = ["--model", "openai/drafter", "--api-base", fake.url]
    code = main(["draft", str(project.root), "--outline", str(outline), "--out", str(existing), *flags])
    assert code == 2 and existing.read_text() == before and fake.calls == 0
    assert "--force" in capsys.readouterr().err
    fake.push(GOOD.replace("id: wrong-item", "id: damaged-order"))
    code = main(["draft", str(project.root), "--outline", str(outline), "--out", str(existing),
                 "--force", *flags])
    assert code == 0 and "Wrong item delivered" in existing.read_text()
    assert "already has a procedure 'damaged-order'" in capsys.readouterr().err


def test_cli_suggest_keeps_the_branch_suggestions_when_the_model_fails(fake, project, capsys):
    fake.responder = lambda body: "I cannot write JSON today"
    settings = project.root / "studio.yaml"
    settings.write_text(settings.read_text().replace("{name: offline}", "{name: offline, retries: 0}"))
    code = main(["suggest", str(project.root), "damaged-order", "--model", "openai/m",
                 "--api-base", fake.url, "--write", "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "could not suggest edge cases" in err and "malformed" in err
    assert "branch coverage 5/5" in err
    assert len(list((project.root / "simulations").glob("suggested-damaged-order-*.yaml"))) == 5
    assert not list((project.root / "simulations").glob("edge-*.yaml"))
