"""YAML read with positions (so every problem names file:line:column) and stable writes.

One stack: ruamel.yaml reads every file (its C parser when ruamel.yaml.clibz is
installed), and the same nodes give every position; saving onto a hand-written
file re-renders through ruamel's round trip (yaml_preserve)."""
from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml.composer import ComposerError
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.loader import SafeLoader
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.tag import Tag

from .limits import check_yaml

try:
    from ruamel.yaml.cyaml import CSafeLoader
except ImportError:          # no C parser built for this Python: the pure one reads alike
    CSafeLoader = None


class YamlError(Exception):
    """Broken YAML: carries the 1-based line and column of the problem."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class SourceMap:
    """Maps a data path like ('steps', 2, 'when') back to where it was written."""

    def __init__(self, root: Node | None, text: str = ""):
        self.root = root
        self.text = text

    def locate(self, path: tuple | list) -> tuple[int, int] | None:
        """Line and column (1-based) of the deepest node on `path` that exists.

        Path elements that are not in the data (pydantic's union tags such as
        'instruction') are skipped, so a validation error lands on its step.
        """
        node = self._walk(path)
        return None if node is None else (node.start_mark.line + 1, node.start_mark.column + 1)

    def key_position(self, path: tuple | list) -> tuple[int, int] | None:
        """Where the key of the last element is written (better for 'unknown field')."""
        parent = self._walk(path[:-1]) if path else None
        if isinstance(parent, MappingNode):
            for key, _ in parent.value:
                if key.value == path[-1]:
                    return key.start_mark.line + 1, key.start_mark.column + 1
        return self.locate(path)

    def node_at(self, path: tuple | list) -> Node | None:
        """The node written at exactly `path`, or None when it is not in the file."""
        return self._walk(path, strict=True)

    def _walk(self, path: tuple | list, strict: bool = False) -> Node | None:
        node = self.root
        for part in path:
            child = self._child(node, part) if node is not None else None
            if child is not None or strict:
                node = child
        return node

    def in_text(self, path: tuple | list, line: int = 1, column: int = 1) -> tuple[int, int] | None:
        """Map (line, column) inside the text written at `path` to the file (1-based).

        Exact for plain and quoted one-line scalars and for `|` block scalars;
        other styles land on the scalar's start, a missing node on its parent.
        """
        node = self.node_at(path)
        if node is None:
            return self.locate(path)
        start = node.start_mark
        base = (start.line + 1, start.column + 1)
        if not isinstance(node, ScalarNode):
            return base
        style = node.style or ""
        if style in ("|", ">"):
            content = self.text.split("\n")[start.line + 1:node.end_mark.line + 1]
            indent = next((len(s) - len(s.lstrip(" ")) for s in content if s.strip()), 0)
            if style == "|":
                return start.line + 1 + line, indent + column
            return start.line + 2, indent + 1
        if start.line != node.end_mark.line:   # a folded multi-line scalar
            return base if line <= 1 else (base[0] + line - 1, 1)
        shift = 1 if style in ("'", '"') else 0
        return base[0], base[1] + shift + column - 1

    def duplicate_keys(self) -> list[tuple[str, int, int, int]]:
        """(key, line, column, line of the first one) for each key written twice
        in one mapping (1-based), in file order."""
        found: list[tuple[str, int, int, int]] = []
        todo = [self.root] if self.root is not None else []
        seen_nodes: set[int] = set()
        while todo:
            node = todo.pop()
            if id(node) in seen_nodes:          # aliases may share (or loop back to) a node
                continue
            seen_nodes.add(id(node))
            if isinstance(node, MappingNode):
                first: dict[str, int] = {}
                for key, value in node.value:
                    if isinstance(key, ScalarNode) and key.value != "<<":
                        if key.value in first:
                            found.append((key.value, key.start_mark.line + 1, key.start_mark.column + 1,
                                          first[key.value]))
                        else:
                            first[key.value] = key.start_mark.line + 1
                    todo.append(value)
            elif isinstance(node, SequenceNode):
                todo.extend(node.value)
        return sorted(found, key=lambda item: (item[1], item[2]))

    @staticmethod
    def _child(node: Node, part: Any) -> Node | None:
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    return value
        elif isinstance(node, SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                return node.value[part]
        return None


# YAML 1.1 plain scalars as the project's files have always been read (PyYAML's
# rules): `yes`/`on` are booleans, `010` is octal, `1e3` is text. Dates stay text:
# the library stores JSON and the engine extracts dates as ISO text, so
# `date: 2024-05-01` must equal `date: "2024-05-01"`, not become a datetime.
_BOOL = r"yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
_FLOAT = (r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
          r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_INT = (r"[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
        r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+")
_RULES = [("bool", _BOOL, "yYnNtTfFoO"), ("float", _FLOAT, "-+0123456789."),
          ("int", _INT, "-+0123456789"), ("merge", "<<", "<"), ("null", "~|null|Null|NULL|", "~nN"),
          ("value", "=", "=")]


def _implicit(rules: list) -> dict[str, list[tuple[Tag, re.Pattern]]]:
    table: dict[str, list[tuple[Tag, re.Pattern]]] = {}
    for name, pattern, first in rules:
        tag = Tag(suffix=f"tag:yaml.org,2002:{name}")
        for char in list(first) + ([""] if name == "null" else []):
            table.setdefault(char, []).append((tag, re.compile(f"^(?:{pattern})$")))
    return table


_DEFAULT_TAGS = {kind: Tag(suffix=f"tag:yaml.org,2002:{name}")
                 for kind, name in ((ScalarNode, "str"), (SequenceNode, "seq"), (MappingNode, "map"))}


class Yaml11Rules:
    """Resolver mixin: ruamel reads (and round-trip writes) with the rules above.
    Each tag is one shared object, so ruamel works out its text once, not per value."""
    yaml_implicit_resolvers = _implicit(_RULES)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                if regexp.match(value):
                    return tag
        return _DEFAULT_TAGS[kind]

    @property
    def processing_version(self) -> Any:
        return (1, 1)


def _reading(cls: type) -> type:
    class Loader(Yaml11Rules, cls):  # type: ignore[misc,valid-type]
        max_depth = None          # limits.check_yaml has bounded depth before composing

        def check_mapping_key(self, *args: Any) -> bool:
            return True           # a key written twice: the last wins (load warns: duplicate_keys)

        def flatten_mapping(self, node: Any) -> None:
            """Only a mapping with a `<<` (or `=`) key has anything to flatten: skip the
            per-key tag look-ups of the rest (about a tenth of the reading time)."""
            if any(key.value in ("<<", "=") for key, _ in node.value):
                super().flatten_mapping(node)

        def compose_node(self, parent: Any, index: Any) -> Any:
            """An anchor defined twice is an error, as the C parser says (pure ruamel only warns)."""
            event = self.parser.peek_event()
            anchor = getattr(event, "anchor", None)
            if anchor in self.anchors and not isinstance(event, AliasEvent):
                raise ComposerError(f"found duplicate anchor {anchor!r}; first occurrence",
                                    self.anchors[anchor].start_mark, "second occurrence", event.start_mark)
            return super().compose_node(parent, index)

    Loader.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)
    return Loader


_LOADER = _reading(CSafeLoader or SafeLoader)
_MESSAGES = _reading(SafeLoader)       # the pure parser words syntax errors best


def _load(loader_class: type, text: str) -> tuple[Any, Any]:
    """(data, root node) of the one document in text; both None for an empty one."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()


def parse_yaml(text: str, *, fast: bool = True) -> tuple[Any, SourceMap]:
    """Safe-load one document; raise YamlError with the position on broken input.

    Read by the C parser where installed (a library of thousands of simulations
    loads in a second); broken input is parsed again by the pure one, whose
    messages say more. `fast` is kept for callers and changes nothing.
    """
    check_yaml(text, error=YamlError)     # size, depth and alias bombs (studio/core/limits.py)
    try:
        data, node = _load(_LOADER, text)
        return data, SourceMap(node, text)
    except (YAMLError, ValueError, TypeError):     # ValueError: a bad explicit tag (!!int x)
        pass
    try:
        data, node = _load(_MESSAGES, text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = re.sub(r"\('(<[\w ]+>)',\)", r"'\1'", exc.problem or str(exc))   # ruamel: ('<scalar>',)
        if exc.context:
            problem = f"{problem} ({exc.context})"
            cmark = exc.context_mark
            if cmark is not None and mark is not None and cmark.line != mark.line:
                problem = f"{problem[:-1]} that starts on line {cmark.line + 1})"
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise YamlError(f"YAML syntax error: {problem}", line, col) from None
    except (YAMLError, ValueError, TypeError) as exc:
        raise YamlError(f"YAML error: {exc}") from None
    return data, SourceMap(node, text)


def dump_yaml(data: Any, width: int = 100) -> str:
    """The plain text of `data` for a new file or an export (see yaml_dump)."""
    from .yaml_dump import plain_dump       # PyYAML's emitter loads only when one is written

    return plain_dump(data, width)


def _mode_for(path: Path) -> int:
    """The permission bits the written file gets: a rewritten file keeps its own, a new
    file gets what the umask allows (like open() would give), not mkstemp's 0600."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask, read without changing it where the OS tells it (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


def atomic_write(path: Path, text: str) -> None:
    """Write to a temporary file beside the target, then replace: never a half file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, mode)       # mkstemp makes 0600; the file keeps its own mode instead
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_model(model: Any, path: Path) -> None:
    """Write `model` to `path`; over an existing file, keep what the designer wrote
    (comments, explicit defaults, flow style, quotes) wherever the data is unchanged."""
    path = Path(path)
    try:
        previous = path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, UnicodeDecodeError):
        previous = None
    atomic_write(path, model_to_yaml(model, previous))


def model_to_yaml(model: Any, previous: str | None = None) -> str:
    """The file text for `model`: the plain dump, or with `previous` (the text the
    file holds now) that text changed only where the data changed (see yaml_preserve)."""
    if previous is None:
        return dump_yaml(model.to_data())
    from .yaml_preserve import preserving_yaml   # ruamel.yaml loads only when a save needs it

    return preserving_yaml(model, previous)
