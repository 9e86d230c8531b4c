"""The expression language: Python syntax cut down to what a condition needs.

Parsed with `ast` and evaluated by walking the tree ourselves, never with
eval(): only literals, names, dotted access, indexing, comparisons,
and/or/not, arithmetic, `in` and the SAFE_FUNCTIONS below are allowed.
"""
from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Callable, Mapping

import regex

from . import limits, regex_budget

MAX_LENGTH = limits.MAX_EXPRESSION_CHARS
MAX_NODES = limits.MAX_EXPRESSION_NODES
MAX_REGEX = 500
MAX_MATCH_TEXT = 100_000
MATCH_TIMEOUT = 0.5     # seconds for one matches() call


class ExpressionError(Exception):
    """A bad expression: `column` is 1-based within the expression text; `where` is set
    by whoever knows what held the expression (" at proc switch rule 2 (file:line)")."""

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.column = column
        self.where: str | None = None


def _matches(text: Any, pattern: Any) -> bool:
    if text is None or pattern is None:
        return False
    if len(str(pattern)) > MAX_REGEX:
        raise ExpressionError("matches(): the pattern is too long")
    if limits.text_size(text) > limits.MAX_TEXT_CHARS:
        raise ExpressionError(f"matches(): the text is longer than the limit of "
                              f"{limits.MAX_TEXT_CHARS:,} characters")
    try:
        # `regex` rather than `re`: a pattern like (a+)+$ on a customer's message
        # would otherwise backtrack for minutes and freeze the conversation.
        compiled = regex.compile(str(pattern))
        return regex_budget.search(compiled, str(text)[:MAX_MATCH_TEXT], MATCH_TIMEOUT) is not None
    except TimeoutError:
        raise ExpressionError("matches(): the pattern takes too long on this text; simplify it "
                              "(nested repeats like (a+)+ backtrack without end)") from None
    except (regex.error, re.error) as exc:
        raise ExpressionError(f"matches(): invalid regular expression: {exc}") from None


def _text_fn(fn: Callable[[str], str]) -> Callable[[Any], Any]:
    def apply(value: Any) -> Any:
        if value is None:
            return None
        if limits.text_size(value) > limits.MAX_TEXT_CHARS:
            raise ExpressionError(f"the text would be longer than the limit of "
                                  f"{limits.MAX_TEXT_CHARS:,} characters")
        return fn(str(value))
    return apply


def _round(value: Any, digits: Any = 0) -> Any:
    if value is None:
        return None
    if digits and abs(int(digits)) > limits.MAX_ROUND_DIGITS:
        raise ExpressionError(f"round() keeps at most {limits.MAX_ROUND_DIGITS} digits")
    return round(value, int(digits)) if digits else round(value)


SAFE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": lambda v: 0 if v is None else len(v),
    "lower": _text_fn(str.lower),
    "upper": _text_fn(str.upper),
    "round": _round,
    "min": min,
    "max": max,
    "abs": abs,
    "matches": _matches,
    "is_set": lambda v: v is not None and v != "" and v != [] and v != {},
}

CONSTANTS = {"true": True, "false": False, "null": None, "none": None,
             "True": True, "False": False, "None": None}

_BINOPS = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
}
_CMPOPS = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.In: lambda a, b: b is not None and a in b,
    ast.NotIn: lambda a, b: b is None or a not in b,
    ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.BinOp, ast.Compare, ast.Name, ast.Load, ast.Constant, ast.Attribute, ast.Subscript,
    ast.Call, ast.List, ast.Tuple, ast.Dict, *_BINOPS, *_CMPOPS,
)


@dataclass(frozen=True)
class Expression:
    source: str
    tree: ast.Expression

    def evaluate(self, names: Mapping[str, Any], budget: limits.Budget | None = None) -> Any:
        """The value; ExpressionError when it fails or breaks the limits (studio/core/limits.py).
        A template passes one `budget` to all its placeholders."""
        return _Evaluator(names, budget or limits.Budget(ExpressionError)).visit(self.tree.body)

    def names(self) -> set[str]:
        """Root names the expression reads (functions and constants excluded)."""
        return {n for n, _ in self._references}

    def paths(self) -> set[str]:
        """Dotted paths the expression reads, like `order.total`."""
        return {p for _, p in self._references}

    @cached_property
    def _references(self) -> tuple[tuple[str, str], ...]:
        """Walked once: `parse` shares an expression, and the engine asks for its paths
        every time it records a condition (a few percent of every simulation)."""
        return tuple(_references(self.tree))


def dotted_name(node: ast.AST) -> str | None:
    """`order.total` for that attribute chain, None for anything else (calls, indexing)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _references(tree: ast.AST) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            for arg in node.args:
                if (node.func.id == "is_set" and isinstance(arg, ast.Constant)
                        and isinstance(arg.value, str)):
                    out.append((arg.value.split(".")[0], arg.value))
                else:
                    visit(arg)
            return
        if isinstance(node, (ast.Attribute, ast.Name)):
            path = dotted_name(node)
            if path:
                root = path.split(".")[0]
                if root not in CONSTANTS:
                    out.append((root, path))
                return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return out


@lru_cache(maxsize=4096)
def parse(source: str) -> Expression:
    """Parse and check an expression; raise ExpressionError with a column."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("the expression is empty")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    text = source.strip()
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        msg = exc.msg or "invalid syntax"
        if msg.startswith("invalid syntax. "):
            msg = msg[len("invalid syntax. "):]
        raise ExpressionError(f"syntax error: {msg}", exc.offset) from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the expression is nested too deeply") from None
    except ValueError as exc:               # a NUL character
        raise ExpressionError(f"syntax error: {exc}") from None
    deep = limits.tree_depth_breach(tree, limits.MAX_EXPRESSION_DEPTH)
    if deep is not None:
        raise ExpressionError(f"the expression is too complex: it nests more than "
                              f"{limits.MAX_EXPRESSION_DEPTH} levels deep; split it",
                              getattr(deep, "col_offset", 0) + 1)
    count = 0
    for node in ast.walk(tree):
        count += 1
        if count > MAX_NODES:
            raise ExpressionError("the expression is too complex")
        col = getattr(node, "col_offset", None)
        col = col + 1 if col is not None else None
        if not isinstance(node, _ALLOWED):
            raise ExpressionError(f"'{_describe(node)}' is not allowed in expressions", col)
        if isinstance(node, (ast.Name, ast.Attribute)):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name.startswith("_"):
                raise ExpressionError(f"names starting with '_' are not allowed: {name}", col)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in SAFE_FUNCTIONS:
                fname = node.func.id if isinstance(node.func, ast.Name) else _describe(node.func)
                raise ExpressionError(
                    f"unknown function '{fname}'; allowed: {', '.join(SAFE_FUNCTIONS)}", col)
            if node.keywords:
                raise ExpressionError("keyword arguments are not allowed", col)
            _check_call(node, col)
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)) and len(node.value) > MAX_LENGTH:
            raise ExpressionError("a text literal is too long", col)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _is_text(node.left):
            raise ExpressionError("'%' on text formats it, which expressions do not do; "
                                  "write the text with a {{ template }} instead", col)
    size = max((_static_size(n) for n in ast.walk(tree) if isinstance(n, (ast.BinOp, ast.Call))), default=0)
    if size > limits.MAX_TEXT_CHARS:
        raise ExpressionError(f"the expression builds a value of about {size:,} characters, over "
                              f"the limit of {limits.MAX_TEXT_CHARS:,} characters")
    return Expression(text, tree)


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)) or \
        isinstance(node, ast.BinOp) and _is_text(node.left)


def _static_size(node: ast.AST) -> int:
    """About how many characters `node` builds, as far as the text alone tells
    (names count 0), so `["a"*100000]*100000` is an error while the designer types."""
    if isinstance(node, ast.Constant):
        return limits.text_size(node.value)
    if isinstance(node, (ast.List, ast.Tuple)):
        return 2 + sum(2 + _static_size(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return 2 + sum(4 + _static_size(e) for e in [*node.keys, *node.values] if e is not None)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _static_size(node.left) + _static_size(node.right)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        left, right = node.left, node.right
        for sized, times in ((left, right), (right, left)):
            count = times.value if isinstance(times, ast.Constant) else None
            if isinstance(count, int) and not isinstance(count, bool) and count > 0:
                inner = _static_size(sized)
                return inner * count if inner < limits.MAX_TEXT_CHARS * 10 else inner
        return max(_static_size(left), _static_size(right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("lower", "upper"):
        return sum(_static_size(a) for a in node.args)
    return 0


# how many arguments each function takes: (least, most)
_ARITY = {"len": (1, 1), "lower": (1, 1), "upper": (1, 1), "round": (1, 2), "min": (1, None),
          "max": (1, None), "abs": (1, 1), "matches": (2, 2), "is_set": (1, 1)}


def _check_call(node: ast.Call, col: int | None) -> None:
    """Mistakes that would only fail at run time, caught while the designer types."""
    name = node.func.id  # type: ignore[attr-defined]
    least, most = _ARITY.get(name, (0, None))
    count = len(node.args)
    if count < least or (most is not None and count > most):
        wanted = str(least) if least == most else f"{least} or {most}" if most else f"at least {least}"
        raise ExpressionError(f"{name}() takes {wanted} argument{'' if least == 1 and most in (1, None) else 's'}, "
                              f"not {count}", col)
    if name == "matches" and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
        try:
            regex.compile(node.args[1].value)
        except (regex.error, re.error) as exc:
            raise ExpressionError(f"matches(): invalid regular expression: {exc}",
                                  node.args[1].col_offset + 1) from None


def _describe(node: ast.AST) -> str:
    names = {
        ast.Lambda: "lambda", ast.IfExp: "if/else", ast.ListComp: "list comprehension",
        ast.GeneratorExp: "generator", ast.DictComp: "dict comprehension",
        ast.SetComp: "set comprehension", ast.NamedExpr: ":=", ast.Await: "await",
        ast.Starred: "*", ast.JoinedStr: "f-string", ast.Pow: "**", ast.BitAnd: "&",
        ast.BitOr: "|", ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>", ast.Invert: "~",
        ast.MatMult: "@", ast.Set: "set", ast.Slice: "slice",
    }
    return names.get(type(node), type(node).__name__)


def evaluate(source: str, names: Mapping[str, Any]) -> Any:
    return parse(source).evaluate(names)


def truthy(source: str, names: Mapping[str, Any]) -> bool:
    return bool(evaluate(source, names))


class _Evaluator:
    def __init__(self, names: Mapping[str, Any], budget: limits.Budget):
        self.names = names
        self.budget = budget

    def visit(self, node: ast.AST) -> Any:
        method = getattr(self, f"v_{type(node).__name__}", None)
        if method is None:
            raise ExpressionError(f"'{_describe(node)}' is not allowed in expressions")
        self.budget.tick()
        return method(node)

    def v_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def v_Name(self, node: ast.Name) -> Any:
        if node.id in self.names:
            return self.names[node.id]
        return CONSTANTS.get(node.id)

    def v_Attribute(self, node: ast.Attribute) -> Any:
        return _member(self.visit(node.value), node.attr)

    def v_Subscript(self, node: ast.Subscript) -> Any:
        value = self.visit(node.value)
        key = self.visit(node.slice)
        if value is None:
            return None
        try:
            if isinstance(value, (list, tuple, str)):
                return value[int(key)]
            return _member(value, key)
        except (IndexError, ValueError, TypeError):
            return None

    def v_List(self, node: ast.List) -> list:
        return [self.visit(e) for e in node.elts]

    v_Tuple = v_List

    def v_Dict(self, node: ast.Dict) -> dict:
        return {self.visit(k): self.visit(v) for k, v in zip(node.keys, node.values) if k is not None}

    def v_BoolOp(self, node: ast.BoolOp) -> Any:
        result: Any = None
        for value in node.values:
            result = self.visit(value)
            if isinstance(node.op, ast.And) and not result:
                return result
            if isinstance(node.op, ast.Or) and result:
                return result
        return result

    def v_UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return not value
        if value is None:
            return None
        try:
            return -value if isinstance(node.op, ast.USub) else +value
        except TypeError:
            raise ExpressionError(f"cannot negate {type(value).__name__}") from None

    def v_BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        if left is None or right is None:
            return None
        left, right = _coerce_pair(left, right)
        self._check_cost(node.op, left, right)
        try:
            return self.budget.number(_BINOPS[type(node.op)](left, right))
        except ZeroDivisionError:
            raise ExpressionError("division by zero") from None
        except TypeError:
            raise ExpressionError(
                f"cannot combine {type(left).__name__} and {type(right).__name__}") from None

    def _check_cost(self, op: ast.operator, left: Any, right: Any) -> None:
        """Refuse, before building it, a value beyond the limits (10 GB lists, 2 GB texts)."""
        sequence = (str, list, tuple, bytes)
        if isinstance(op, ast.Mod) and isinstance(left, (str, bytes)):
            raise ExpressionError("'%' on text formats it, which expressions do not do; "
                                  "write the text with a {{ template }} instead")
        if isinstance(op, ast.Mult) and (isinstance(left, sequence) or isinstance(right, sequence)):
            items, times = (left, right) if isinstance(left, sequence) else (right, left)
            if isinstance(times, int) and times > 0:
                self.budget.sized(limits.text_size(items) * times)
        elif isinstance(op, ast.Add) and isinstance(left, sequence):
            self.budget.sized(limits.text_size(left) + limits.text_size(right))
        elif isinstance(op, ast.Mult) and isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > limits.MAX_NUMBER_BITS:
                self.budget.number(1 << (left.bit_length() + right.bit_length()))

    def v_Compare(self, node: ast.Compare) -> bool:
        left = self.visit(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.visit(comparator)
            if isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)):
                if left is None or right is None:
                    return False
                left, right = _coerce_pair(left, right)
            try:
                ok = _CMPOPS[type(op)](left, right)
            except TypeError:
                ok = False
            if not ok:
                return False
            left = right
        return True

    def v_Call(self, node: ast.Call) -> Any:
        name = node.func.id  # type: ignore[attr-defined]
        if name == "is_set" and len(node.args) == 1 and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            value = _lookup_path(self.names, node.args[0].value)
            return SAFE_FUNCTIONS["is_set"](value)
        args = [self.visit(a) for a in node.args]
        try:
            return SAFE_FUNCTIONS[name](*args)
        except ExpressionError:
            raise
        except Exception as exc:  # a safe function given the wrong values
            raise ExpressionError(f"{name}(): {exc}") from None


def _member(value: Any, key: Any) -> Any:
    """Dotted access reads dict keys only: never Python attributes."""
    if isinstance(value, Mapping):
        return value.get(key)
    return None


def _lookup_path(names: Mapping[str, Any], path: str) -> Any:
    parts = path.split(".")
    value: Any = names.get(parts[0])
    for part in parts[1:]:
        value = _member(value, part)
    return value


def _coerce_pair(left: Any, right: Any) -> tuple[Any, Any]:
    """A number that arrived as text ("42.5") compares and adds as a number."""
    if isinstance(left, (int, float)) and not isinstance(left, bool) and isinstance(right, str):
        number = _as_number(right)
        if number is not None:
            return left, number
    if isinstance(right, (int, float)) and not isinstance(right, bool) and isinstance(left, str):
        number = _as_number(left)
        if number is not None:
            return number, right
    return left, right


def _as_number(text: str) -> float | int | None:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return None
