"""ruamel.yaml round trip for the parts of a hand-written file that changed: it keeps
comments, quotes, block-scalar styles and flow style, which PyYAML throws away.

Plain scalars resolve with the rules the files are read with (yaml_io: YAML 1.1
booleans such as `yes`, dates stay text), so what it leaves unquoted reads back
as the same value."""
from __future__ import annotations

import io
import json
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.compat import ordereddict
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import CommentMark
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarbool import ScalarBoolean
from ruamel.yaml.scalarstring import (DoubleQuotedScalarString, FoldedScalarString,
                                      LiteralScalarString, SingleQuotedScalarString)
from ruamel.yaml.tokens import CommentToken

from .yaml_io import Yaml11Rules
from .yaml_merge_data import match_items, same

FLOW_WIDTH = 100        # a changed flow collection longer than this (and than before) goes block

class _Resolver(Yaml11Rules, VersionedResolver):
    pass


class _WrittenBool(ScalarBoolean):
    """A boolean that remembers how it was written (`yes`, `On`), to write it so again."""
    text = "true"


class _Constructor(RoundTripConstructor):
    def construct_yaml_bool(self, node: Any) -> Any:
        value = _WrittenBool(bool(super().construct_yaml_bool(node)))
        value.text = node.value
        return value


_Constructor.add_constructor("tag:yaml.org,2002:bool", _Constructor.construct_yaml_bool)


class _Representer(RoundTripRepresenter):
    """Writes None as `null`, as the plain dump does (ruamel would leave it empty),
    and booleans as they were written."""


_Representer.add_representer(type(None), lambda representer, _: representer.represent_scalar(
    "tag:yaml.org,2002:null", "null"))
_Representer.add_representer(_WrittenBool, lambda representer, data: representer.represent_scalar(
    "tag:yaml.org,2002:bool", data.text))


def new_yaml(mapping_indent: int = 2, dash_offset: int = 2) -> YAML:
    """A round-trip YAML that never wraps lines and indents like the file it edits."""
    rt = YAML()
    rt.Resolver = _Resolver
    rt.Representer = _Representer
    rt.Constructor = _Constructor
    rt.brace_single_entry_mapping_in_flow_sequence = True     # keep [{ok: true}], not [ok: true]
    rt.width = 4096
    rt.preserve_quotes = True
    rt.allow_duplicate_keys = True
    rt.indent(mapping=mapping_indent, sequence=dash_offset + 2, offset=dash_offset)
    return rt


def load(rt: YAML, text: str) -> Any:
    return rt.load(text)


def dump(rt: YAML, data: Any) -> str:
    buffer = io.StringIO()
    rt.dump(data, buffer)
    return buffer.getvalue()


def plain(value: Any) -> Any:
    """ruamel's round-trip objects as plain Python data."""
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (bool, ScalarBoolean)):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def flow_length(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, default=str))


def _is_flow(node: Any) -> bool:
    return isinstance(node, (CommentedMap, CommentedSeq)) and bool(node.fa.flow_style())


def fresh(value: Any, like: Any = None) -> Any:
    """New data as ruamel nodes, styled like the value it replaces (or a sibling):
    quotes kept, flow style kept while it fits, multi-line text as `|`."""
    if isinstance(value, dict):
        node: Any = CommentedMap((k, fresh(v)) for k, v in value.items())
    elif isinstance(value, list):
        node = CommentedSeq(fresh(v) for v in value)
    elif isinstance(value, str):
        return _styled(value, like)
    else:
        return value
    if (_is_flow(like) and isinstance(like, dict) == isinstance(value, dict) and not _multi_line(value)
            and flow_length(value) <= max(FLOW_WIDTH, flow_length(plain(like)))):
        node.fa.set_flow_style()
    else:
        node.fa.set_block_style()
    return node


def _styled(text: str, like: Any) -> Any:
    if "\n" in text:
        return LiteralScalarString(text)
    if isinstance(like, (DoubleQuotedScalarString, SingleQuotedScalarString, FoldedScalarString,
                         LiteralScalarString)):
        return type(like)(text)
    return text


def merge(node: Any, new: Any) -> Any:
    """`node` (round-trip data) changed as little as possible to hold `new`;
    returns the node to put in its place (often `node` itself)."""
    if isinstance(new, (dict, list)) and not new and not same(plain(node), new):
        return fresh(new, like=node)          # emptied: its comments have nothing to sit on
    if isinstance(node, CommentedMap) and isinstance(new, dict):
        before = flow_length(plain(node)) if _is_flow(node) else 0
        _merge_map(node, new)
        _refit(node, new, before)
        return node
    if isinstance(node, CommentedSeq) and isinstance(new, list):
        if same(plain(node), new):
            return node
        before = flow_length(plain(node)) if _is_flow(node) else 0
        _merge_seq(node, new)
        _refit(node, new, before)
        return node
    if same(plain(node), new):
        return node
    return fresh(new, like=node)


def _refit(node: Any, new: Any, before: int) -> None:
    """A changed flow collection stays flow while it fits: not much longer than the
    width (or than it was), and no multi-line text that reads better as `|`."""
    if before and (flow_length(new) > max(FLOW_WIDTH, before) or _multi_line(new)):
        node.fa.set_block_style()


def _multi_line(value: Any) -> bool:
    values = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return any(isinstance(v, str) and "\n" in v for v in values)


def _merge_map(node: CommentedMap, new: dict) -> None:
    for key in [k for k in node if k not in new]:
        _delete_key(node, key)
    last = -1
    for key, value in new.items():
        if key in node:
            old = node[key]
            merged = merge(old, value)
            if merged is not old:
                if isinstance(old, (CommentedMap, CommentedSeq)) and old:
                    _drop_inner_comments(node, key)
                ordereddict.__setitem__(node, key, merged)   # not the setter that restyles strings
            last = list(node).index(key)
        else:
            last += 1
            node.insert(last, key, fresh(value))


def _drop_inner_comments(node: CommentedMap, key: Any) -> None:
    """A collection replaced by a scalar or emptied: the comment lines that sat above
    its first entry (ruamel keeps them on the key) would land inside the new value."""
    entry = node.ca.items.get(key)
    if not entry:
        return
    if len(entry) > 3:
        entry[3] = None
    token = entry[2]
    if isinstance(token, CommentToken) and "\n" in token.value.rstrip("\n"):
        token.value = token.value.split("\n", 1)[0] + "\n"


def _delete_key(node: CommentedMap, key: Any) -> None:
    """Delete `key`; comment lines that followed its value (ruamel keeps the comment
    above a key on the key before it) go to the previous key when that is a scalar."""
    keys = list(node)
    entry = node.ca.items.pop(key, None)
    del node[key]
    token = entry[2] if entry and len(entry) > 2 else None
    if not isinstance(token, CommentToken) or "\n" not in token.value:
        return
    rest = token.value.split("\n", 1)[1]
    index = keys.index(key)
    if not rest.strip() or index == 0:
        return
    previous = keys[index - 1]
    if isinstance(node.get(previous), (dict, list)):
        return
    slot = node.ca.items.setdefault(previous, [None, None, None, None])
    if slot[2] is None:
        slot[2] = CommentToken("\n" + rest, CommentMark(0), None)
    else:
        slot[2].value = slot[2].value + rest


def _merge_seq(node: CommentedSeq, new: list) -> None:
    items = list(node)
    comments = dict(node.ca.items)
    pairs = match_items([plain(item) for item in items], new)
    result: list[tuple[Any, Any]] = []
    for j, value in enumerate(new):
        i = pairs[j]
        if i is None:
            neighbour = items[min(j, len(items) - 1)] if items else None
            result.append((fresh(value, like=neighbour), None))
        else:
            result.append((merge(items[i], value), comments.get(i)))
    list.__delitem__(node, slice(None))
    node.ca.items.clear()
    for j, (item, comment) in enumerate(result):
        list.append(node, item)
        if comment is not None:
            node.ca.items[j] = comment
