"""The CI example (docs/ci-shards.md) stays a working example: every `studio` command in
its GitHub Actions and GitLab jobs is one the CLI accepts, with the matrix variables put
in (that the shards cover a library exactly once: test_library_shards.py)."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

from studio.cli import build_parser
from studio.core.yaml_io import parse_yaml

DOC = Path(__file__).resolve().parent.parent / "docs" / "ci-shards.md"
MATRIX = {"${{ matrix.shard }}": "{k}", "$CI_NODE_INDEX": "{k}", "$CI_NODE_TOTAL": "{n}"}


def _strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


def documented_commands() -> list[str]:
    """Each `studio ...` command of the doc's YAML jobs (folded lines joined, `&&` split)."""
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 2, "the GitHub Actions and the GitLab example"
    commands = []
    for block in blocks:
        for text in _strings(parse_yaml(block)[0]):
            for part in " ".join(text.split()).split("&&"):
                if part.strip().startswith("studio "):
                    commands.append(part.strip())
    return commands


def test_every_documented_command_is_accepted_by_the_cli():
    commands = documented_commands()
    assert sum("run-all" in c and "--shard" in c for c in commands) == 2
    assert sum("runs merge" in c for c in commands) == 2
    for command in commands:
        for variable, value in MATRIX.items():
            command = command.replace(variable, value)
        argv = shlex.split(command.format(k=2, n=4))[1:]
        args = build_parser(argv[0]).parse_args(argv)      # exits (SystemExit) if refused
        if argv[0] == "run-all":
            assert args.shard[:2] == (2, 4) and args.json and args.json.endswith(".json")

