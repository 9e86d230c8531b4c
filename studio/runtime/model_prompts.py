"""The prompts of the model engine, kept apart so they can be read and tuned at once.

Each builder returns chat messages; the answer shapes are pydantic models so the
reply is validated however the model was asked for JSON.
"""
from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from studio.core.simulation import CustomerTurn

MAX_ARTICLE_CHARS = 4000
HISTORY_TURNS = 12


class ReplyAnswer(BaseModel):
    reasoning: str = Field(default="", description="Briefly, how the reply follows the instructions.")
    reply: str = Field(description="The message to send to the customer.")


def message_text(message: CustomerTurn) -> str:
    text = message.text or ""
    if message.attachments:
        files = ", ".join(a.file for a in message.attachments)
        text = f"{text}\n[attached: {files}]".strip()
    return text


def history(transcript: list[Any], limit: int = HISTORY_TURNS * 2) -> str:
    """The conversation so far as plain lines (internal notes left out)."""
    lines = []
    for entry in transcript[-limit:]:
        role = entry.get("role") if isinstance(entry, dict) else getattr(entry, "role", "")
        text = entry.get("text") if isinstance(entry, dict) else getattr(entry, "text", "")
        if role in ("customer", "agent"):
            lines.append(f"{role.upper()}: {text}")
    return "\n".join(lines) or "(no messages yet)"


def route_messages(procedures: dict[str, Any], message: CustomerTurn) -> list[dict[str, str]]:
    catalogue = []
    for pid, proc in procedures.items():
        item = {"id": pid, "title": proc.title, "when": proc.trigger.description}
        if proc.trigger.examples:
            item["examples"] = proc.trigger.examples[:8]
        catalogue.append(item)
    system = (
        "You route a customer's first message in a customer-service chat to the one "
        "procedure that handles it. Choose a procedure only when the message clearly "
        "matches its trigger; otherwise answer null (a human teammate will take over).\n"
        "Procedures:\n" + json.dumps(catalogue, ensure_ascii=False, indent=1) +
        "\nAnswer in JSON with `reasoning` and `procedure` (an id above, or null).")
    return [{"role": "system", "content": system},
            {"role": "user", "content": message_text(message)}]


def switch_messages(rules: list[dict[str, Any]], message: CustomerTurn,
                    transcript: list[Any]) -> list[dict[str, str]]:
    system = (
        "You watch a customer-service chat for signals that the conversation must move "
        "to another procedure. Rules (each with what to listen for):\n"
        + _switch_rules(rules) + "\n" + _SWITCH_SENSE + " Answer in JSON with `reasoning` "
        "and `rule` (the rule's number, or null when none applies).")
    return [{"role": "system", "content": system},
            {"role": "user", "content": _latest(message, transcript)}]


def describe_rule(rule: Any) -> str:
    parts = []
    if rule.description:
        parts.append(rule.description)
    if rule.keywords:
        parts.append("the customer mentions " + " / ".join(f"'{k}'" for k in rule.keywords))
    return "; or ".join(parts)


def _switch_rules(rules: list[dict[str, Any]]) -> str:
    return "\n".join(f"{i}. {r['listen']} -> {r['to']}" for i, r in enumerate(rules, 1))


_SWITCH_SENSE = ("A rule applies only when the customer's latest message clearly signals it, "
                 "not when a word merely appears in another sense.")


def _describe_variables(variables: dict[str, Any]) -> str:
    out = []
    for name, var in variables.items():
        line = f"- {name} ({var.type}): {var.description or name.replace('_', ' ')}"
        if var.options:
            line += f"; one of {var.options}"
        if var.pattern:
            line += f"; format {var.pattern}"
        out.append(line)
    return "\n".join(out) or "(none)"


def _extraction_task(*, step_text: str, wanted: dict[str, Any], others: dict[str, Any],
                     known: dict[str, Any], is_start: bool) -> str:
    situation = ("This message opened the conversation." if is_start else
                 "The agent's last message asked for the step's information; the customer's "
                 "latest message answers it.")
    return (
        "Fill a field only when the message (read with the conversation for "
        "context, e.g. 'yes' answering a yes/no question) states it; otherwise null. "
        "Never guess or invent values.\n"
        f"The current step: {step_text}\n{situation}\n"
        f"Values the step asks for:\n{_describe_variables(wanted)}\n"
        + (f"Other values, only if the message states them explicitly:\n"
           f"{_describe_variables(others)}\n" if others else "")
        + (f"Already known: {json.dumps(known, ensure_ascii=False, default=str)}\n" if known else ""))


def _latest(message: CustomerTurn, transcript: list[Any]) -> str:
    return (f"Conversation so far:\n{history(transcript)}\n\n"
            f"Latest customer message:\n{message_text(message)}")


def extract_messages(message: CustomerTurn, *, step_text: str, wanted: dict[str, Any],
                     others: dict[str, Any], known: dict[str, Any], transcript: list[Any],
                     is_start: bool) -> list[dict[str, str]]:
    system = (
        "You read a customer's message in a customer-service chat and extract the values "
        "it states. " + _extraction_task(step_text=step_text, wanted=wanted, others=others,
                                         known=known, is_start=is_start)
        + "Answer in JSON with a short `reasoning` and one field per value.")
    return [{"role": "system", "content": system},
            {"role": "user", "content": _latest(message, transcript)}]


def switch_extract_messages(rules: list[dict[str, Any]], message: CustomerTurn, *,
                            step_text: str, wanted: dict[str, Any], others: dict[str, Any],
                            known: dict[str, Any], transcript: list[Any],
                            is_start: bool) -> list[dict[str, str]]:
    """The switch check and the extraction as one question (one call per customer turn)."""
    system = (
        "You read a customer's message in a customer-service chat. First, check it for "
        "signals that the conversation must move to another procedure. Switch rules (each "
        "with what to listen for):\n" + _switch_rules(rules) + "\n" + _SWITCH_SENSE + "\n"
        "Then extract the values the message states. "
        + _extraction_task(step_text=step_text, wanted=wanted, others=others, known=known,
                           is_start=is_start)
        + "Answer in JSON with a short `reasoning`, `switch_rule` (the rule's number, or null "
        "when none applies) and one field per value.")
    return [{"role": "system", "content": system},
            {"role": "user", "content": _latest(message, transcript)}]


def reply_messages(parts: list[Any], *, variables: dict[str, Any], articles: list[Any],
                   transcript: list[Any], tone: str | None,
                   customer: dict[str, Any] | None = None) -> list[dict[str, str]]:
    lines = []
    for i, part in enumerate(parts, 1):
        what = {"say": "Tell the customer", "ask": "Ask the customer",
                "reask": "The customer has not given it yet: ask again, differently",
                "checkpoint": "Tell the customer", "handoff": "Tell the customer a teammate "
                "will take over", "end": "Close the conversation"}.get(part.purpose, "Do")
        line = f"{i}. {what}: {part.text or ''}".rstrip(": ")
        if part.say:
            line += f'\n   Example wording (keep its facts and numbers): "{part.say}"'
        lines.append(line)
    system = (
        "You are a customer-service agent writing your next chat message. Follow these "
        "instructions, in order, in one message:\n" + "\n".join(lines) + "\n"
        "Say only what the instructions and the facts below support; never promise anything "
        "else, never mention internal notes, procedures or tools.\n"
        + (f"Tone: {tone}\n" if tone else "")
        + (f"Facts: {json.dumps(variables, ensure_ascii=False, default=str)}\n" if variables else "")
        + (f"About the customer: {json.dumps(customer, ensure_ascii=False, default=str)}\n"
           if customer else ""))
    for article in articles:
        body = article.body[:MAX_ARTICLE_CHARS]
        system += f"\nKnowledge article '{article.title}':\n{body}\n"
    system += "\nAnswer in JSON with `reasoning` (brief) and `reply` (the message itself)."
    user = f"Conversation so far:\n{history(transcript)}\n\nWrite your next message."
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]
