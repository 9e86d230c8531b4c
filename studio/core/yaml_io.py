"""YAML read with positions (so every problem names file:line:column) and stable writes."""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .limits import check_yaml


class YamlError(Exception):
    """Broken YAML: carries the 1-based line and column of the problem."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class SourceMap:
    """Maps a data path like ('steps', 2, 'when') back to where it was written."""

    def __init__(self, root: yaml.Node | None):
        self.root = root

    def locate(self, path: tuple | list) -> tuple[int, int] | None:
        """Line and column (1-based) of the deepest node on `path` that exists.

        Path elements that are not in the data (pydantic's union tags such as
        'instruction') are skipped, so a validation error lands on its step.
        """
        node = self.root
        if node is None:
            return None
        for part in path:
            child = self._child(node, part)
            if child is not None:
                node = child
        mark = node.start_mark
        return mark.line + 1, mark.column + 1

    def key_position(self, path: tuple | list) -> tuple[int, int] | None:
        """Where the key of the last element is written (better for 'unknown field')."""
        if not path:
            return self.locate(path)
        parent = self.root
        for part in path[:-1]:
            child = self._child(parent, part) if parent is not None else None
            if child is not None:
                parent = child
        if isinstance(parent, yaml.MappingNode):
            for key, _ in parent.value:
                if key.value == path[-1]:
                    return key.start_mark.line + 1, key.start_mark.column + 1
        return self.locate(path)

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
            if isinstance(node, yaml.MappingNode):
                first: dict[str, int] = {}
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                        if key.value in first:
                            found.append((key.value, key.start_mark.line + 1, key.start_mark.column + 1,
                                          first[key.value]))
                        else:
                            first[key.value] = key.start_mark.line + 1
                    todo.append(value)
            elif isinstance(node, yaml.SequenceNode):
                todo.extend(node.value)
        return sorted(found, key=lambda item: (item[1], item[2]))

    @staticmethod
    def _child(node: yaml.Node, part: Any) -> yaml.Node | None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    return value
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                return node.value[part]
        return None


class _SafeLoader(yaml.SafeLoader):
    """Dates stay text: the library stores JSON and the engine extracts dates as
    ISO text, so `date: 2024-05-01` must equal `date: "2024-05-01"` (and save back
    the same), not become a datetime that no reply, variable or fixture matches."""


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)

_FAST_LOADER: type | None = None
if getattr(yaml, "CSafeLoader", None) is not None:
    class _FastSafeLoader(yaml.CSafeLoader):  # type: ignore[name-defined,misc]
        pass

    _FastSafeLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)
    _FAST_LOADER = _FastSafeLoader


def _load(loader_class: type, text: str) -> tuple[Any, Any]:
    """(data, root node) of the one document in text; both None for an empty one."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()


def parse_yaml(text: str, *, fast: bool = False) -> tuple[Any, SourceMap]:
    """Safe-load one document; raise YamlError with the position on broken input.

    `fast` uses libyaml when present (about 6x quicker: a library of thousands of
    simulations loads in a second). Its marks keep line and column but not the
    text, so positions inside block scalars fall back to the scalar's start;
    broken input is parsed again in pure Python so messages are the same.
    """
    check_yaml(text, error=YamlError)     # size, depth and alias bombs (studio/core/limits.py)
    if fast and _FAST_LOADER is not None:
        try:
            data, node = _load(_FAST_LOADER, text)
            return data, SourceMap(node)
        except yaml.YAMLError:
            pass
    try:
        data, node = _load(_SafeLoader, text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or str(exc)
        if exc.context:
            problem = f"{problem} ({exc.context})"
            cmark = exc.context_mark
            if cmark is not None and mark is not None and cmark.line != mark.line:
                problem = f"{problem[:-1]} that starts on line {cmark.line + 1})"
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise YamlError(f"YAML syntax error: {problem}", line, col) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML error: {exc}") from None
    return data, SourceMap(node)


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line strings as `|`, lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _str_representer(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=100)


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
