"""Template rendering and expression evaluation with parsed forms cached.

A template that is exactly one `{{ expr }}` yields the typed value; parsing is
cached so thousands of runs do not re-parse the same texts.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

from studio.core.expressions import Expression, parse
from studio.core.templates import format_value, join_parts, parse_template


@lru_cache(maxsize=4096)
def _template(text: str) -> tuple:
    parts = parse_template(text)
    return tuple((p.expression, p.start, p.end) for p in parts)


def render(value: Any, names: Mapping[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: render(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, names) for v in value]
    if not isinstance(value, str):
        return value
    if "{{" not in value:
        return value
    return join_parts(value, _template(value), names)


def render_text(value: Any, names: Mapping[str, Any]) -> str:
    """Render for display: always text."""
    result = render(value, names)
    return result if isinstance(result, str) else format_value(result)


def expression(source: str) -> Expression:
    return parse(source)


def lookup_path(names: Mapping[str, Any], path: str) -> Any:
    parts = path.split(".")
    value: Any = names.get(parts[0])
    for part in parts[1:]:
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def seen_values(expr: Expression, names: Mapping[str, Any]) -> dict[str, Any]:
    """The values of every dotted path an expression reads, for the trace."""
    return {path: lookup_path(names, path) for path in sorted(expr.paths())}
