"""The plain dump: how a new file, an export bundle or a copied step is written.

PyYAML's emitter writes it, because its layout is the format those files have
always had (nested lists as `- - x`, where long lines wrap, which quotes), and an
export bundle lists every file's SHA-256 and is signed: the same revision must
export to the same bytes. ruamel's emitter differs on all three. Everything else
about YAML (reading, positions, limits, saving onto a hand-written file) is
ruamel.yaml's (yaml_io).
"""
from __future__ import annotations

from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line strings as `|`, lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _str_representer(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def plain_dump(data: Any, width: int = 100) -> str:
    """Block style, keys in their order, text as written (no \\u escapes)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=width)


