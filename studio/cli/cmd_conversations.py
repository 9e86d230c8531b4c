"""`studio conversations import|replay|report|to-sim PROJECT ...`: production
conversations in (DESIGN.md section 6); divergences, analytics and new regression
simulations out.

Exit codes: 0 ok, 1 refused or failed checks (records rejected, divergences found,
simulation not saved), 2 bad input or errors.
"""
from __future__ import annotations

import importlib


ACTIONS = {
    "import": ("conv_import", "import production conversations (JSONL, CSV or Intercom export)"),
    "replay": ("conv_replay", "replay conversations through today's procedures, list divergences"),
    "report": ("conv_report", "per procedure per week: triggered, resolved, handed off; CSAT; "
                              "unmatched requests"),
    "to-sim": ("conv_to_sim", "turn a conversation into a simulation (golden capture)"),
}


def register(subparsers) -> None:
    p = subparsers.add_parser("conversations", help="production conversations: import, replay, "
                              "report, to-sim", description=__doc__)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    for action, (module, text) in ACTIONS.items():
        mod = importlib.import_module(f"{__package__}.{module}")
        sub = actions.add_parser(action, help=text, description=mod.__doc__)
        mod.add_arguments(sub)
        sub.set_defaults(func=mod.main)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])
