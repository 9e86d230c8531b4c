"""A step kind added through the registry alone: it loads, validates, runs and is in the Add bar."""
from __future__ import annotations

from typing import Literal

import yaml

from studio.core.project import load_project
from studio.core.step_registry import InspectorField, StepKindSpec, registered
from studio.core.steps import StepBase
from studio.core.validate import validate_project

from engine_kit import events, make_project, run
from test_ui_support import open_window, studio_home  # noqa: F401  (fixtures)


class StampStep(StepBase):
    kind: Literal["stamp"] = "stamp"
    label: str
    say: str | None = None


def run_stamp(conversation, cursor, step) -> None:
    conversation._say(cursor.procedure, step, "say", text=step.label, say=step.say)
    conversation._left(cursor, step, f"stamped {step.label}")


STAMP = StepKindSpec(
    "stamp", StampStep, "Stamp", "Stamp", "#0EA5E9", "step-end", {"label": "APPROVED"},
    lambda s: f"Stamp {s.label}",
    (InspectorField("label", "Label", "line"),
     InspectorField("say", "Says", "template", lines=2, optional=True)),
    run_stamp, guide="label (the stamp's text), say")

STEPS = [{"id": "hello", "kind": "stamp", "label": "SEEN", "say": "Stamped {{ missing_name }}"},
         {"id": "bye", "kind": "end", "say": "bye"}]


def test_a_kind_registered_alone_validates_runs_and_is_in_the_add_bar(tmp_path, qtbot, studio_home):
    with registered(STAMP):
        project = make_project(tmp_path / "p", procedures={"main": {
            "trigger": {"examples": ["start"]}, "steps": STEPS}})
        assert project.procedures["main"].steps[0].label == "SEEN"
        problems = validate_project(project)
        unknown = [p for p in problems if p.step == "hello"]
        assert unknown and "missing_name" in unknown[0].message      # its template is checked

        fixed = tmp_path / "p" / "procedures" / "main.yaml"
        data = yaml.safe_load(fixed.read_text())
        data["steps"][0]["say"] = "Stamped it"
        fixed.write_text(yaml.safe_dump(data, sort_keys=False))
        result = run(load_project(tmp_path / "p"), {"customer": {"script": ["start"]}})
        assert result.status != "error", result.error
        left = [e for e in events(result, "step_left") if e["step"] == "hello"]
        assert left and left[0]["result"] == "stamped SEEN"

        window = open_window(qtbot, tmp_path / "p", confirm=True)
        try:
            editor = window.open_item("procedure", "main")
            action = editor.insert_actions["stamp"]
            assert action.text() == "Stamp"
            new_id = editor.insert_step("stamp")
            step = window.session.project.procedures["main"].find_step(new_id)
            assert step.kind == "stamp" and step.label == "APPROVED"
            editor.select_step(new_id)
            assert "label" in window.inspector.step_form.fields
        finally:
            window.controller.close(ask=False)
    assert any("stamp" in p.message for p in load_project(tmp_path / "p").load_problems)
