"""Saving onto a file a designer wrote by hand: only what changed is rewritten.

Designers hand-edit and diff these files, so a save must not drop their comments,
their explicit defaults (`outcome: resolved`), their flow style or their quotes.
The file's lines are kept and spliced: a mapping key or list item whose data is
unchanged keeps its exact lines (and the comment lines just above it), a changed
block mapping or list is spliced the same way one level down, and only the
smallest changed piece is re-rendered, by ruamel.yaml's round trip so comments,
quotes and flow style inside it survive too. Steps match by id, so moving or
deleting one leaves its neighbours' lines alone.

The result must read back as the saved model; when it would not (or the file is
laid out in a way the splicer does not follow), ruamel merges the whole document,
and failing that the plain dump is written: a save is never lost.
"""
from __future__ import annotations

import logging
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .yaml_io import YamlError, dump_yaml, parse_yaml
from .yaml_merge_data import match_items, same, with_kept_defaults

log = logging.getLogger(__name__)

_ODD_BREAKS = ("\r", "\x85", "\u2028", "\u2029")   # line breaks YAML counts and we would not


class _Unsplittable(Exception):
    """This part of the file is laid out in a way the line splicer does not follow."""


def preserving_yaml(model: Any, old_text: str) -> str:
    """The text to save `model` as over a file that now holds `old_text`."""
    new = model.to_data()
    try:
        old, source = parse_yaml(old_text)
    except YamlError:
        return dump_yaml(new)
    if not isinstance(old, dict) or source.root is None:
        return dump_yaml(new)
    target = with_kept_defaults(old, new, model.model_dump(mode="json", by_alias=True))
    if same(old, target) and _validates_as(old, model):
        return old_text
    for attempt in (_spliced, _merged_whole):
        try:
            text = attempt(old_text, source.root, old, target)
        except Exception as exc:  # any surprise: try the next way, never lose the save
            log.debug("%s failed: %r", attempt.__name__, exc)
            continue
        if reloads_as(text, model):
            return text
        log.debug("%s gave text that does not read back as the model", attempt.__name__)
    return dump_yaml(new)


def reloads_as(text: str, model: Any) -> bool:
    """`text` loads (the way projects are loaded) to a model equal to `model`."""
    try:
        data, _ = parse_yaml(text)
    except YamlError:
        return False
    return _validates_as(data, model)


def _validates_as(data: Any, model: Any) -> bool:
    try:
        return type(model).model_validate(data) == model
    except Exception:
        return False


def _spliced(old_text: str, root: Node, old: dict, target: dict) -> str:
    if any(mark in old_text for mark in _ODD_BREAKS):
        raise _Unsplittable("unusual line breaks")
    _refuse_aliases(root)
    return "".join(_Splicer(old_text, root).document(root, old, target))


def _merged_whole(old_text: str, root: Node, old: dict, target: dict) -> str:
    from . import yaml_roundtrip as rt

    yaml_rt = rt.new_yaml(*_indents(root))
    document = rt.load(yaml_rt, old_text)
    return rt.dump(yaml_rt, rt.merge(document, target))


def _refuse_aliases(root: Node) -> None:
    """Aliases and merge keys tie distant lines together: not for the line splicer."""
    seen: set[int] = set()
    todo = [root]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            raise _Unsplittable("aliases")
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key, value in node.value:
                todo.extend((key, value))
        elif isinstance(node, SequenceNode):
            todo.extend(node.value)


def _indents(root: Node) -> tuple[int, int]:
    """(mapping indent, dash offset under a key) the file uses: 2 and 2 unless it says otherwise."""
    mapping = offset = None
    todo = [root]
    while todo and (mapping is None or offset is None):
        node = todo.pop(0)
        if isinstance(node, MappingNode) and node.flow_style is False:
            for key, value in node.value:
                if value.start_mark.line <= key.start_mark.line or getattr(value, "flow_style", True):
                    continue
                if isinstance(value, SequenceNode) and offset is None:
                    offset = value.start_mark.column - key.start_mark.column
                elif isinstance(value, MappingNode) and mapping is None and value.value:
                    mapping = value.value[0][0].start_mark.column - key.start_mark.column
                todo.append(value)
        elif isinstance(node, SequenceNode):
            todo.extend(node.value)
    mapping = mapping if mapping and 1 <= mapping <= 8 else 2
    offset = offset if offset is not None and 0 <= offset <= mapping else 2
    return mapping, offset


def _is_comment(line: str) -> bool:
    return line.lstrip(" ").startswith("#")


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _split_lines(text: str) -> list[str]:
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _moved(line: str, shift: int) -> str:
    """`line` moved right by `shift` columns (left when negative, never past its text)."""
    if not line.strip():
        return "\n"
    if shift >= 0:
        return " " * shift + line
    return line[min(-shift, _indent_of(line)):]


def _at_column(text: str, col: int) -> list[str]:
    """ruamel's output moved so its first line starts at `col` (it indents a
    top-level list by the dash offset)."""
    lines = _split_lines(text)
    shift = col - (_indent_of(lines[0]) if lines else 0)
    return [_moved(line, shift) for line in lines]


def _keep_comment_gaps(rendered: list[str], original: list[str]) -> list[str]:
    """ruamel keeps an end-of-line comment at its column, but when the line grew past
    it leaves one space; keep the designer's gap instead (`x: 1   # note`)."""
    gaps: dict[str, int] = {}
    for line in original:
        for at in range(1, len(line)):
            if line[at] == "#" and line[at - 1] == " ":
                gaps[line[at:].rstrip("\n")] = at - len(line[:at].rstrip(" "))
    if not gaps:
        return rendered
    out = []
    for line in rendered:
        text = line.rstrip("\n")
        for comment, gap in gaps.items():
            if gap > 1 and text.endswith(" " + comment) and not text.endswith("  " + comment):
                code = text[:-len(comment)].rstrip(" ")
                if code.strip():
                    line = code + " " * gap + comment + "\n"
                break
        out.append(line)
    return out


class _LazyKeys:
    """`key in` a dict built only when first asked."""

    def __init__(self, build):
        self.build = build

    def __contains__(self, key: object) -> bool:
        return key in self.build()


class _Splicer:
    """Builds the new file from the old file's lines, node by node."""

    def __init__(self, text: str, root: Node):
        self.lines = _split_lines(text)
        if self.lines and not self.lines[-1].endswith("\n"):
            self.lines[-1] += "\n"
        self.indents = _indents(root)
        self.root = root
        self.old: Any = None
        self._rt: Any = None
        self._steps: dict[str, tuple[list[str], int, Any]] | None = None

    @property
    def rt(self) -> Any:
        if self._rt is None:
            from . import yaml_roundtrip
            self._rt = yaml_roundtrip.new_yaml(*self.indents)
        return self._rt

    def document(self, root: Node, old: dict, new: dict) -> list[str]:
        self.old = old
        return self.mapping(root, old, new, 0, len(self.lines))

    # -- steps that moved from one list to another keep their lines -------------
    def steps(self) -> dict[str, tuple[list[str], int, Any]]:
        """Every list item with an id in the old file: (its lines, dash column, data)."""
        if self._steps is None:
            self._steps = {}
            todo = [(self.root, self.old)]
            while todo:
                node, data = todo.pop()
                if isinstance(node, MappingNode) and isinstance(data, dict):
                    todo.extend((value, data[key.value]) for key, value in node.value
                                if isinstance(key, ScalarNode) and key.value in data)
                elif (isinstance(node, SequenceNode) and isinstance(data, list)
                      and len(node.value) == len(data)):
                    todo.extend(zip(node.value, data))
                    if node.flow_style is False:
                        self._index_items(node, data)
        return self._steps

    def _index_items(self, node: SequenceNode, data: list) -> None:
        lines, col = self.lines, node.start_mark.column
        for n, (item, value) in enumerate(zip(node.value, data)):
            if not (isinstance(value, dict) and isinstance(value.get("id"), str)):
                continue
            line = item.start_mark.line
            if lines[line][:col].strip() or lines[line][col:col + 1] != "-":
                continue
            if n + 1 < len(node.value):
                stop = node.value[n + 1].start_mark.line
            else:
                mark = item.end_mark
                stop = len(lines) if mark.line >= len(lines) else (
                    mark.line + (1 if lines[mark.line][:mark.column].strip() else 0))
            while stop - 1 > line and (not lines[stop - 1].strip() or (
                    _is_comment(lines[stop - 1]) and _indent_of(lines[stop - 1]) <= col)):
                stop -= 1
            first = line
            floor = node.value[n - 1].start_mark.line + 1 if n else 0
            while first > floor and _is_comment(lines[first - 1]) and _indent_of(lines[first - 1]) <= col:
                first -= 1
            self._steps.setdefault(value["id"], (lines[first:stop], col, value))  # type: ignore[union-attr]

    def _moved_here(self, value: Any, col: int) -> list[str] | None:
        """The old lines of an unchanged step that moved into this list, re-indented."""
        if not (isinstance(value, dict) and isinstance(value.get("id"), str)):
            return None
        found = self.steps().get(value["id"])
        if found is None or not same(found[2], value):
            return None
        chunk, old_col, _ = found
        return [_moved(line, col - old_col) for line in chunk]

    # -- regions: a head, one chunk per key or item, a tail of blank lines -----
    def _chunks(self, item_lines: list[int], col: int, start: int,
                end: int) -> tuple[int, list[tuple[int, int, int]], int]:
        """Each item's chunk runs from the comment lines just above it (no deeper
        than the item) to the next chunk; the tail is the trailing blank lines and
        comments less indented than the items (they belong to what follows)."""
        lines = self.lines
        starts = []
        for n, line in enumerate(item_lines):
            floor = start if n == 0 else item_lines[n - 1] + 1
            first = line
            while first > floor and _is_comment(lines[first - 1]) and _indent_of(lines[first - 1]) <= col:
                first -= 1
            starts.append(first)
        tail = end
        while tail > item_lines[-1] + 1 and (not lines[tail - 1].strip() or (
                _is_comment(lines[tail - 1]) and _indent_of(lines[tail - 1]) < col)):
            tail -= 1
        ends = starts[1:] + [tail]
        return starts[0], list(zip(starts, item_lines, ends)), tail

    # -- block mappings ------------------------------------------------------
    def mapping(self, node: Node, old: dict, new: dict, start: int, end: int) -> list[str]:
        if not isinstance(node, MappingNode) or node.flow_style is not False or not node.value:
            raise _Unsplittable("not a block mapping")
        lines = self.lines
        col = node.value[0][0].start_mark.column
        names: list[str] = []
        key_lines: list[int] = []
        for key, _ in node.value:
            line = key.start_mark.line
            if (not isinstance(key, ScalarNode) or key.tag != "tag:yaml.org,2002:str"
                    or key.start_mark.column != col
                    or (key_lines and (line <= key_lines[-1] or lines[line][:col].strip()))):
                raise _Unsplittable("unusual mapping layout")
            names.append(key.value)
            key_lines.append(line)
        prefix = lines[key_lines[0]][:col]          # "  - " when the mapping is a list item
        head_end, chunks, tail = self._chunks(key_lines, col, start, end)
        last_of = {name: n for n, name in enumerate(names)}   # a key written twice: the last counts
        pieces: list[tuple[str, list[str], int]] = []          # (key, lines, index of the key line)
        for n, name in enumerate(names):
            if last_of[name] != n or name not in new:
                continue
            first, line, stop = chunks[n]
            if same(old.get(name), new[name]):
                body = lines[first:stop]
            else:
                body = self._changed_entry(node.value[n][1], old.get(name), new[name], first, line, stop, col, name)
            pieces.append((name, body, line - first))
        last = -1
        for name, value in new.items():
            found = next((i for i, piece in enumerate(pieces) if piece[0] == name), None)
            if found is not None:
                last = found
            else:
                last += 1
                pieces.insert(last, (name, self._render_new(value, col, name), 0))
        out = lines[start:head_end]
        for index, (_, body, at) in enumerate(pieces):
            body = list(body)
            text = body[at]
            body[at] = (prefix if index == 0 else " " * col) + text[col:]
            out.extend(body)
        return out + lines[tail:end]

    def _changed_entry(self, value: Node, old: Any, new: Any, first: int, line: int,
                       stop: int, col: int, name: str) -> list[str]:
        lines = self.lines
        if value.start_mark.line > line and getattr(value, "flow_style", None) is False:
            try:
                if isinstance(value, MappingNode) and isinstance(old, dict) and isinstance(new, dict) and new:
                    return lines[first:line + 1] + self.mapping(value, old, new, line + 1, stop)
                if isinstance(value, SequenceNode) and isinstance(old, list) and isinstance(new, list) and new:
                    return lines[first:line + 1] + self.sequence(value, old, new, line + 1, stop)
            except _Unsplittable:
                pass
        return lines[first:line] + self._render(lines[line:stop], col, new, name)

    # -- block sequences -------------------------------------------------------
    def sequence(self, node: Node, old: list, new: list, start: int, end: int) -> list[str]:
        if not isinstance(node, SequenceNode) or node.flow_style is not False or not node.value:
            raise _Unsplittable("not a block sequence")
        lines = self.lines
        col = node.start_mark.column
        item_lines: list[int] = []
        for item in node.value:
            line = item.start_mark.line
            text = lines[line]
            if text[:col].strip() or text[col:col + 1] != "-" or (item_lines and line <= item_lines[-1]):
                raise _Unsplittable("unusual sequence layout")
            item_lines.append(line)
        head_end, chunks, tail = self._chunks(item_lines, col, start, end)
        out = lines[start:head_end]
        pairs = match_items(old, new, elsewhere=_LazyKeys(self.steps))
        for j, value in enumerate(new):
            i = pairs[j]
            moved = self._moved_here(value, col) if i is None else None
            if moved is not None:
                out.extend(moved)
                continue
            if i is None:
                near = node.value[pairs[j - 1]] if j and pairs[j - 1] is not None else node.value[0]
                out.extend(self._render_new(value, col, None,
                                            flow=isinstance(near, MappingNode) and near.flow_style is True))
                continue
            first, line, stop = chunks[i]
            if same(old[i], value):
                out.extend(lines[first:stop])
            else:
                out.extend(lines[first:line])
                out.extend(self._changed_item(node.value[i], old[i], value, line, stop, col))
        return out + lines[tail:end]

    def _changed_item(self, item: Node, old: Any, new: Any, line: int, stop: int, col: int) -> list[str]:
        if (isinstance(item, MappingNode) and item.flow_style is False
                and isinstance(old, dict) and isinstance(new, dict) and new):
            try:
                return self.mapping(item, old, new, line, stop)
            except _Unsplittable:
                pass
        return self._render(self.lines[line:stop], col, new, None)

    # -- re-rendering through ruamel ---------------------------------------------
    def _render(self, body: list[str], col: int, new: Any, name: str | None) -> list[str]:
        """Re-render one key (`name`) or one list item (None) whose lines are `body`,
        starting at column `col`, so that it holds `new`."""
        from . import yaml_roundtrip as rt

        # a list item goes in where ruamel will write it (at the dash offset), so the
        # columns of its end-of-line comments mean the same on the way in and out
        base = 0 if name is not None else self.indents[1]
        text = [" " * base + body[0][col:]] + [_moved(line, base - col) for line in body[1:]]
        trailing: list[str] = []
        while len(text) > 1 and not text[-1].strip():
            trailing.insert(0, text.pop())
        document = rt.load(self.rt, "".join(text))
        if name is None:
            if not isinstance(document, list) or len(document) != 1:
                raise _Unsplittable("list item did not read back alone")
            merged = rt.merge(document[0], new)
            if merged is not document[0]:
                list.__setitem__(document, 0, merged)
        else:
            if not isinstance(document, dict) or list(document) != [name]:
                raise _Unsplittable("key did not read back alone")
            rt.merge(document, {name: new})
        return _keep_comment_gaps(_at_column(rt.dump(self.rt, document), col), body) + trailing

    def _render_new(self, value: Any, col: int, name: str | None, flow: bool = False) -> list[str]:
        from . import yaml_roundtrip as rt

        node = rt.fresh(value)
        if flow and isinstance(value, dict) and rt.flow_length(value) <= rt.FLOW_WIDTH:
            node.fa.set_flow_style()
        document = rt.CommentedSeq([node]) if name is None else rt.CommentedMap([(name, node)])
        return _at_column(rt.dump(self.rt, document), col)
