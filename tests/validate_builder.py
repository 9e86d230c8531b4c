"""A small, valid project written as text, for validation tests to break one piece at a time.

Line numbers matter: tests assert where problems are reported, so edit with care.
"""
from __future__ import annotations

from pathlib import Path

from design_examples import write_files
from studio.core.problems import Problem
from studio.core.project import load_project
from studio.core.validate import validate_project

STUDIO = """\
schema: studio/v1
name: Test shop
segments:
  vip: {plan: pro}
secrets: [TOKEN]
"""

GET_ORDER = """\
schema: connector/v1
id: get_order
description: Look up an order.
inputs:
  order_id: {type: string, required: true}
request:
  url: "https://api.example.com/orders/{{ order_id }}"
  headers: {Authorization: "Bearer {{ secrets.TOKEN }}"}
sample: {status: delivered, total: 42.5}
"""

REFUND = """\
schema: connector/v1
id: issue_refund
inputs:
  order_id: {type: string, required: true}
  amount: {type: number, required: true}
sample: {ok: true}
"""

# line numbers:  1 schema, 2 id, ..., see asserts in the tests
DAMAGED = """\
schema: procedure/v1
id: damaged-order
title: Damaged order
variables:
  order_id: {type: string, pattern: 'FD-\\d{6}'}
  has_photo: {type: boolean}
  size: {type: enum, options: [small, large]}
switch_rules:
  - {keywords: [lawyer], to: complaints}
steps:
  - id: ask-order
    kind: instruction
    text: Ask for the order number.
    say: "What's your order number?"
    collect: [order_id]
  - id: policy
    kind: knowledge
    article: refunds
  - id: lookup
    kind: connector
    connector: get_order
    inputs: {order_id: "{{ order_id }}"}
    save_as: order
  - id: check
    kind: subprocedure
    procedure: identity
  - id: eligible
    kind: condition
    branches:
      - when: order.status == "delivered" and has_photo
        steps:
          - id: amount
            kind: code
            code: |
              refund = round(order.total * (1.0 if has_photo else 0.5), 2)
          - {id: approve, kind: checkpoint, mode: approval, when: refund > 50, note: "Refund {{ refund }}"}
          - {id: pay, kind: connector, connector: issue_refund, inputs: {order_id: "{{ order_id }}", amount: "{{ refund }}"}}
          - {id: done, kind: end, outcome: resolved, say: "Refunded {{ refund }}."}
      - when: else
        steps:
          - {id: late, kind: checkpoint, mode: handoff, note: "Order {{ order_id }} is late."}
"""

IDENTITY = """\
schema: procedure/v1
id: identity
title: Identity check
variables:
  email: {type: email}
steps:
  - {id: ask-email, kind: instruction, text: Ask for the email., collect: [email]}
"""

COMPLAINTS = """\
schema: procedure/v1
id: complaints
title: Complaints
trigger: {examples: [I want to complain]}
steps:
  - {id: note, kind: checkpoint, mode: handoff, note: "Complaint about {{ order_id }}"}
"""

SIMULATION = """\
schema: simulation/v1
name: Crushed pizza is refunded
procedure: damaged-order
customer:
  segment: vip
  script:
    - My pizza arrived crushed
    - text: It's FD-123456
      attachments: [{file: crushed.jpg, extracted: {has_photo: true}}]
fixtures:
  connectors:
    get_order: {status: delivered, total: 42.5}
  approvals: {approve: approved}
expect:
  outcome: resolved
  visited: [lookup, amount, identity.ask-email]
  not_visited: [late]
  variables: {refund: 42.5}
  connector_calls: [{connector: issue_refund, inputs: {order_id: FD-123456, amount: 42.5}}]
  not_called: [get_order]
"""

ARTICLE = "---\ntitle: Refund policy\n---\n\nRefunds within 24 h.\n"


def base_files() -> dict[str, str]:
    return {
        "studio.yaml": STUDIO,
        "connectors/get_order.yaml": GET_ORDER,
        "connectors/issue_refund.yaml": REFUND,
        "procedures/damaged-order.yaml": DAMAGED,
        "procedures/identity.yaml": IDENTITY,
        "procedures/complaints.yaml": COMPLAINTS,
        "simulations/crushed.yaml": SIMULATION,
        "knowledge/refunds.md": ARTICLE,
        "attachments/crushed.jpg": "jpeg",
    }


def write_project(root: Path, changes: dict[str, str | None] | None = None) -> Path:
    """Write the base project with some files replaced (None deletes a file)."""
    files = base_files()
    for rel, text in (changes or {}).items():
        if text is None:
            files.pop(rel, None)
        else:
            files[rel] = text
    return write_files(root, files)


def edit(rel: str, old: str, new: str) -> dict[str, str]:
    """A change to one base file: replace `old` (which must occur once) with `new`."""
    text = base_files()[rel]
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
    return {rel: text.replace(old, new)}


def problems_of(root: Path) -> list[Problem]:
    return validate_project(load_project(root))


def find(problems: list[Problem], code: str) -> list[Problem]:
    return [p for p in problems if p.code == code]


def line_of(rel: str, needle: str, changes: dict[str, str] | None = None) -> int:
    """1-based line of the first line containing `needle` in a (changed) base file."""
    text = (changes or {}).get(rel) or base_files()[rel]
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {rel}")
