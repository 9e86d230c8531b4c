"""Starting points for common customer-service procedures, so a designer begins
from a working shape (ask, look up, decide, hand off) instead of a blank page.

Each template is procedure data with `{id}` and `{title}` filled in; connector
steps name no connector (the designer picks one: no dangerous default).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    description: str
    steps: list[dict[str, Any]]
    variables: dict[str, Any]


_ASK_ORDER = {"id": "ask-order", "kind": "instruction",
              "text": "Ask for the order number.", "collect": ["order_id"]}
_LOOKUP = {"id": "lookup", "kind": "connector", "connector": "", "inputs": {"order_id": "{{ order_id }}"},
           "save_as": "order"}
_ORDER_VAR = {"order_id": {"type": "string", "description": "The customer's order number"}}

TEMPLATES: list[Template] = [
    Template("blank", "Blank", "One instruction step to start from.",
             [{"id": "start", "kind": "instruction", "text": "Greet the customer and ask how you can help."}],
             {}),
    Template("lookup-decide", "Look up an order and decide",
             "Ask for the order number, look it up with a connector, then IF / ELSE on what it returns.",
             [_ASK_ORDER, _LOOKUP,
              {"id": "decide", "kind": "condition", "branches": [
                  {"when": 'order.status == "delivered"', "steps": [
                      {"id": "resolve", "kind": "end", "outcome": "resolved",
                       "say": "Thanks, that's sorted."}]},
                  {"when": "else", "steps": [
                      {"id": "handoff", "kind": "checkpoint", "mode": "handoff",
                       "note": "Order {{ order_id }} needs a teammate."}]}]}],
             _ORDER_VAR),
    Template("refund-approval", "Refund with approval",
             "Look up the order, compute the refund in a code step, ask a supervisor above a limit, end resolved.",
             [_ASK_ORDER, _LOOKUP,
              {"id": "amount", "kind": "code", "code": "refund = round(order.total, 2)"},
              {"id": "approve", "kind": "checkpoint", "mode": "approval", "when": "refund > 50",
               "note": "Refund {{ refund }} for {{ order_id }}"},
              {"id": "done", "kind": "end", "outcome": "resolved", "say": "I've refunded {{ refund }}."}],
             _ORDER_VAR | {"refund": {"type": "number", "description": "Amount to refund"}}),
    Template("collect-handoff", "Collect details and hand off",
             "Ask what a teammate needs, then hand off with a note that carries it.",
             [{"id": "ask-details", "kind": "instruction",
               "text": "Ask for the customer's email and a short description of the problem.",
               "collect": ["email", "problem"]},
              {"id": "handoff", "kind": "checkpoint", "mode": "handoff",
               "note": "{{ email }}: {{ problem }}", "say": "I'm passing you to a teammate who can help."}],
             {"email": {"type": "email", "description": "The customer's email address"},
              "problem": {"type": "string", "description": "What went wrong, in the customer's words"}}),
    Template("faq", "Answer from a knowledge article",
             "Use a knowledge article to answer, then close the conversation.",
             [{"id": "answer", "kind": "knowledge", "article": "",
               "text": "Answer the question with the article."},
              {"id": "done", "kind": "end", "outcome": "resolved"}],
             {}),
]


def template(template_id: str) -> Template:
    return next((t for t in TEMPLATES if t.id == template_id), TEMPLATES[0])


def procedure_data(template_id: str, procedure_id: str, title: str) -> dict[str, Any]:
    """Procedure data (for Procedure.model_validate) of a new procedure from a template."""
    chosen = template(template_id)
    return {"schema": "procedure/v1", "id": procedure_id, "title": title,
            "trigger": {"description": f"The customer needs help with: {title.lower()}.",
                        "examples": [title.lower()]},
            "variables": copy.deepcopy(chosen.variables), "steps": copy.deepcopy(chosen.steps)}
