"""`{{ expression }}` templates in the expression language."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from .expressions import Expression, ExpressionError, parse

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.S)


@dataclass(frozen=True)
class TemplatePart:
    expression: Expression
    start: int     # offset of `{{` in the template text
    end: int


def parse_template(text: str) -> list[TemplatePart]:
    """Every placeholder, parsed; raises ExpressionError with the column in `text`."""
    parts = []
    for match in PLACEHOLDER.finditer(text or ""):
        inner = match.group(1)
        try:
            expr = parse(inner)
        except ExpressionError as exc:
            offset = match.start(1) + (len(inner) - len(inner.lstrip()))
            col = offset + (exc.column or 1)
            raise ExpressionError(exc.message, col) from None
        parts.append(TemplatePart(expr, match.start(), match.end()))
    if "{{" in PLACEHOLDER.sub("", text or ""):
        raise ExpressionError("an opening '{{' has no closing '}}'", (text or "").find("{{") + 1)
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


def render(text: Any, names: Mapping[str, Any]) -> Any:
    """Render a template. Exactly one `{{ expr }}` yields the value with its type."""
    if not isinstance(text, str):
        if isinstance(text, dict):
            return {k: render(v, names) for k, v in text.items()}
        if isinstance(text, list):
            return [render(v, names) for v in text]
        return text
    parts = parse_template(text)
    if len(parts) == 1 and parts[0].start == 0 and parts[0].end == len(text):
        return parts[0].expression.evaluate(names)
    out, last = [], 0
    for part in parts:
        out.append(text[last:part.start])
        out.append(format_value(part.expression.evaluate(names)))
        last = part.end
    out.append(text[last:])
    return "".join(out)
