"""The semantic diff in words, for the terminal and the Review screen's summary."""
from __future__ import annotations

import difflib
from typing import Any

from .semantic_diff import FieldChange, SemanticDiff

MAX_VALUE = 120


def short(value: Any) -> str:
    if value is None:
        return "(none)"
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split()) if isinstance(value, str) else text
    text = repr(text) if isinstance(value, str) else text
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def field_lines(change: FieldChange, indent: str) -> list[str]:
    if (isinstance(change.old, str) and isinstance(change.new, str)
            and ("\n" in change.old or "\n" in change.new)):
        lines = [f"{indent}{change.path}:"]
        for line in difflib.unified_diff(change.old.splitlines(), change.new.splitlines(),
                                         lineterm="", n=0):
            if line.startswith(("---", "+++", "@@")):
                continue
            lines.append(f"{indent}  {line}")
        return lines
    return [f"{indent}{change.path}: {short(change.old)} -> {short(change.new)}"]


def format_semantic_diff(diff: SemanticDiff, old_label: str = "", new_label: str = "") -> str:
    head = (f"{diff.procedure}: {old_label or (diff.old_revision or 'nothing')[:12]} -> "
            f"{new_label or (diff.new_revision or 'nothing')[:12]}")
    if not diff.changed:
        return head + "\n  no changes (comments and formatting are not changes)"
    lines = [head]
    for item in diff.items:
        if item.status != "changed":
            verb = "now used" if item.status == "added" else "no longer used"
            if item.kind == "procedure" and item.id == diff.procedure:
                verb = item.status
            lines.append(f"  {item.kind} {item.id}: {verb}")
            continue
        lines.append(f"  {item.kind} {item.id}: changed")
        for change in item.fields:
            lines.extend(field_lines(change, "    "))
        for step in item.steps:
            if step.status == "added":
                lines.append(f"    + step {step.id} ({step.kind}) added {step.where}")
            elif step.status == "removed":
                lines.append(f"    - step {step.id} ({step.kind}) removed from {step.where}")
            elif step.status == "moved":
                how = (f"moved within {step.where}" if step.moved_from == step.where
                       else f"moved from {step.moved_from} to {step.where}")
                lines.append(f"    ~ step {step.id} ({step.kind}) {how}")
            else:
                lines.append(f"    * step {step.id} ({step.kind}) {step.where}")
            for change in step.fields:
                lines.extend(field_lines(change, "        "))
    return "\n".join(lines)


def summary_line(diff: SemanticDiff) -> str:
    """One line: what kind of edit it was (the regression view names the cause with it)."""
    if not diff.changed:
        return "no change"
    parts = []
    for item in diff.items:
        if item.kind != "procedure" or item.status != "changed":
            parts.append(f"{item.kind} {item.id} {item.status}")
            continue
        for step in item.steps:
            if step.fields and step.status in ("changed", "moved"):
                parts.extend(f"{step.id}.{f.path}: {short(f.old)} -> {short(f.new)}"
                             for f in step.fields)
            else:
                parts.append(f"step {step.id} {step.status}")
        parts.extend(f"{item.id} {f.path} changed" for f in item.fields)
    return "; ".join(parts)
