"""Intercom's conversation export to DESIGN.md section 6.

An Intercom conversation has a `source` (the opening message) and
`conversation_parts.conversation_parts`, each with `part_type`, an HTML `body`,
`created_at` (Unix seconds) and an `author` whose `type` is user/lead/contact (the
customer), bot (the AI agent) or admin/team (a teammate; an admin part marked
`from_ai_agent` is the AI agent's). Only parts with text are messages: notes,
assignments and state changes are not what the customer saw.
"""
from __future__ import annotations

import html
import re
from typing import Any

CUSTOMER = {"user", "lead", "contact"}
AGENT = {"bot"}
HUMAN = {"admin", "team"}
VISIBLE = {"comment", "open", "close", "assignment", "conversation", "quick_reply", None}
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(br|/p|/div|/li)\s*/?>", re.I)


def html_text(body: str | None) -> str:
    if not body:
        return ""
    text = _BREAK.sub("\n", body)
    text = html.unescape(_TAG.sub("", text))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _role(author: dict[str, Any] | None) -> str | None:
    author = author or {}
    kind = str(author.get("type") or "").lower()
    if author.get("from_ai_agent") or author.get("is_ai_answer") or kind in AGENT:
        return "agent"
    if kind in CUSTOMER:
        return "customer"
    if kind in HUMAN:
        return "human"
    return None


def _message(part: dict[str, Any]) -> dict[str, Any] | None:
    if part.get("part_type") not in VISIBLE or part.get("part_type") == "note":
        return None
    text = html_text(part.get("body"))
    role = _role(part.get("author"))
    if not text or role is None:
        return None
    return {"role": role, "text": text, "at": part.get("created_at")}


def is_intercom(data: dict[str, Any]) -> bool:
    """An Intercom conversation object, not a DESIGN.md section 6 one (no `messages`)."""
    return "messages" not in data and (data.get("type") == "conversation"
                                       or "conversation_parts" in data or "source" in data)


def from_intercom(data: dict[str, Any]) -> dict[str, Any]:
    """Raises ValueError naming what is missing when `data` is not an Intercom conversation."""
    if "id" not in data:
        raise ValueError("an Intercom conversation needs an 'id'")
    parts = data.get("conversation_parts") or {}
    if isinstance(parts, dict):
        parts = parts.get("conversation_parts") or []
    source = data.get("source") or {}
    messages = []
    opening = _message({"part_type": "conversation", "body": source.get("body"),
                        "author": source.get("author"), "created_at": data.get("created_at")})
    if opening:
        messages.append(opening)
    messages += [m for m in (_message(p) for p in parts if isinstance(p, dict)) if m]
    if not messages:
        raise ValueError(f"Intercom conversation {data['id']} has no message with text")
    rating = (data.get("conversation_rating") or {}).get("rating")
    custom = data.get("custom_attributes") or {}
    outcome = custom.get("outcome")
    if outcome is None and any(m["role"] == "human" for m in messages):
        outcome = "handoff"
    return {"id": str(data["id"]), "started_at": data.get("created_at"),
            "channel": "email" if source.get("type") == "email" else "chat",
            "messages": messages, "procedure": custom.get("procedure"), "outcome": outcome,
            "csat": rating}
