"""The issue's "Lost parcel" procedure as files, for tests of what a designer does with it."""
from __future__ import annotations

from pathlib import Path

from engine_kit import make_project

GET_ORDER = {
    "description": "Look up an order by its number.",
    "inputs": {"order_id": {"type": "string", "required": True}},
    "sample": {"status": "delivered", "total": 42.5, "hours_since_delivery": 3},
}

LOST_PARCEL = """\
    schema: procedure/v1
    id: lost-parcel
    title: Lost parcel
    trigger:
      description: The customer's parcel never arrived.
      examples: ["my parcel never arrived", "my parcel is lost"]
    variables:
      order_id: {type: string, description: "Order number, like PK-123456", pattern: 'PK-\\d{6}'}
    steps:
      - {id: ask-order, kind: instruction, text: Ask for the order number., collect: [order_id]}
      - {id: lookup, kind: connector, connector: get_order, inputs: {order_id: "{{ order_id }}"}, save_as: order}
      - id: late
        kind: condition
        branches:
          - when: order.hours_since_delivery > 7 * 24
            steps:
              - {id: compute, kind: code, code: "refund = order.total"}
              - {id: approve, kind: checkpoint, mode: approval, note: "Refund {{ refund }} for {{ order_id }}"}
          - when: else
            steps:
              - {id: handoff, kind: checkpoint, mode: handoff, note: "Parcel {{ order_id }} not found yet"}
      - {id: done, kind: end, outcome: resolved, say: Your refund is on its way.}
"""

# another procedure's simulation uses an FD- order number: suggestions must not borrow it
OTHER_SIMULATION = """\
    schema: simulation/v1
    name: Food order number
    procedure: lost-parcel
    customer: {script: ["my parcel never arrived"]}
    expect: {variables: {order_id: FD-204518}}
"""


def lost_parcel_project(root: Path, *, simulations: dict | None = None, procedure: str = LOST_PARCEL):
    return make_project(root, procedures={"lost-parcel": procedure}, connectors={"get_order": GET_ORDER},
                        settings={"segments": {"vip": {"plan": "pro", "lifetime_value": 2400}}},
                        simulations=simulations)
