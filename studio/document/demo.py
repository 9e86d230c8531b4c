"""A small project written from code: for tests, benchmarks and first runs before samples exist."""
from __future__ import annotations

from pathlib import Path

from studio.core.yaml_io import atomic_write, dump_yaml

PROCEDURE = {
    "schema": "procedure/v1", "id": "damaged-order", "title": "Damaged food order",
    "trigger": {"description": "The customer's food order arrived damaged, crushed or spilled.",
                "examples": ["my order arrived damaged", "the pizza was crushed"]},
    "channels": ["chat", "email"],
    "variables": {
        "order_id": {"type": "string", "description": "Order number, like FD-123456",
                     "pattern": r"FD-\d{6}"},
        "has_photo": {"type": "boolean", "description": "The customer sent a photo of the damage"},
    },
    "switch_rules": [{"keywords": ["lawyer", "chargeback"], "to": "complaints"}],
    "steps": [
        {"id": "ask-order", "kind": "instruction",
         "text": "Apologise and ask for the order number and a photo of the damage.",
         "say": "I'm sorry about that! What's your order number? A photo helps too.",
         "collect": ["order_id"]},
        {"id": "policy", "kind": "knowledge", "article": "refund-policy"},
        {"id": "lookup", "kind": "connector", "connector": "get_order",
         "inputs": {"order_id": "{{ order_id }}"}, "save_as": "order"},
        {"id": "eligible", "kind": "condition", "branches": [
            {"when": 'order.status == "delivered" and order.hours_since_delivery <= 24', "steps": [
                {"id": "amount", "kind": "code",
                 "code": "refund = round(order.total * (1.0 if has_photo else 0.5), 2)"},
                {"id": "approve", "kind": "checkpoint", "mode": "approval", "when": "refund > 50",
                 "note": "Refund {{ refund }} for {{ order_id }}"},
                {"id": "pay", "kind": "connector", "connector": "issue_refund",
                 "inputs": {"order_id": "{{ order_id }}", "amount": "{{ refund }}"}},
                {"id": "done", "kind": "end", "outcome": "resolved",
                 "say": "I've refunded {{ refund }}."}]},
            {"when": "else", "steps": [
                {"id": "late", "kind": "checkpoint", "mode": "handoff",
                 "note": "Order {{ order_id }} is past the 24 h window.",
                 "say": "I'm passing you to a teammate who can help."}]}]},
    ],
}
COMPLAINTS = {"schema": "procedure/v1", "id": "complaints", "title": "Formal complaint",
              "trigger": {"description": "The customer wants to complain formally."},
              "steps": [{"id": "take", "kind": "instruction", "text": "Take down the complaint."},
                        {"id": "escalate", "kind": "checkpoint", "mode": "handoff",
                         "note": "Formal complaint"}]}
CONNECTORS = {
    "get_order": {"schema": "connector/v1", "id": "get_order",
                  "description": "Look up an order by its number.",
                  "inputs": {"order_id": {"type": "string", "required": True}},
                  "sample": {"status": "delivered", "total": 42.5, "hours_since_delivery": 3}},
    "issue_refund": {"schema": "connector/v1", "id": "issue_refund", "description": "Refund.",
                     "inputs": {"order_id": {"type": "string", "required": True},
                                "amount": {"type": "number", "required": True}},
                     "sample": {"ok": True}},
}
ARTICLE = "---\ntitle: Refund policy\n---\n\n# Refund policy\n\nDamaged orders are refunded within 24 h.\n"
SIMULATION = {"schema": "simulation/v1", "name": "Crushed pizza refunded",
              "procedure": "damaged-order",
              "customer": {"script": ["my pizza arrived crushed", "FD-123456"]},
              "expect": {"outcome": "resolved"}}


def write_demo_project(root: Path, extra_steps: int = 0) -> Path:
    """Write the demo project; `extra_steps` adds a long procedure `long` for benchmarks."""
    root = Path(root)
    atomic_write(root / "studio.yaml", dump_yaml({"schema": "studio/v1", "name": "Fresh Bites support",
                                                 "model": {"name": "offline"}}))
    atomic_write(root / "procedures/damaged-order.yaml", dump_yaml(PROCEDURE))
    atomic_write(root / "procedures/complaints.yaml", dump_yaml(COMPLAINTS))
    for cid, data in CONNECTORS.items():
        atomic_write(root / f"connectors/{cid}.yaml", dump_yaml(data))
    atomic_write(root / "knowledge/refund-policy.md", ARTICLE)
    atomic_write(root / "simulations/crushed-pizza.yaml", dump_yaml(SIMULATION))
    if extra_steps:
        atomic_write(root / "procedures/long.yaml", dump_yaml(long_procedure(extra_steps)))
    return root


def long_procedure(n: int) -> dict:
    """A procedure of about `n` steps mixing every kind, conditions included."""
    steps, i = [], 0
    while i < n:
        block = i // 10
        steps.append({"id": f"ask-{block}", "kind": "instruction",
                      "text": f"Ask the customer about detail number {block} and note it down "
                              "carefully before moving on.", "collect": ["order_id"]})
        steps.append({"id": f"look-{block}", "kind": "connector", "connector": "get_order",
                      "inputs": {"order_id": "{{ order_id }}"}, "save_as": "order"})
        steps.append({"id": f"calc-{block}", "kind": "code", "code": f"x{block} = {block} * 2"})
        steps.append({"id": f"cond-{block}", "kind": "condition", "branches": [
            {"when": f"order.total > {block}", "steps": [
                {"id": f"in-{block}", "kind": "instruction", "text": "Explain the total."},
                {"id": f"kb-{block}", "kind": "knowledge", "article": "refund-policy"},
                {"id": f"ok-{block}", "kind": "checkpoint", "mode": "approval", "note": "ok?"}]},
            {"when": "else", "steps": [
                {"id": f"sub-{block}", "kind": "subprocedure", "procedure": "complaints"},
                {"id": f"say-{block}", "kind": "instruction", "text": "Say thanks."}]}]})
        steps.append({"id": f"next-{block}", "kind": "instruction", "text": "Continue."})
        i += 10
    steps.append({"id": "finish", "kind": "end", "outcome": "resolved", "say": "Bye!"})
    return {"schema": "procedure/v1", "id": "long", "title": "Long procedure", "steps": steps}
