"""The nine built-in step kinds, as registry entries (see step_registry.py).

To add a kind: its model class in steps.py, its spec here, its engine
handler in studio/runtime/step_kinds.py, and an icon (docs/step-kinds.md).
"""
from __future__ import annotations

from typing import Any

from .step_registry import InspectorField as F
from .step_registry import StepKindSpec, register
from .steps import (
    CheckpointStep, CodeStep, ConditionStep, ConnectorStep, EndStep, InstructionStep,
    KnowledgeStep, SubprocedureStep, SwitchStep,
)

ENGINE = "studio.runtime.step_kinds:StepKinds._exec_"
CHECKS = "studio.core.validate_steps:check_"


def short(value: Any, limit: int = 140) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _connector_summary(step: Any) -> str:
    args = ", ".join(f"{k}={short(v, 30)}" for k, v in step.inputs.items())
    result = f" → {step.save_as}" if step.save_as else ""
    return f"Call {step.connector or '?'}({args}){result}"


def _checkpoint_summary(step: Any) -> str:
    label = "Ask for approval" if step.mode == "approval" else "Hand off to a teammate"
    return f"{label}: {step.note}" if step.note else label


def _branches(n: int) -> str:
    return f"Check {n} branch{'es' if n != 1 else ''}"


SAYS = F("say", "Says", "template", lines=2, optional=True)

BUILTIN = [
    StepKindSpec(
        "instruction", InstructionStep, "Instruction", "Instruction", "#3B82F6", "step-instruction",
        {"text": "Describe what the agent should do."}, lambda s: s.text,
        (F("text", "Instruction", "text", lines=4), SAYS,
         F("collect", "Collects", "names", hint="the step waits until these variables are set"),
         F("attempts", "Attempts", "count", low=1, high=20,
           hint="customer turns without the answers before handing off")),
        ENGINE + "instruction",
        "text (what the agent does), say (example wording), collect: [variables it waits for]",
        CHECKS + "instruction"),
    StepKindSpec(
        "condition", ConditionStep, "If / else", "If/else", "#F59E0B", "step-condition",
        {"branches": [{"when": "True", "steps": []}, {"when": "else", "steps": []}]},
        lambda s: _branches(len(s.branches)),
        (F("branches", "Branches", "branches"),),
        ENGINE + "condition",
        "branches: [{when: <expression>, steps: [...]}, ..., {when: else, steps: [...]}]",
        CHECKS + "condition"),
    StepKindSpec(
        "connector", ConnectorStep, "Data connector", "Connector", "#10B981", "step-connector",
        {"connector": ""}, _connector_summary,
        (F("connector", "Connector", "choice", choices_from="connectors",
           placeholder="choose a connector"),
         F("inputs", "Inputs", "inputs", hint="each input is a template: {{ variable }}"),
         F("save_as", "Save result as", "line", optional=True),
         F("on_error", "On error", "choice", options=("handoff", "continue"))),
        ENGINE + "connector",
        "connector (an existing connector id), inputs: {name: \"{{ variable }}\"}, "
        "save_as: result name, on_error: handoff|continue",
        CHECKS + "connector"),
    StepKindSpec(
        "code", CodeStep, "Code", "Code", "#8B5CF6", "step-code",
        {"code": "result = None"}, lambda s: s.code.strip(),
        (F("code", "Code", "code", hint="names the snippet assigns become variables"),),
        ENGINE + "code",
        "code (a small Python snippet assigning variables, e.g. \"refund = round(order.total * 0.5, 2)\")",
        CHECKS + "code"),
    StepKindSpec(
        "knowledge", KnowledgeStep, "Knowledge", "Knowledge", "#0891B2", "step-knowledge",
        {"article": ""},
        lambda s: f"Use article “{s.article or '?'}”" + (f": {s.text}" if s.text else ""),
        (F("article", "Article", "choice", choices_from="knowledge"),
         F("text", "Focus", "template", lines=2, optional=True,
           hint="what to use the article for at this step")),
        ENGINE + "knowledge", "article (an existing article id)", CHECKS + "knowledge"),
    StepKindSpec(
        "checkpoint", CheckpointStep, "Checkpoint", "Checkpoint", "#F97316", "step-checkpoint",
        {"mode": "handoff", "note": "Explain the case to your teammate."}, _checkpoint_summary,
        (F("mode", "Mode", "choice", options=("approval", "handoff")),
         F("note", "Note", "template", lines=3,
           hint="the internal note for the teammate who approves or takes over"), SAYS),
        ENGINE + "checkpoint",
        "mode: approval|handoff, note (internal note with {{ templates }}), say",
        CHECKS + "checkpoint"),
    StepKindSpec(
        "subprocedure", SubprocedureStep, "Sub-procedure", "Sub-procedure", "#6366F1",
        "step-subprocedure", {"procedure": ""},
        lambda s: f"Run procedure “{s.procedure or '?'}”, then continue",
        (F("procedure", "Procedure", "choice", choices_from="other-procedures"),),
        ENGINE + "subprocedure", "procedure (id)", CHECKS + "subprocedure"),
    StepKindSpec(
        "switch", SwitchStep, "Switch procedure", "Switch", "#EC4899", "step-switch", {"to": ""},
        lambda s: f"Switch to procedure “{s.to or '?'}”",
        (F("to", "Switch to", "choice", choices_from="other-procedures"),),
        ENGINE + "switch", "to (id)", CHECKS + "switch"),
    StepKindSpec(
        "end", EndStep, "End", "End", "#64748B", "step-end", {"outcome": "resolved"},
        lambda s: f"End the conversation — {s.outcome}",
        (F("outcome", "Outcome", "choice", options=("resolved", "handoff", "unresolved")), SAYS),
        ENGINE + "end", "outcome: resolved|handoff|unresolved, say"),
]

for _spec in BUILTIN:
    register(_spec)
