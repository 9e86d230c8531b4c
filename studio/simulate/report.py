"""Plain-text views of a SimulationResult for a terminal: transcript, trace, judgement."""
from __future__ import annotations

import json
from typing import Any

from .result import SimulationResult

MARKS = {"pass": "✓", "fail": "✗", "skipped": "–"}


def _short(value: Any, limit: int = 100) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _indent(text: str, prefix: str) -> str:
    lines = (text or "").splitlines() or [""]
    return "\n".join([lines[0]] + [prefix + line for line in lines[1:]])


def format_transcript(result: SimulationResult) -> str:
    lines: list[str] = []
    turn = None
    for entry in result.transcript:
        if entry.turn != turn:
            turn = entry.turn
            lines.append(f"turn {turn}")
        label = {"customer": "customer", "agent": "agent", "note": "note", "system": "system"}[entry.role]
        prefix = f"  {label:<9}"
        text = entry.text
        if entry.attachments:
            files = ", ".join(a.get("file", "?") for a in entry.attachments)
            text += f"  [attached: {files}]"
        if entry.role == "note":
            text = f"(internal) {text}"
        lines.append(prefix + _indent(text, " " * len(prefix)))
    return "\n".join(lines)


def format_event(event: dict[str, Any]) -> str:
    kind = event.get("type")
    step = event.get("step")
    if kind == "conversation_started":
        return f"conversation started (engine {event.get('engine')}, customer {_short(event.get('customer', {}))})"
    if kind == "customer_message":
        return f"customer: {_short(event.get('text', ''))}"
    if kind == "procedure_chosen":
        chosen = event.get("procedure")
        head = f"procedure '{chosen}' chosen" if chosen else "no procedure chosen"
        return f"{head}: {event.get('reason', '')}"
    if kind == "step_entered":
        return f"> {step} ({event.get('kind')}) in '{event.get('procedure')}'"
    if kind == "step_left":
        return f"< {step}: {event.get('result', '')}"
    if kind == "step_skipped":
        return f"- {step} skipped: when `{event.get('when')}` is false {_short(event.get('values', {}))}"
    if kind == "condition_evaluated":
        where = f"branch #{event['branch']} " if event.get("branch") is not None else f"{event.get('purpose')} "
        state = "true" if event.get("result") else "false"
        return f"? {where}`{event.get('expression')}` is {state} {_short(event.get('values', {}))}"
    if kind == "branch_taken":
        branch = event.get("branch")
        return f"  took {'no branch' if branch is None else f'branch #{branch}'}" + (" (else)" if event.get("is_else") else "")
    if kind == "waiting":
        return f"  waiting for {', '.join(event.get('missing', []))} (attempt {event.get('attempt')}/{event.get('attempts')})"
    if kind == "variable_set":
        how = f" [{event.get('how')}]" if event.get("how") else ""
        return f"  {event.get('name')} = {_short(event.get('value'))} from {event.get('source')}{how}"
    if kind == "connector_called":
        head = f"  call {event.get('connector')}({_short(event.get('inputs', {}), 60)}) [{event.get('source')}]"
        if event.get("status") == "error":
            return f"{head} failed: {event.get('error')} (on_error: {event.get('on_error')})"
        return f"{head} -> {_short(event.get('output'))}"
    if kind == "snippet_run":
        if event.get("status") == "ok":
            return f"  snippet ok, assigned {', '.join(event.get('assigned', [])) or 'nothing'}"
        return f"  snippet {event.get('status')}: {event.get('error')}"
    if kind == "knowledge_used":
        return f"  article '{event.get('article')}' in context"
    if kind == "checkpoint":
        if event.get("mode") == "approval":
            return (f"  approval {event.get('decision')} (from {event.get('decision_source')}): "
                    f"{event.get('note', '')}")
        return f"  handoff note: {event.get('note', '')}"
    if kind == "switch":
        return f"switch to '{event.get('to')}' ({event.get('rule')}): {event.get('why', '')}"
    if kind == "returned":
        return f"'{event.get('procedure')}' returned to '{event.get('to')}'"
    if kind == "reply":
        return f"agent: {_short(event.get('text', ''))}"
    if kind == "handoff":
        return f"HANDOFF: {event.get('reason')}"
    if kind == "end":
        return f"END ({event.get('outcome')}): {event.get('reason', '')}"
    if kind == "error":
        return f"ERROR: {event.get('message')}"
    return _short(event)


def format_trace(result: SimulationResult) -> str:
    lines: list[str] = []
    depth = 0
    for event in result.trace:
        if event.get("type") == "step_entered":
            depth = event.get("depth", 0)
        pad = "    " * (1 + depth) if event.get("type") not in ("customer_message", "conversation_started") else "  "
        prefix = f"[{event.get('turn', 0)}]"
        lines.append(f"{prefix}{pad}{format_event(event)}")
    return "\n".join(lines)


def format_judgement(result: SimulationResult) -> str:
    lines = []
    for item in result.expectations:
        lines.append(f"  {MARKS.get(item.status, '?')} {item.type:<20} {item.message}")
    if not result.expectations and result.status != "error":
        lines.append("  (no expectations)")
    failed = sum(1 for e in result.expectations if e.status == "fail")
    if result.status == "error":
        lines.append(f"ERROR: {result.error}")
    elif result.status == "failed":
        lines.append(f"FAILED: {failed} of {len(result.expectations)} expectation(s) failed")
    else:
        skipped = sum(1 for e in result.expectations if e.status == "skipped")
        extra = f", {skipped} skipped" if skipped else ""
        lines.append(f"PASSED ({len(result.expectations) - skipped} expectation(s){extra})")
    return "\n".join(lines)


def format_result(result: SimulationResult, *, trace: bool = False) -> str:
    head = (f"Simulation: {result.simulation}\n"
            f"  procedure {result.procedure or '-'} · triggered {result.triggered or '-'} · "
            f"outcome {result.outcome or '-'} · {result.turns} turn(s) · engine {result.engine}")
    parts = [head, "", format_transcript(result)]
    if trace:
        parts += ["", "Trace:", format_trace(result)]
    parts += ["", "Expectations:", format_judgement(result)]
    return "\n".join(parts)
