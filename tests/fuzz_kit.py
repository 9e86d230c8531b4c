"""Hypothesis strategies and checks shared by the fuzz suite and bench_hostile.py:
hostile YAML, expressions, templates and snippets, and the one property they
share: a clear error or a valid result, never a traceback, a hang or a blow-up."""
from __future__ import annotations

import io
import os
import time
import tracemalloc
from typing import Any, Callable

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from pydantic import ValidationError

# imported here, not on the first example: an import timed under tracemalloc at a load of 15
# can take longer than SECONDS and fail the property for nothing
from studio.flywheel.conversation import ProductionConversation
from studio.flywheel.importer import redact_conversation
from studio.flywheel.readers import JsonlReader
from studio.flywheel.redact import Redactor

#: how many examples each property tries (STUDIO_FUZZ_EXAMPLES=2000 for a long hunt)
EXAMPLES = int(os.environ.get("STUDIO_FUZZ_EXAMPLES", "0") or 0)
FUZZ = settings(
    max_examples=EXAMPLES or 60,
    deadline=None,                   # a hang is caught by `bounded` (seconds), not by timing noise
    derandomize=not EXAMPLES,        # the normal suite is repeatable; a long hunt explores
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)
SECONDS = 5.0                        # the slowest any one input may take
PEAK_BYTES = 150_000_000             # the most memory any one input may take


class Outcome:
    """What one hostile input did: a value, a clear error, or a traceback."""

    def __init__(self, value: Any = None, error: str | None = None, traceback: BaseException | None = None,
                 seconds: float = 0.0, peak: int = 0):
        self.value, self.error, self.traceback = value, error, traceback
        self.seconds, self.peak = seconds, peak


def bounded(run: Callable[[], Any], clear: tuple[type[BaseException], ...] = ()) -> Outcome:
    """Run one input under tracemalloc: its value, its clear error (one of `clear`),
    or the unexpected exception, with the time and peak memory it took."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        value, error, unexpected = run(), None, None
    except clear as exc:
        value, error, unexpected = None, str(getattr(exc, "message", None) or exc), None
    except Exception as exc:          # noqa: BLE001 - exactly what the fuzz suite hunts
        value, error, unexpected = None, None, exc
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return Outcome(value, error, unexpected, time.monotonic() - started, peak)


def assert_sound(outcome: Outcome, what: str) -> None:
    if outcome.traceback is not None:
        raise AssertionError(f"{what}: {type(outcome.traceback).__name__}: {outcome.traceback}") \
            from outcome.traceback
    assert outcome.seconds < SECONDS, f"{what}: took {outcome.seconds:.1f} s"
    assert outcome.peak < PEAK_BYTES, f"{what}: peak memory {outcome.peak:,} bytes"
    if outcome.error is not None:
        assert outcome.error.strip(), f"{what}: an error without a message"


# -- YAML ---------------------------------------------------------------------------------------
_YAML_CHARS = st.sampled_from(list("[]{}:,-&*!|>'\"#%@`?\n\t ") + ["a", "b", "1", "x: ", "- ", "  ", "&a ", "*a",
                                                                     "<<: ", "\\", "\x00", "é", "\ufeff"])
yaml_noise = st.lists(_YAML_CHARS, max_size=80).map("".join)


@st.composite
def alias_bomb(draw) -> str:
    width, depth = draw(st.integers(2, 12)), draw(st.integers(1, 12))
    lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, depth)]
    return "\n".join(lines) + "\n"


@st.composite
def deep_yaml(draw) -> str:
    depth = draw(st.integers(1, 3000))
    style = draw(st.sampled_from(["flow-list", "flow-map", "block-list", "block-map"]))
    if style == "flow-list":
        return "k: " + "[" * depth + "]" * depth
    if style == "flow-map":
        return "k: " + "{a: " * depth + "1" + "}" * depth
    if style == "block-list":
        return "- " * depth + "x"
    return "".join(f"{'  ' * i}k{i}:\n" for i in range(min(depth, 400))) + "  " * min(depth, 400) + "v"


@st.composite
def yaml_value(draw, depth: int = 0) -> Any:
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                     st.floats(allow_nan=True), st.text(max_size=30),
                     st.sampled_from(["9" * 5000, "1e999", ".nan", "2024-13-45", "!!python/object:os.system"]))
    if depth > 3:
        return draw(leaf)
    return draw(st.one_of(leaf, st.lists(yaml_value(depth + 1), max_size=4),
                          st.dictionaries(st.text(max_size=10), yaml_value(depth + 1), max_size=4)))


hostile_yaml = st.one_of(yaml_noise, alias_bomb(), deep_yaml(), st.text(max_size=200))


# -- JSON: production conversations and connector responses --------------------------------------
@st.composite
def deep_json(draw) -> str:
    """A conversation record with something nested 1 to 100,000 deep (the decoder recurses
    past ~1,000; redaction and storage walk what it lets through)."""
    depth = draw(st.integers(1, 100_000))
    inner = draw(st.sampled_from(["[" * depth + "]" * depth, '{"a": ' * depth + "1" + "}" * depth]))
    where = draw(st.sampled_from(["messages", "customer", "extra"]))
    message = '[{"role": "customer", "text": "hi"}]'
    return '{"id": "c1", "messages": ' + (inner if where == "messages" else message) \
        + (f', "{where}": {inner}' if where != "messages" else "") + "}"


_JSON_CHARS = st.sampled_from(list('[]{}:,"0123456789.-eE \n\t\\') + ["true", "null", '"id"', '"messages"',
                                                                        '"role"', '"customer"', "\x00", "é"])
hostile_json = st.one_of(deep_json(), st.lists(_JSON_CHARS, max_size=80).map("".join), st.text(max_size=120))


# -- expressions and templates ----------------------------------------------------------------------
NAMES = {"big": {"note": "a" * 100_000, "fmt": "%2000000000d", "n": 10 ** 1000},
         "order": {"total": 42.5, "status": "delivered", "items": [1, 2, 3]},
         "customer": {"plan": "pro"}, "text": "Hello", "count": 3, "huge": "9" * 4000}

_ATOMS = ["1", "0", "-1", "2.5", "10**9", "99999999999", "100000", "1e308", "'a'", '"%2000000000d"', "'%s'",
          '"(a+)+$"', "big.note", "big.fmt", "big.n", "order.total", "order.items", "order.items[9]",
          "customer.plan", "text", "count", "huge", "missing", "None", "true", "[]", "{}", "[1, 2]",
          "{'k': 1}", "__import__", "order.__class__"]
_BINARY = [" + ", " - ", " * ", " / ", " // ", " % ", " == ", " != ", " < ", " >= ", " in ", " not in ",
           " and ", " or ", " ** "]
_CALLS = ["len", "lower", "upper", "round", "min", "max", "abs", "matches", "is_set", "open", "eval"]


@st.composite
def expression(draw, depth: int = 0) -> str:
    if depth > 4 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(_ATOMS))
    kind = draw(st.integers(0, 5))
    inner = expression(depth + 1)
    if kind == 0:
        return draw(inner) + draw(st.sampled_from(_BINARY)) + draw(inner)
    if kind == 1:
        args = draw(st.lists(inner, min_size=1, max_size=3))
        return f"{draw(st.sampled_from(_CALLS))}({', '.join(args)})"
    if kind == 2:
        return f"[{', '.join(draw(st.lists(inner, max_size=3)))}]"
    if kind == 3:
        return f"({draw(inner)}) * {draw(st.sampled_from(['100000', '1000000', '10**6', '-1', '0', 'count']))}"
    if kind == 4:
        return draw(st.sampled_from(["not ", "-", "+"])) + draw(inner)
    return "+".join([draw(st.sampled_from(_ATOMS))] * draw(st.integers(2, 400)))   # long, not exponential


hostile_expression = st.one_of(expression(), st.text(max_size=60),
                               st.lists(st.sampled_from(list("()[]{}+-*/%.,'\"<>=! abc019_")), max_size=60).map("".join))


@st.composite
def template(draw) -> str:
    pieces = draw(st.lists(st.one_of(st.text(max_size=12), hostile_expression.map(lambda e: "{{ " + e + " }}"),
                                     st.sampled_from(["{{", "}}", "{{}}", "{{ {{ x }} }}"])), max_size=5))
    return "".join(pieces)


# -- snippets ------------------------------------------------------------------------------------------
_SNIPPET_LINES = ["x = 1", "import datetime", "import os", "s = datetime.sys", "y = 'a' * 10**9",
                  "while True: pass", "z = [0] * 10**8", "def f(): return f()", "f()", "blob = 'x' * 7000000",
                  "import math", "w = math.factorial(100000)", "q = str(10**100000)", "del x",
                  "raise SystemExit", "print('\\x1b[2J')", "r = (lambda: 1)()", "t = type(1)",
                  "v = ().__class__", "n = None", "d = {'a': [1, 2]}", "k = len(d)", "g = (i for i in range(9))"]


@st.composite
def snippet(draw) -> str:
    lines = draw(st.lists(st.sampled_from(_SNIPPET_LINES), max_size=4))
    wrapped = []
    for line in lines:
        if draw(st.booleans()):
            wrapped.append(f"try:\n    {line}\nexcept:\n    pass")
        else:
            wrapped.append(line)
    if draw(st.integers(0, 5)) == 0:
        wrapped.append("x = " + "+".join(["1"] * draw(st.integers(2, 3000))))
    return "\n".join(wrapped)


hostile_snippet = st.one_of(snippet(), st.text(max_size=80))


def read_conversations(text: str) -> list[tuple[int, str]]:
    """What `studio conversations import` does with each record of a JSONL text, short of
    storing it: read, validate, redact. [(line, "ok" or why it was refused)]."""
    seen, redactor = [], Redactor()
    for item in JsonlReader(io.BytesIO(text.encode("utf-8", "surrogatepass"))):
        if item.error is not None or item.data is None:
            seen.append((item.line, item.error or "tick"))
            continue
        try:
            conv = ProductionConversation.model_validate(item.data)
        except (ValidationError, ValueError) as exc:
            seen.append((item.line, str(exc).splitlines()[0]))
            continue
        redact_conversation(conv, redactor)
        seen.append((item.line, "ok"))
    return seen
