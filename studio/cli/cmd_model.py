"""`studio model test PROJECT [--model M] [--api-base URL]`: check the model connection.

Sends one tiny request and prints the model, the latency and, when it fails,
what is wrong and how to fix it. Exit 0 when the model answered, 2 otherwise.
"""
from __future__ import annotations

import sys
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser("model", help="check the connection to the model",
                              description=__doc__)
    sub = p.add_subparsers(dest="model_command", metavar="ACTION")
    t = sub.add_parser("test", help="send a tiny request and report latency or the problem")
    t.add_argument("project", metavar="PROJECT", help="the project folder")
    t.add_argument("--model", metavar="M", help="litellm model id (overrides studio.yaml)")
    t.add_argument("--api-base", metavar="URL", help="base URL of an OpenAI-compatible server")
    t.add_argument("--timeout", type=float, default=None, metavar="S", help="seconds to wait")
    t.set_defaults(func=main)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def main(args) -> int:
    from studio.core.project import load_project
    from studio.llm.check import check_model
    from studio.llm.settings import resolve_settings

    root = Path(args.project)
    if not (root / "studio.yaml").is_file():
        print(f"error: {root} is not a Procedure Studio project (no studio.yaml)", file=sys.stderr)
        return 2
    project = load_project(root)
    settings = resolve_settings(project.settings.model, model=args.model, api_base=args.api_base,
                                timeout=args.timeout)
    result = check_model(settings)
    stream = sys.stdout if result.ok else sys.stderr
    for line in result.lines():
        print(line, file=stream)
    return 0 if result.ok else 2
