"""How a step reads on its card and in the flowchart: a title line and detail lines."""
from __future__ import annotations

from typing import Any

from ..theme import KIND_LABELS


def _short(value: Any, limit: int = 140) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def headline(step: Any) -> str:
    kind = step.kind
    if kind == "instruction":
        return step.text
    if kind == "condition":
        n = len(step.branches)
        return f"Check {n} branch{'es' if n != 1 else ''}"
    if kind == "connector":
        args = ", ".join(f"{k}={_short(v, 30)}" for k, v in step.inputs.items())
        result = f" → {step.save_as}" if step.save_as else ""
        return f"Call {step.connector or '?'}({args}){result}"
    if kind == "code":
        return step.code.strip()
    if kind == "knowledge":
        return f"Use article “{step.article or '?'}”" + (f": {step.text}" if step.text else "")
    if kind == "checkpoint":
        label = "Ask for approval" if step.mode == "approval" else "Hand off to a teammate"
        return f"{label}: {step.note}" if step.note else label
    if kind == "subprocedure":
        return f"Run procedure “{step.procedure or '?'}”, then continue"
    if kind == "switch":
        return f"Switch to procedure “{step.to or '?'}”"
    if kind == "end":
        return f"End the conversation — {step.outcome}"
    return kind


def details(step: Any) -> list[str]:
    """Secondary lines: say, collect, when, error handling."""
    out = []
    if step.when:
        out.append(f"only when  {step.when}")
    say = getattr(step, "say", None)
    if say:
        out.append(f"says  “{_short(say)}”")
    if getattr(step, "collect", None):
        out.append("collects  " + ", ".join(step.collect))
    if step.kind == "connector" and step.on_error != "handoff":
        out.append(f"on error  {step.on_error}")
    if step.kind == "checkpoint" and getattr(step, "when", None) is None and step.mode == "approval":
        out.append("always asks")
    return out


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def branch_label(branch: Any, index: int) -> str:
    if branch.is_else:
        return "ELSE"
    return ("IF  " if index == 0 else "ELSE IF  ") + branch.when


def branch_words(branch: Any, variables: Any = None) -> str:
    """“when the order's hours since delivery is more than 168 (7 days)”; "" for ELSE."""
    if branch.is_else or not (branch.when or "").strip():
        return ""
    from studio.core.plain_words import describe_condition
    words = describe_condition(branch.when, variables or {})
    return "" if words == branch.when.strip() else f"when {words}"


INLINE_FIELD = {"instruction": "text", "checkpoint": "note", "end": "say", "code": "code",
                "knowledge": "text"}
