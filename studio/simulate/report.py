"""Plain-text views of a SimulationResult for a terminal: transcript, trace, judgement."""
from __future__ import annotations

import json
from typing import Any, Callable

from studio.llm.usage import cost_text

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


def _branch(e: dict[str, Any]) -> str:
    where = f"branch #{e['branch']} " if e.get("branch") is not None else f"{e.get('purpose')} "
    return (f"? {where}`{e.get('expression')}` is {'true' if e.get('result') else 'false'} "
            f"{_short(e.get('values', {}))}")


def _taken(e: dict[str, Any]) -> str:
    branch = e.get("branch")
    return (f"  took {'no branch' if branch is None else f'branch #{branch}'}"
            + (" (else)" if e.get("is_else") else ""))


def _variable(e: dict[str, Any]) -> str:
    how = f" [{e.get('how')}]" if e.get("how") else ""
    return f"  {e.get('name')} = {_short(e.get('value'))} from {e.get('source')}{how}"


def _call(e: dict[str, Any]) -> str:
    head = f"  call {e.get('connector')}({_short(e.get('inputs', {}), 60)}) [{e.get('source')}]"
    if e.get("status") == "error":
        return f"{head} failed: {e.get('error')} (on_error: {e.get('on_error')})"
    return f"{head} -> {_short(e.get('output'))}"


def _snippet(e: dict[str, Any]) -> str:
    if e.get("status") == "ok":
        return f"  snippet ok, assigned {', '.join(e.get('assigned', [])) or 'nothing'}"
    return f"  snippet {e.get('status')}: {str(e.get('error')).removeprefix('blocked: ')}"


def _checkpoint(e: dict[str, Any]) -> str:
    if e.get("mode") == "approval":
        return f"  approval {e.get('decision')} (from {e.get('decision_source')}): {e.get('note', '')}"
    return f"  handoff note: {e.get('note', '')}"


def _chosen(e: dict[str, Any]) -> str:
    chosen = e.get("procedure")
    head = f"procedure '{chosen}' chosen" if chosen else "no procedure chosen"
    return f"{head}: {e.get('reason', '')}"


#: One line per trace event type; an unknown type is shown as its JSON.
_EVENT_LINES: dict[str, Callable[[dict[str, Any]], str]] = {
    "conversation_started": lambda e: (f"conversation started (engine {e.get('engine')}, "
                                       f"customer {_short(e.get('customer', {}))})"),
    "customer_message": lambda e: f"customer: {_short(e.get('text', ''))}",
    "procedure_chosen": _chosen,
    "step_entered": lambda e: f"> {e.get('step')} ({e.get('kind')}) in '{e.get('procedure')}'",
    "step_left": lambda e: f"< {e.get('step')}: {e.get('result', '')}",
    "step_skipped": lambda e: (f"- {e.get('step')} skipped: when `{e.get('when')}` is false "
                               f"{_short(e.get('values', {}))}"),
    "condition_evaluated": _branch,
    "branch_taken": _taken,
    "waiting": lambda e: (f"  waiting for {', '.join(e.get('missing', []))} "
                          f"(attempt {e.get('attempt')}/{e.get('attempts')})"),
    "variable_set": _variable,
    "not_extracted": lambda e: f"  {e.get('name')} not extracted: {e.get('why')}",
    "script_ignored": lambda e: (f"{len(e.get('texts', []))} scripted turn(s) ignored: "
                                 f"{e.get('reason', '')}"),
    "connector_called": _call,
    "snippet_run": _snippet,
    "knowledge_used": lambda e: f"  article '{e.get('article')}' in context",
    "attachment": lambda e: f"  attachment {e.get('file')}: {e.get('how')}",
    "checkpoint": _checkpoint,
    "switch": lambda e: f"switch to '{e.get('to')}' ({e.get('rule')}): {e.get('why', '')}",
    "returned": lambda e: f"'{e.get('procedure')}' returned to '{e.get('to')}'",
    "reply": lambda e: f"agent: {_short(e.get('text', ''))}",
    "handoff": lambda e: f"HANDOFF: {e.get('reason')}",
    "end": lambda e: f"END ({e.get('outcome')}): {e.get('reason', '')}",
    "error": lambda e: f"ERROR: {e.get('message')}",
    "stored_cut": lambda e: f"(stored) {e.get('message')}",
}


def format_event(event: dict[str, Any]) -> str:
    line = _EVENT_LINES.get(event.get("type"))
    return line(event) if line else _short(event)


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
    elif result.status == "skipped":
        lines.append(f"SKIPPED: nothing to judge ({len(result.expectations)} expectation(s) "
                     "skipped); never counted as passed")
    else:
        skipped = sum(1 for e in result.expectations if e.status == "skipped")
        extra = f", {skipped} skipped" if skipped else ""
        lines.append(f"PASSED ({len(result.expectations) - skipped} expectation(s){extra})")
    return "\n".join(lines)


def usage_text(result: SimulationResult) -> str:
    """' · 1234 tokens · cost $0.0012' when a model ran (the offline engine has no tokens)."""
    if result.tokens is None:
        return ""
    return f" · {result.tokens} tokens · cost {cost_text(result.cost, result.cost_known)}"


def format_result(result: SimulationResult, *, trace: bool = False) -> str:
    head = (f"Simulation: {result.simulation}\n"
            f"  procedure {result.procedure or '-'} · triggered {result.triggered or '-'} · "
            f"outcome {result.outcome or '-'} · {result.turns} turn(s) · engine {result.engine}"
            + usage_text(result))
    transcript = format_transcript(result) if result.transcript else \
        "  (no messages: the run stopped before the first customer turn)"
    parts = [head, "", transcript]
    if trace:
        parts += ["", "Trace:", format_trace(result)]
    parts += ["", "Expectations:", format_judgement(result)]
    return "\n".join(parts)
