"""The README's command table lists every `studio` sub-command, action and flag that
exists, so a reader never has to guess from `--help` what the table left out."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from studio.cli import build_parser

README = Path(__file__).resolve().parents[1] / "README.md"


def _choices(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _flags(parser: argparse.ArgumentParser) -> set[str]:
    found = set()
    for action in parser._actions:
        longs = [o for o in action.option_strings if o.startswith("--") and o != "--help"]
        found.update(longs[:1])
    return found


def _table_rows() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## The `studio` command", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| `studio")]


def _cells(row: str) -> list[str]:
    """A table row's cells ('\\|' inside a cell is a literal bar)."""
    return re.split(r"(?<!\\)\|", row)


def test_the_command_table_lists_every_command_action_and_flag():
    rows = _table_rows()
    missing = []
    for name, parser in _choices(build_parser()).items():
        mine = [_cells(r)[1] for r in rows
                if f"`studio {name} " in r or f"`studio {name}`" in r or f"studio {name} [" in r]
        if not mine:
            missing.append(f"studio {name}")
            continue
        text = " ".join(mine)
        wanted = _flags(parser)
        for action, sub in _choices(parser).items():
            if action not in text:
                missing.append(f"studio {name} {action}")
            wanted |= _flags(sub)
        missing += [f"studio {name} {flag}" for flag in sorted(wanted) if flag not in text]
    assert not missing, "README's command table lacks: " + ", ".join(missing)


def test_draft_row_says_it_never_overwrites_without_force():
    draft = next(r for r in _table_rows() if r.startswith("| `studio draft"))
    assert "--force" in _cells(draft)[1] and "overwrit" in _cells(draft)[2]
