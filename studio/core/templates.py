"""`{{ expression }}` templates in the expression language."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from . import limits
from .expressions import Expression, ExpressionError, parse

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.S)


@dataclass(frozen=True)
class TemplatePart:
    expression: Expression
    start: int     # offset of `{{` in the template text
    end: int


def parse_template(text: str) -> list[TemplatePart]:
    """Every placeholder, parsed; raises ExpressionError with the column in `text`."""
    if text and len(text) > limits.MAX_TEMPLATE_CHARS:     # bounds the parsing of every placeholder
        raise ExpressionError(f"the text is {len(text):,} characters long; a text with "
                              f"{{{{ placeholders }}}} may have {limits.MAX_TEMPLATE_CHARS:,}", 1)
    parts: list[TemplatePart] = []
    text = text or ""
    position = 0
    while (start := text.find("{{", position)) != -1:     # linear: a regex backtracks on junk
        end = text.find("}}", start + 2)
        if end == -1:
            raise ExpressionError("an opening '{{' has no closing '}}'", start + 1)
        inner = text[start + 2:end]
        try:
            expr = parse(inner)
        except ExpressionError as exc:
            offset = start + 2 + (len(inner) - len(inner.lstrip()))
            col = offset + (exc.column or 1)
            raise ExpressionError(exc.message, col) from None
        parts.append(TemplatePart(expr, start, end + 2))
        position = end + 2
    return parts


def template_names(text: str) -> set[str]:
    names: set[str] = set()
    for part in parse_template(text):
        names |= part.expression.names()
    return names


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    if isinstance(value, list):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def join_parts(text: str, parts: list | tuple, names: Mapping[str, Any]) -> Any:
    """`text` with each (expression, start, end) placeholder filled, within one
    budget of time and size (studio/core/limits.py); exactly one placeholder that is
    the whole text yields its value with its type."""
    budget = limits.Budget(ExpressionError)
    if len(parts) == 1 and parts[0][1] == 0 and parts[0][2] == len(text):
        return parts[0][0].evaluate(names, budget)
    out, last, size = [], 0, 0
    for expression, start, end in parts:
        piece = format_value(budget.text(expression.evaluate(names, budget), "a placeholder's value"))
        size += start - last + len(piece)
        budget.sized(size, "the rendered text")
        out += [text[last:start], piece]
        last = end
    out.append(text[last:])
    return "".join(out)
