"""`studio model test PROJECT [--model M] [--api-base URL]`: check the model connection.

Sends one tiny request and prints the model, the latency and, when it fails,
what is wrong and how to fix it. Exit 0 when the model answered, 2 otherwise.
"""
from __future__ import annotations

import sys

from .model_flags import add_model_flags, load_model_project, settings_from_args


def register(subparsers) -> None:
    p = subparsers.add_parser("model", help="check the connection to the model",
                              description=__doc__)
    sub = p.add_subparsers(dest="model_command", metavar="ACTION")
    t = sub.add_parser("test", help="send a tiny request and report latency or the problem")
    t.add_argument("project", metavar="PROJECT", help="the project folder")
    add_model_flags(t)
    t.add_argument("--timeout", type=float, default=None, metavar="S", help="seconds to wait")
    t.set_defaults(func=main)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def main(args) -> int:
    from studio.llm.check import check_model

    project = load_model_project(args.project)
    if project is None:
        return 2
    settings = settings_from_args(project, args, timeout=args.timeout)
    result = check_model(settings)
    stream = sys.stdout if result.ok else sys.stderr
    for line in result.lines():
        print(line, file=stream)
    return 0 if result.ok else 2
