"""`studio schema [KIND] [--out DIR]`: JSON Schemas so editors validate project YAML."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from studio.core.schema_export import SCHEMA_KINDS, json_schema


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "schema", help="print or write the JSON Schema of each file kind",
        description="JSON Schema of studio.yaml, procedures, connectors and simulations. "
                    "Point VS Code's YAML extension at them, or add a first line "
                    "`# yaml-language-server: $schema=<file>` to a YAML file.")
    parser.add_argument("kind", nargs="?", choices=SCHEMA_KINDS,
                        help="one file kind (default: all)")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="write <kind>.schema.json files into DIR instead of printing")
    parser.set_defaults(func=run)


def run(args) -> int:
    kinds = [args.kind] if args.kind else list(SCHEMA_KINDS)
    if args.out is None:
        data = json_schema(kinds[0]) if args.kind else {k: json_schema(k) for k in kinds}
        print(json.dumps(data, indent=2))
        return 0
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"error: cannot create {args.out}: {exc}", file=sys.stderr)
        return 2
    for kind in kinds:
        path = args.out / f"{kind}.schema.json"
        path.write_text(json.dumps(json_schema(kind), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return 0
