"""One limits policy: how big, deep, costly and slow anything a project file or a
customer can make Studio build may be.

Every number lives here so the loaders, validation and the evaluators agree:
a file that breaks a limit is reported at load or validation (file:line), and
what only shows at run time (a variable that holds a huge text) stops that one
simulation with a clear `error`, never the process or the other files.
"""
from __future__ import annotations

import ast
import re
import time
from typing import Any, Callable

from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import (AliasEvent, MappingEndEvent, MappingStartEvent, ScalarEvent,
                                SequenceEndEvent, SequenceStartEvent)
from ruamel.yaml.loader import BaseLoader

try:
    from ruamel.yaml.cyaml import CParser as _PARSER
except ImportError:          # no C parser built for this Python
    _PARSER = BaseLoader

# -- project files (YAML) -------------------------------------------------------
MAX_FILE_CHARS = 2_000_000        # one YAML file
MAX_YAML_DEPTH = 100              # nested mappings/lists
MAX_YAML_VALUES = 200_000         # values once aliases (*name, <<) are expanded

# -- expressions and templates ---------------------------------------------------
MAX_EXPRESSION_CHARS = 2000
MAX_EXPRESSION_NODES = 300
MAX_EXPRESSION_DEPTH = 60
MAX_TEMPLATE_CHARS = 100_000      # one text with {{ placeholders }} (a say:, a note, a URL)
MAX_TEXT_CHARS = 1_000_000        # any text or list an expression or template builds
MAX_NUMBER_BITS = 4096            # about 1,200 digits: beyond, arithmetic gets slow and str() fails
MAX_ROUND_DIGITS = 100
EVALUATION_SECONDS = 2.0          # CPU of one expression or template, start to end

# -- code snippets (the sandbox bounds their run; these bound reading them) ------
MAX_SNIPPET_CHARS = 50_000
MAX_SNIPPET_DEPTH = 100

# -- stored results and imported records ------------------------------------------
MAX_STORED_CHARS = 16_384         # one text value kept in a stored result
MAX_DATA_DEPTH = 100              # nested lists/objects in one imported record or connector response
MAX_RESPONSE_BYTES = 10 << 20     # one real connector call's response body


class LimitExceeded(Exception):
    """A breach of the policy; `line`/`column` are 1-based where known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


ErrorFactory = Callable[..., Exception]


# -- YAML ------------------------------------------------------------------------------
def check_yaml(text: str, error: ErrorFactory = LimitExceeded) -> None:
    """Raise `error(message, line, column)` when `text` is too large, too deep or
    expands through aliases beyond the limits; a syntax error is left to the loader.

    Counts flow brackets, then reads the parser's event stream (iterative, no
    recursion, no values built), so an alias bomb or a 100,000-deep file costs
    about as much as its size.
    """
    if len(text) > MAX_FILE_CHARS:
        raise error(f"the file is {len(text):,} characters long; the limit is {MAX_FILE_CHARS:,}", 1, 1)
    breach = _bracket_breach(text) or _yaml_breach(text)
    if breach is not None:
        raise error(breach.message, breach.line, breach.column)


def _yaml_breach(text: str, parser: type = _PARSER) -> LimitExceeded | None:
    open_starts: list[tuple[int, str | None]] = []   # (values counted before it, anchor)
    sizes: dict[str, int | None] = {}                 # anchor -> values it expands to (None: still open)
    count = 0
    events = None
    try:
        events = parser(text)
        while events.check_event():
            event = events.get_event()
            mark = event.start_mark
            if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
                count += 1
                open_starts.append((count, event.anchor))
                if event.anchor:
                    sizes[event.anchor] = None
                if len(open_starts) > MAX_YAML_DEPTH:
                    return _at(f"the file nests deeper than {MAX_YAML_DEPTH} levels", mark)
            elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
                started, anchor = open_starts.pop()
                if anchor:
                    sizes[anchor] = count - started + 1
            elif isinstance(event, ScalarEvent):
                count += 1
                if event.anchor:
                    sizes[event.anchor] = 1
            elif isinstance(event, AliasEvent):
                if event.anchor in sizes and sizes[event.anchor] is None:
                    return _at(f"the alias *{event.anchor} refers to the list or mapping that "
                               "contains it (a loop)", mark)
                count += sizes.get(event.anchor) or 0
                if count > MAX_YAML_VALUES:
                    return _at(f"aliases (*{event.anchor}) expand the file to more than "
                               f"{MAX_YAML_VALUES:,} values; write the values out instead", mark)
            if count > MAX_YAML_VALUES:
                return _at(f"the file holds more than {MAX_YAML_VALUES:,} values", mark)
    except YAMLError:
        if parser is not BaseLoader:     # the C parser reads ahead: its error may hide a breach
            return _yaml_breach(text, BaseLoader)
        return None            # broken YAML: the loader reports it with its position
    finally:
        if events is not None:
            events.dispose()
    return None


_BRACKET = re.compile(r"[\[\]{}]")


def _bracket_breach(text: str) -> LimitExceeded | None:
    """Flow brackets nested beyond the limit, by counting them: the parsers read a run
    of `[[[[` ahead in quadratic time (the C one has no depth cap), so they must not
    see a deep one."""
    depth = 0
    for match in _BRACKET.finditer(text):
        depth += 1 if match.group(0) in "[{" else -1
        if depth > MAX_YAML_DEPTH:
            line = text.count("\n", 0, match.start())
            return LimitExceeded(f"the file nests deeper than {MAX_YAML_DEPTH} levels", line + 1,
                                 match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1)
    return None


def _at(message: str, mark: Any) -> LimitExceeded:
    return LimitExceeded(message, mark.line + 1 if mark else None, mark.column + 1 if mark else None)


# -- syntax trees (expressions and snippets) -------------------------------------------
def tree_depth_breach(tree: ast.AST, limit: int) -> ast.AST | None:
    """The first node nested deeper than `limit`, found without recursion."""
    todo: list[tuple[ast.AST, int]] = [(tree, 1)]
    while todo:
        node, depth = todo.pop()
        if depth > limit:
            return node
        todo.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return None


def check_snippet(code: str, tree: ast.AST | None = None) -> LimitExceeded | None:
    """Why reading `code` statically would be unsafe (too long, nested too deep), or None."""
    if len(code) > MAX_SNIPPET_CHARS:
        return LimitExceeded(f"the snippet is {len(code):,} characters long; the limit is "
                             f"{MAX_SNIPPET_CHARS:,}", 1, 1)
    if tree is not None:
        deep = tree_depth_breach(tree, MAX_SNIPPET_DEPTH)
        if deep is not None:
            return LimitExceeded(f"the snippet nests more than {MAX_SNIPPET_DEPTH} levels deep "
                                 "(a very long chain like 1+1+1+…); split it into several lines",
                                 getattr(deep, "lineno", None), getattr(deep, "col_offset", -1) + 1 or None)
    return None


# -- values built while evaluating -----------------------------------------------------
def text_size(value: Any, cap: int = MAX_TEXT_CHARS) -> int:
    """About how many characters `value` takes as text, counted only up to just past `cap`
    (a list holding the same huge text 100,000 times stops at its first element)."""
    total = 0
    todo = [value]
    while todo and total <= cap:
        item = todo.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        elif isinstance(item, (list, tuple)):
            total += 2 + 2 * len(item)
            todo.extend(item)
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            todo.extend(item.keys())
            todo.extend(item.values())
        else:
            total += 24
    return total


class Budget:
    """What one evaluation of an expression or template may spend: time and size.

    Time is the evaluating thread's own CPU time, as for a variable's pattern: a process
    paused or starved by a loaded machine (or its other threads busy) must not turn a
    trivial expression into a false `error`."""

    def __init__(self, error: ErrorFactory, seconds: float = EVALUATION_SECONDS):
        self.error = error
        self.deadline = time.thread_time() + seconds
        self.seconds = seconds

    def tick(self) -> None:
        if time.thread_time() > self.deadline:
            raise self.error(f"took longer than {self.seconds:g} s to evaluate; simplify it")

    def text(self, value: Any, what: str = "the result") -> Any:
        """`value`, if it fits in MAX_TEXT_CHARS as text."""
        self.number(value)
        size = text_size(value)
        if size > MAX_TEXT_CHARS:
            raise self.error(f"{what} would be longer than the limit of {MAX_TEXT_CHARS:,} characters")
        return value

    def sized(self, size: int, what: str = "the result") -> None:
        if size > MAX_TEXT_CHARS:
            raise self.error(f"{what} would be about {size:,} characters long, over the limit of "
                             f"{MAX_TEXT_CHARS:,} characters")

    def number(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_NUMBER_BITS:
            raise self.error(f"a number with more than {MAX_NUMBER_BITS * 3 // 10:,} digits is too large")
        return value


def data_too_deep(value: Any, limit: int = MAX_DATA_DEPTH) -> bool:
    """Whether lists/objects nest deeper than `limit` (walked without recursion, so the
    check itself cannot overflow the stack that deep data would overflow later)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def cap_texts(value: Any, cap: int = MAX_STORED_CHARS, path: str = "",
              cut: list[tuple[str, int]] | None = None) -> Any:
    """`value` with every text longer than `cap` cut to `cap` characters and marked;
    each cut is appended to `cut` as (where, original length), so a stored result
    can say what it no longer holds in full."""
    cut = [] if cut is None else cut
    if isinstance(value, str):
        if len(value) <= cap:
            return value
        cut.append((path or "value", len(value)))
        return value[:cap] + f"… [cut: {len(value):,} characters, {cap:,} kept]"
    if isinstance(value, dict):
        return {k: cap_texts(v, cap, f"{path}.{k}" if path else str(k), cut) for k, v in value.items()}
    if isinstance(value, list):
        return [cap_texts(v, cap, f"{path}[{i}]", cut) for i, v in enumerate(value)]
    return value
