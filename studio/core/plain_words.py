"""A condition expression read aloud: `order.hours_since_delivery > 7 * 24` becomes
"the order's hours since delivery is more than 168 (7 days)".

Cards show it under each condition so a designer who does not read Python can
check what a branch means. Names are read from the procedure's variables (a
yes/no variable used on its own reads as its description) and connector
results read as "the order's status". Anything this does not know how to say
falls back to the expression text, never to a wrong sentence.
"""
from __future__ import annotations

import ast
from typing import Any, Mapping

from .expressions import ExpressionError, dotted_name, parse

_COMPARE = {ast.Gt: "is more than", ast.Lt: "is less than", ast.GtE: "is at least",
            ast.LtE: "is at most", ast.Eq: "is", ast.NotEq: "is not", ast.In: "is one of",
            ast.NotIn: "is not one of"}
_ARITH = {ast.Add: "plus", ast.Sub: "minus", ast.Mult: "times", ast.Div: "divided by",
          ast.FloorDiv: "divided by", ast.Mod: "modulo"}
_FOLD = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
         ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b}
_UNITS = (("hours", 24, "day"), ("minutes", 60, "hour"), ("days", 7, "week"))


def describe_condition(source: str, variables: Mapping[str, Any] | None = None) -> str:
    """Plain words for an expression (or "otherwise" for `else`); the source itself
    when it does not parse."""
    text = (source or "").strip()
    if not text:
        return ""
    if text == "else":
        return "otherwise"
    try:
        tree = parse(text).tree
    except ExpressionError:
        return text
    return _Reader(variables or {}).sentence(tree.body if isinstance(tree, ast.Expression) else tree)


def _number(value: float) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) and abs(value) >= 10_000 else str(value)


class _Reader:
    def __init__(self, variables: Mapping[str, Any]):
        self.variables = variables

    # -- sentences (true or false) --------------------------------------------
    def sentence(self, node: ast.AST) -> str:
        if isinstance(node, ast.BoolOp):
            joiner = " and " if isinstance(node.op, ast.And) else " or "
            parts = [self.sentence(v) for v in node.values]
            text = joiner.join(f"({p})" if " and " in p or " or " in p else p for p in parts)
            return ("either " + text) if isinstance(node.op, ast.Or) and len(parts) == 2 else text
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = node.operand
            if dotted_name(inner) and self.described(inner):
                return f"it is not the case that {self.flag(inner)}"
            if dotted_name(inner):
                return f"{self.flag(inner)} is false"
            return f"it is not the case that {self.sentence(inner)}"
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name, args = node.func.id, node.args
            if name == "is_set" and args:
                target = args[0].value if isinstance(args[0], ast.Constant) else dotted_name(args[0])
                return f"{self.path(str(target))} is known"
            if name == "matches" and len(args) == 2:
                return f"{self.value(args[0])} matches the pattern {self.value(args[1])}"
        if dotted_name(node):
            return self.flag(node)
        return f"{self.value(node)} is true"

    def described(self, node: ast.AST) -> str:
        """The description of a yes/no variable, as a clause ("" when it has none)."""
        var = self.variables.get(dotted_name(node) or "")
        description = (getattr(var, "description", None) or "").strip().rstrip(".")
        if description and getattr(var, "type", None) == "boolean":
            return description[0].lower() + description[1:]
        return ""

    def flag(self, node: ast.AST) -> str:
        """A yes/no name used on its own: its description when it has one."""
        path = dotted_name(node) or ""
        if self.described(node):
            return self.described(node)
        if getattr(self.variables.get(path), "type", None) == "boolean":
            return path.replace("_", " ")
        return self.path(path)

    def compare(self, node: ast.Compare) -> str:
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators):
            parts.append(self.comparison(left, op, right))
            left = right
        return " and ".join(parts)

    def comparison(self, left: ast.AST, op: ast.cmpop, right: ast.AST) -> str:
        constant = self.constant(right)
        if constant is not None and constant[1] is None and isinstance(op, (ast.Eq, ast.Is)):
            return f"{self.value(left)} is not set"
        if constant is not None and constant[1] is None and isinstance(op, (ast.NotEq, ast.IsNot)):
            return f"{self.value(left)} is set"
        if constant is not None and isinstance(constant[1], bool) and isinstance(op, (ast.Eq, ast.NotEq)):
            true = constant[1] == isinstance(op, ast.Eq)
            flag = self.flag(left) if dotted_name(left) else self.value(left)
            return flag if true and dotted_name(left) else f"{flag} is {'true' if true else 'false'}"
        words = _COMPARE.get(type(op))
        if words is None:
            return ast.unparse(ast.Compare(left=left, ops=[op], comparators=[right]))
        if isinstance(op, (ast.In, ast.NotIn)) and not isinstance(right, (ast.List, ast.Tuple)):
            return f"{self.value(left)} {'is' if isinstance(op, ast.In) else 'is not'} in {self.value(right)}"
        return f"{self.value(left)} {words} {self.value(right, unit_of=dotted_name(left))}"

    # -- values ----------------------------------------------------------------
    def constant(self, node: ast.AST) -> tuple[bool, Any] | None:
        if isinstance(node, ast.Constant):
            return True, node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.constant(node.operand)
            if inner and isinstance(inner[1], (int, float)) and not isinstance(inner[1], bool):
                return True, -inner[1]
        if isinstance(node, ast.BinOp) and type(node.op) in _FOLD:
            a, b = self.constant(node.left), self.constant(node.right)
            numbers = a and b and all(isinstance(x[1], (int, float)) and not isinstance(x[1], bool)
                                      and abs(x[1]) < 1e12 for x in (a, b))
            if numbers:
                try:
                    return True, _FOLD[type(node.op)](a[1], b[1])
                except ArithmeticError:
                    return None
        if isinstance(node, ast.Name) and node.id.lower() in ("true", "false", "null", "none"):
            return True, {"true": True, "false": False}.get(node.id.lower())
        return None

    def value(self, node: ast.AST, unit_of: str | None = None) -> str:
        constant = self.constant(node)
        if constant is not None:
            value = constant[1]
            if isinstance(value, bool):
                return "yes" if value else "no"
            if value is None:
                return "not set"
            if isinstance(value, str):
                return f"“{value}”"
            if isinstance(value, (int, float)):
                return _number(value) + _unit_hint(value, unit_of)
            return repr(value)
        path = dotted_name(node)
        if path:
            return self.path(path)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.value(e) for e in node.elts]
            return ", ".join(items[:-1]) + (" or " if len(items) > 1 else "") + items[-1] if items else "nothing"
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
            return f"{self.value(node.left)} {_ARITH[type(node.op)]} {self.value(node.right)}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.call(node)
        if isinstance(node, ast.Subscript):
            index = self.constant(node.slice)
            if index and isinstance(index[1], int):
                ordinal = {0: "first", 1: "second", 2: "third", -1: "last"}.get(index[1], f"item {index[1]} of")
                return f"the {ordinal} of {self.value(node.value)}".replace(" of of", " of")
            if index and isinstance(index[1], str):
                return f"{self.value(node.value)}'s {index[1].replace('_', ' ')}"
        return ast.unparse(node)

    def call(self, node: ast.Call) -> str:
        name, args = node.func.id, [self.value(a) for a in node.args]
        if name == "len" and args:
            return f"the number of {args[0]}"
        if name in ("lower", "upper") and args:
            return args[0]
        if name == "abs" and args:
            return f"the size of {args[0]}"
        if name == "round" and args:
            return f"{args[0]} rounded" + (f" to {args[1]} places" if len(args) > 1 else "")
        if name in ("min", "max") and args:
            return f"the {'smaller' if name == 'min' else 'larger'} of {' and '.join(args)}"
        return ast.unparse(node)

    def path(self, path: str) -> str:
        root, *rest = path.split(".")
        words = [part.replace("_", " ") for part in rest]
        if root == "customer" and words:
            return "the customer's " + "'s ".join(words)
        if not words:
            return "the " + root.replace("_", " ")
        return f"the {root.replace('_', ' ')}'s " + "'s ".join(words)


def _unit_hint(value: float, unit_of: str | None) -> str:
    """"168 (7 days)" when the other side counts hours: what the designer meant by 7 * 24."""
    last = (unit_of or "").split(".")[-1]
    for unit, size, bigger in _UNITS:
        if unit in last and value and value % size == 0 and abs(value) >= size:
            count = int(value // size)
            return f" ({count} {bigger}{'s' if count != 1 else ''})"
    return ""
