"""How a step reads on its card and in the flowchart: a title line and detail lines."""
from __future__ import annotations

from typing import Any

from studio.core.step_registry import get_spec
from studio.core.step_specs import short as _short


def headline(step: Any) -> str:
    """The kind's one-line summary (its registry entry)."""
    spec = get_spec(step.kind)
    return spec.summary(step) if spec is not None else step.kind


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
    spec = get_spec(kind)
    return spec.label if spec is not None else kind


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
