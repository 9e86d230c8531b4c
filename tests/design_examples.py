"""The example files of DESIGN.md (sections 3 and 5), copied verbatim (format v1
is a contract: tests/test_core_design_examples.py checks the copies still match
DESIGN.md, block by block, matched by their `schema:` line), and a writer of
project files, for tests that build on them."""
from __future__ import annotations

import re
from pathlib import Path

STUDIO = r"""schema: studio/v1
name: Fresh Bites support
tone: Friendly and concise.          # style guidance for generated replies
model: {name: offline}               # or any litellm model id, plus api_base, temperature
segments:                            # customer attribute presets for simulations
  vip: {plan: pro, lifetime_value: 2400}
  new: {plan: free, lifetime_value: 0}
secrets: [SHOP_TOKEN]                # the only names `{{ secrets.X }}` may read
fallback: {say: "How can I help you today?", attempts: 1}
"""

CONNECTOR = r"""schema: connector/v1
id: get_order
description: Look up an order by its number.
inputs: {order_id: {type: string, required: true}}
request:                              # used only when real calls are enabled
  method: GET
  url: "https://api.example.com/orders/{{ order_id }}"
  headers: {Authorization: "Bearer {{ secrets.SHOP_TOKEN }}"}
sample: {status: delivered, total: 42.5, hours_since_delivery: 3}   # default mock
"""

PROCEDURE = r"""schema: procedure/v1
id: damaged-order
title: Damaged food order
trigger:
  description: The customer's food order arrived damaged, crushed or spilled.
  examples: ["my order arrived damaged", "the pizza was crushed"]
channels: [chat, email]
variables:
  order_id: {type: string, description: "Order number, like FD-123456", pattern: 'FD-\d{6}'}
  has_photo: {type: boolean, description: The customer sent a photo of the damage}
switch_rules:
  - {keywords: [lawyer, chargeback, legal], to: complaints}
  - {when: 'order.total > 500', to: high-value-claims}
steps:
  - id: ask-order
    kind: instruction
    text: Apologise and ask for the order number and a photo of the damage.
    say: "I'm sorry about that! What's your order number? A photo helps too."
    collect: [order_id]
  - id: lookup
    kind: connector
    connector: get_order
    inputs: {order_id: "{{ order_id }}"}
    save_as: order
  - id: eligible
    kind: condition
    branches:
      - when: order.status == "delivered" and order.hours_since_delivery <= 24
        steps:
          - {id: amount, kind: code, code: "refund = round(order.total * (1.0 if has_photo else 0.5), 2)"}
          - {id: approve, kind: checkpoint, mode: approval, when: refund > 50,
             note: "Refund {{ refund }} for {{ order_id }}"}
          - {id: pay, kind: connector, connector: issue_refund,
             inputs: {order_id: "{{ order_id }}", amount: "{{ refund }}"}}
          - {id: done, kind: end, outcome: resolved, say: "I've refunded {{ refund }}."}
      - when: else
        steps:
          - {id: late, kind: checkpoint, mode: handoff,
             note: "Order {{ order_id }} is past the 24 h window; customer wants a refund.",
             say: "I'm passing you to a teammate who can help."}
"""

SIMULATION = r"""schema: simulation/v1
name: Crushed pizza within 24 h with photo is refunded in full after approval
procedure: damaged-order            # the procedure it exercises
tags: [refunds, happy-path]
customer:
  segment: vip                      # or attributes: {...}
  script:                           # scripted turns, sent in order
    - "Hi, my pizza arrived completely crushed"
    - text: "It's FD-123456, photo attached"
      attachments: [{file: crushed.jpg, extracted: {has_photo: true}}]
  persona: Polite but in a hurry    # used when a real model plays the customer
  goal: Get a refund for the crushed pizza
fixtures:
  connectors:
    get_order: {status: delivered, total: 64.9, hours_since_delivery: 3}
    issue_refund: [{ok: true}]      # a list is consumed one call at a time
  approvals: {approve: approved}
expect:
  procedure: damaged-order          # the procedure that must trigger
  outcome: resolved
  visited: [lookup, amount, approve, pay, done]   # step ids; `procedure-id.step-id` where ambiguous
  not_visited: [late]
  variables: {refund: 64.9}
  connector_calls: [{connector: issue_refund, inputs: {order_id: FD-123456, amount: 64.9}}]
  not_called: [cancel_order]        # connectors that must not be called
  replies_contain: ["64.9"]         # case-insensitive, over all agent replies
  replies_not_contain: ["sorry for the delay"]
  note_contains: ["FD-123456"]      # the internal note of a handoff or approval
  max_turns: 6
  rubric: ["The agent apologises before asking for details"]   # judged by a model only
"""

APPROVAL = r"""schema: approval/v1
procedure: damaged-order
revision: 9f2c4e...              # full sha256
environment: production          # one of studio.yaml `environments` (default [staging, production])
approved_by: Dana Reviewer       # from settings, else the OS user
approved_at: 2026-12-01T14:03:00Z
comment: Refund threshold raised to 50 after the policy change
evidence: {run: 42, passed: 21, failed: 0, errors: 0, skipped: 2}
"""

# Each copy under the `schema:` its block in DESIGN.md starts with.
BY_SCHEMA = {"studio/v1": STUDIO, "connector/v1": CONNECTOR, "procedure/v1": PROCEDURE,
             "simulation/v1": SIMULATION, "approval/v1": APPROVAL}


def design_blocks(markdown: str) -> dict[str, str]:
    """DESIGN.md's yaml blocks that start with a `schema:` line, keyed by that schema,
    so a block added or moved elsewhere in the document does not shift the others."""
    blocks = {}
    for block in re.findall(r"```yaml\n(.*?)```", markdown, re.S):
        found = re.match(r"schema:\s*(\S+)", block)
        if found:
            blocks[found.group(1)] = block
    return blocks


def step_yaml(procedure_text: str, step_id: str) -> str:
    """The lines of one top-level step (`  - id: STEP` up to the next step), as written."""
    lines = procedure_text.splitlines(keepends=True)
    start = lines.index(f"  - id: {step_id}\n")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("  - ")), len(lines))
    return "".join(lines[start:end])


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (path relative to root -> text) under root, making folders."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
