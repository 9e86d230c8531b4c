"""Turns SimulationResult.trace events into the reasoning shown under each
agent turn. Qt-free formatting (HTML for QLabel rich text) so it is easy to
test; unknown event kinds still show, as key/value text, never dropped."""
from __future__ import annotations

import html
import json
from typing import Any, Iterable

# event type (studio/runtime/trace.py) -> (badge label, colour)
KIND_STYLE: dict[str, tuple[str, str]] = {
    "procedure_chosen": ("procedure", "#6a4fb3"),
    "switch": ("switch", "#6a4fb3"),
    "returned": ("return", "#6a4fb3"),
    "step_entered": ("step", "#5c6b7a"),
    "step_skipped": ("skipped", "#8a96a3"),
    "condition_evaluated": ("condition", "#b26a00"),
    "branch_taken": ("branch", "#b26a00"),
    "waiting": ("waiting", "#5c6b7a"),
    "connector_called": ("connector", "#0b7a75"),
    "variable_set": ("variable", "#2f6fb3"),
    "not_extracted": ("not extracted", "#b26a00"),
    "script_ignored": ("script", "#8a96a3"),
    "snippet_run": ("code", "#2f6fb3"),
    "knowledge_used": ("knowledge", "#5c6b7a"),
    "attachment": ("attachment", "#7a4f9a"),
    "checkpoint": ("checkpoint", "#b3261e"),
    "handoff": ("handoff", "#b3261e"),
    "model": ("model", "#7a4f9a"),
    "end": ("end", "#1e7b34"),
    "error": ("error", "#b3261e"),
}
HIDDEN = {"reply", "customer_message", "step_left", "step_entered", "conversation_started"}
_KIND_KEYS = ("type", "event")
_QUIET = {"turn", "type", "event", "procedure", "step"}


def event_kind(event: dict[str, Any]) -> str:
    return next((str(event[k]) for k in _KIND_KEYS if k in event), "event")


def _val(value: Any, limit: int = 160) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text)


def _esc(value: Any) -> str:
    return html.escape(str(value))


def _values(values: dict | None) -> str:
    if not values:
        return ""
    return " <span style='color:#5c6b7a'>with</span> " + ", ".join(
        f"{_esc(k)} = {_val(v, 60)}" for k, v in values.items())


def describe(e: dict[str, Any]) -> str:
    """One HTML line for one trace event."""
    kind = event_kind(e)
    if kind == "procedure_chosen":
        proc = e.get("procedure")
        text = f"chose <b>{_esc(proc)}</b>" if proc else "<b>no procedure</b> matched"
        if e.get("reason"):
            text += f" — {_esc(e['reason'])}"
        scores = e.get("scores") or {}
        if scores:
            top = sorted(scores.items(), key=lambda kv: -kv[1])[:3]
            text += " <span style='color:#5c6b7a'>(" + ", ".join(
                f"{_esc(k)} {v:.2f}" for k, v in top) + ")</span>"
        return text
    if kind == "switch":
        return (f"switched to <b>{_esc(e.get('to'))}</b> — {_esc(e.get('rule', ''))}"
                + (f": {_esc(e['why'])}" if e.get("why") else ""))
    if kind == "returned":
        return f"returned to <b>{_esc(e.get('to'))}</b>"
    if kind == "condition_evaluated":
        verdict = "true" if e.get("result") else "false"
        colour = "#1e7b34" if e.get("result") else "#b3261e"
        where = f"{_esc(e.get('purpose', 'branch'))}"
        if e.get("branch") is not None:
            where += f" {int(e['branch']) + 1}"
        return (f"{_step(e)}<span style='color:#5c6b7a'>{where}</span> "
                f"<code>{_esc(e.get('expression', ''))}</code>{_values(e.get('values'))}"
                f" → <b style='color:{colour}'>{verdict}</b>")
    if kind == "branch_taken":
        if e.get("branch") is None:
            return f"{_step(e)}no branch matched, continuing after the block"
        label = "else" if e.get("is_else") else f"branch {int(e['branch']) + 1}"
        return f"{_step(e)}took <b>{label}</b>"
    if kind == "step_entered":
        return f"{_step(e)}<span style='color:#5c6b7a'>{_esc(e.get('kind', ''))}</span>"
    if kind == "step_skipped":
        return (f"{_step(e)}skipped: <code>{_esc(e.get('when', ''))}</code> is false"
                f"{_values(e.get('values'))}")
    if kind == "waiting":
        return (f"{_step(e)}waiting for <b>{_esc(', '.join(e.get('missing') or []))}</b>"
                f" (attempt {e.get('attempt', 0)} of {e.get('attempts', '?')})")
    if kind == "variable_set":
        source, how = e.get("source") or "", e.get("how") or ""
        how = how if how.startswith(source) else " ".join(x for x in (source, how) if x)
        return (f"<b>{_esc(e.get('name'))}</b> = {_val(e.get('value'))}"
                + (f" <span style='color:#5c6b7a'>from {_esc(how)}</span>" if how else ""))
    if kind == "connector_called":
        text = (f"{_step(e)}<b>{_esc(e.get('connector'))}</b>({_val(e.get('inputs') or {}, 120)})"
                f" <span style='color:#5c6b7a'>[{_esc(e.get('source', ''))}]</span>")
        if e.get("status") == "error":
            text += (f" → <span style='color:#b3261e'>error: {_esc(e.get('error', ''))}</span>"
                     f" (on_error: {_esc(e.get('on_error') or 'handoff')})")
        else:
            text += f" → {_val(e.get('output'), 200)}"
        return text
    if kind == "snippet_run":
        text = f"{_step(e)}snippet {_esc(e.get('status', ''))}"
        if e.get("assigned"):
            text += f", set {_esc(', '.join(e['assigned']))}"
        if e.get("error"):
            text += f" <span style='color:#b3261e'>{_esc(e['error'])}</span>"
        return text
    if kind == "attachment":
        return f"<b>{_esc(e.get('file'))}</b>: {_esc(e.get('how'))}"
    if kind == "knowledge_used":
        return f"{_step(e)}article <b>{_esc(e.get('title') or e.get('article'))}</b>"
    if kind == "checkpoint":
        text = f"{_step(e)}<b>{_esc(e.get('mode', ''))}</b>"
        if e.get("decision"):
            source = e.get("decision_source")
            text += f": {_esc(e['decision'])}"
            if source == "default":
                text += " <i>(no decision in fixtures: approved by default)</i>"
            elif source:
                text += f" <span style='color:#5c6b7a'>(from {_esc(source)})</span>"
        if e.get("note"):
            text += f" — note: “{_esc(e['note'])}”"
        return text
    if kind == "handoff":
        return (f"{_step(e)}handed off: {_esc(e.get('reason', ''))}"
                + (f" — note: “{_esc(e['note'])}”" if e.get("note") else ""))
    if kind == "end":
        return (f"outcome <b>{_esc(e.get('outcome'))}</b>"
                + (f" — {_esc(e['reason'])}" if e.get("reason") else ""))
    if kind == "error":
        return f"<span style='color:#b3261e'>{_esc(e.get('message', ''))}</span>"
    text = ", ".join(f"{_esc(k)}={_val(v, 200)}" for k, v in e.items() if k not in _QUIET)
    for key in ("reasoning", "thought", "explanation"):
        if isinstance(e.get(key), str):
            text = f"<i>{_esc(e[key])}</i>"
    return _step(e) + text


def _step(e: dict[str, Any]) -> str:
    step = e.get("step")
    return f"<span style='color:#5c6b7a'>[{_esc(step)}]</span> " if step else ""


def badge(kind: str) -> str:
    label, colour = KIND_STYLE.get(kind, (kind, "#5c6b7a"))
    return (f"<span style='color:{colour}; font-weight:600'>"
            f"{html.escape(label.upper())}</span>")


def _shown(event: dict[str, Any]) -> bool:
    """Bubbles already show hidden kinds; a reply still shows the model's reasoning."""
    kind = event_kind(event)
    return kind not in HIDDEN or (kind == "reply" and bool(event.get("reasoning")))


def visible(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if _shown(e)]


def reasoning_rows(events: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """(badge HTML, description HTML) per visible event."""
    return [(badge(event_kind(e)), describe(e)) for e in visible(events)]


def reasoning_html(events: Iterable[dict[str, Any]]) -> str:
    rows = []
    for event in events:
        kind = event_kind(event)
        if not _shown(event):
            continue
        rows.append(f"<tr><td style='padding:2px 10px 2px 0; white-space:nowrap'>{badge(kind)}</td>"
                    f"<td style='padding:2px 0'>{describe(event)}</td></tr>")
    if not rows:
        return "<i>No decisions recorded for this turn.</i>"
    return "<table cellspacing='0'>" + "".join(rows) + "</table>"


def events_by_turn(trace: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """Trace events grouped under the customer turn they answer (1-based).

    Uses each event's `turn` when the engine sets it; otherwise a new turn
    starts after every reply event.
    """
    grouped: dict[int, list[dict[str, Any]]] = {}
    if any("turn" in e for e in trace):
        last = 1
        for event in trace:
            turn = event.get("turn")
            last = int(turn) if isinstance(turn, (int, float)) and turn else last
            grouped.setdefault(last, []).append(event)
        return grouped
    turn = 1
    for event in trace:
        grouped.setdefault(turn, []).append(event)
        if event_kind(event) == "reply":
            turn += 1
    return grouped
