"""Values for suggested simulations: candidate values harvested from a procedure's
conditions and code, and sample strings that match a variable's pattern.

The branch generator (suggest.py) tries combinations of these candidates; the
engine itself decides which path each combination takes, so nothing here has
to be exactly right, only likely to hit both sides of each comparison.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

import re._constants as sre_c          # type: ignore[import-not-found]
import re._parser as sre_parse         # type: ignore[import-not-found]

from studio.core.expressions import ExpressionError, dotted_name, parse
from studio.core.snippets import analyze_snippet

OTHER_TEXT = "something-else"


# -- strings that match a pattern ------------------------------------------------------

def sample_for_pattern(pattern: str) -> str | None:
    """A short deterministic string matching `pattern` (digits 1..9 cycling), or None."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, Exception):
        return None
    counter = [0]

    def digit() -> str:
        counter[0] += 1
        return str((counter[0] - 1) % 9 + 1)

    def category(cat) -> str:
        if cat in (sre_c.CATEGORY_DIGIT,):
            return digit()
        if cat in (sre_c.CATEGORY_WORD, sre_c.CATEGORY_NOT_DIGIT, sre_c.CATEGORY_NOT_SPACE):
            return "A"
        if cat == sre_c.CATEGORY_SPACE:
            return " "
        return "A"

    def one_of(items) -> str:
        negated = any(op == sre_c.NEGATE for op, _ in items)
        if negated:
            banned = {chr(v) for op, v in items if op == sre_c.LITERAL}
            return next(c for c in "A1a-" if c not in banned)
        op, value = items[0]
        if op == sre_c.LITERAL:
            return chr(value)
        if op == sre_c.RANGE:
            low, high = value
            if ord("0") <= low <= ord("9"):
                return digit() if high >= ord("9") else chr(low)
            return chr(low)
        if op == sre_c.CATEGORY:
            return category(value)
        return "A"

    def render(items) -> str:
        out = []
        for op, value in items:
            if op == sre_c.LITERAL:
                out.append(chr(value))
            elif op == sre_c.NOT_LITERAL:
                out.append("A" if chr(value) != "A" else "B")
            elif op == sre_c.IN:
                out.append(one_of(value))
            elif op == sre_c.ANY:
                out.append("A")
            elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
                low, high, sub = value
                count = max(low, 1 if high and high >= 1 else 0)
                out.extend(render(sub) for _ in range(min(count, 40)))
            elif op == sre_c.SUBPATTERN:
                out.append(render(value[-1]))
            elif op == sre_c.BRANCH:
                out.append(render(value[1][0]))
            elif op == sre_c.CATEGORY:
                out.append(category(value))
            elif op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
                continue
            else:
                return ""
        return "".join(out)

    text = render(parsed)
    try:
        return text if text and re.search(pattern, text) else None
    except re.error:
        return None


TYPE_DEFAULTS: dict[str, list[Any]] = {
    "boolean": [True, False], "number": [42], "integer": [3], "email": ["alex@example.com"],
    "date": ["1990-05-17"], "string": ["just a moment"], "image": ["photo.png"],
    "file": ["document.pdf"],
}


def fits_pattern(var: Any, value: Any) -> bool:
    """Whether `value` could be what the customer says for `var` (its pattern, if any)."""
    pattern = getattr(var, "pattern", None)
    if not pattern or isinstance(value, bool) or value is None:
        return True
    try:
        return re.search(pattern, str(value)) is not None
    except re.error:
        return True


def defaults_for(var: Any) -> list[Any]:
    if var is None:
        return ["just a moment"]
    if var.type == "enum" and var.options:
        return list(var.options)
    if var.pattern:
        sample = sample_for_pattern(var.pattern)
        if sample:
            return [sample]
    return list(TYPE_DEFAULTS.get(var.type, []))


# -- harvesting candidates from expressions and code ----------------------------------

@dataclass
class Harvest:
    """Candidate values per dotted path, and paths compared with each other."""
    values: dict[str, list[Any]] = field(default_factory=dict)
    links: list[tuple[str, str, str]] = field(default_factory=list)   # (path, op, path)
    exists: set[str] = field(default_factory=set)       # roots tested with is_set()

    def add(self, path: str, *values: Any) -> None:
        bucket = self.values.setdefault(path, [])
        for value in values:
            if not any(value == v and type(value) is type(v) for v in bucket):
                bucket.append(value)


_ARITHMETIC = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
               ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
               ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b}


def _constant(node: ast.AST) -> tuple[bool, Any]:
    if isinstance(node, ast.Constant):
        return True, node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:    # `7 * 24` is 168
        (lok, left), (rok, right) = _constant(node.left), _constant(node.right)
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right))
        if lok and rok and numbers and abs(left) < 1e12 and abs(right) < 1e12:
            try:
                return True, _ARITHMETIC[type(node.op)](left, right)
            except ArithmeticError:
                return False, None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return True, -node.operand.value
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_constant(e) for e in node.elts]
        if all(ok for ok, _ in items):
            return True, [v for _, v in items]
    return False, None


def _around(op: ast.cmpop, value: Any) -> list[Any]:
    """Values on both sides of `path <op> value`, the satisfying one first."""
    if isinstance(value, bool) or value is None:
        return [value, (not value) if isinstance(value, bool) else OTHER_TEXT]
    if isinstance(value, (int, float)):
        step = 1 if isinstance(value, int) or float(value).is_integer() else 0.5
        above, below = value + step, value - step
        if isinstance(op, (ast.Lt,)):
            return [below, value]
        if isinstance(op, (ast.Gt,)):
            return [above, value]
        if isinstance(op, ast.LtE):
            return [value, above]
        if isinstance(op, ast.GtE):
            return [value, below]
        return [value, above]
    if isinstance(value, str):
        return [value, OTHER_TEXT]
    return [value]


_FLIP = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE}


def harvest_tree(tree: ast.AST, harvest: Harvest) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            left = node.left
            for op, right in zip(node.ops, node.comparators):
                _compare(left, op, right, harvest)
                left = right
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "is_set":
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                harvest.exists.add(node.args[0].value.split(".")[0])
            elif node.args and dotted_name(node.args[0]):
                harvest.exists.add(dotted_name(node.args[0]).split(".")[0])
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                if dotted_name(value):
                    harvest.add(dotted_name(value), True, False)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and dotted_name(node.operand):
            harvest.add(dotted_name(node.operand), True, False)
        elif isinstance(node, ast.IfExp) and dotted_name(node.test):
            harvest.add(dotted_name(node.test), True, False)


def _compare(left: ast.AST, op: ast.cmpop, right: ast.AST, harvest: Harvest) -> None:
    lpath, rpath = dotted_name(left), dotted_name(right)
    lconst, lvalue = _constant(left)
    rconst, rvalue = _constant(right)
    if lpath and rpath:
        name = type(op).__name__
        harvest.links.append((lpath, name, rpath))
        harvest.links.append((rpath, _FLIP.get(type(op), type(op)).__name__, lpath))
    elif lpath and rconst:
        if isinstance(op, (ast.In, ast.NotIn)) and isinstance(rvalue, list):
            harvest.add(lpath, *rvalue, OTHER_TEXT)
        else:
            harvest.add(lpath, *_around(op, rvalue))
    elif rpath and lconst and not isinstance(op, (ast.In, ast.NotIn)):
        flipped = _FLIP.get(type(op), type(op))()
        harvest.add(rpath, *_around(flipped, lvalue))


def harvest_expression(source: str, harvest: Harvest) -> None:
    try:
        harvest_tree(parse(source).tree, harvest)
    except ExpressionError:
        pass


def linked_values(op: str, other: Any) -> list[Any]:
    """Values for `path <op> other_path` given the other side's value."""
    if isinstance(other, (int, float)) and not isinstance(other, bool):
        return {"Gt": [other + 1, other], "GtE": [other, other - 1], "Lt": [other - 1, other],
                "LtE": [other, other + 1]}.get(op, [other, other + 1])
    if op in ("Eq", "NotEq"):
        return [other]
    return []


def code_names(code: str) -> tuple[set[str], set[str], set[str], ast.AST | None]:
    """(names assigned, free root names read, dotted paths read, tree) of a code snippet."""
    info = analyze_snippet(code)
    if not info.ok:
        return set(), set(), set(), None
    return set(info.assigns), set(info.reads), {p for p in info.paths if "." in p}, ast.parse(code)
