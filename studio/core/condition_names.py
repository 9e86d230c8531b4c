"""The names a condition in a procedure can read, each with a short hint: what a
designer (or a model turning words into an expression) needs to know, such as
`order.hours_since_delivery` coming from the get_order connector."""
from __future__ import annotations

from typing import Any

from .snippets import analyze_snippet


def _leaves(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            _leaves(sub, f"{prefix}.{key}", out)
    else:
        out[prefix] = value


def condition_names(project: Any, procedure: Any) -> dict[str, str]:
    """name or dotted path -> hint ("number: Amount refunded", "from get_order, e.g. 3")."""
    names: dict[str, str] = {}
    for name, var in procedure.variables.items():
        hint = var.type + (f": {var.description}" if var.description else "")
        if var.options:
            hint += f" (one of {', '.join(map(str, var.options))})"
        names[name] = hint
    for step in procedure.all_steps():
        if step.kind == "connector" and step.save_as:
            connector = project.connectors.get(step.connector)
            fields: dict[str, Any] = {}
            _leaves(getattr(connector, "sample", None) or {}, step.save_as, fields)
            names.setdefault(step.save_as, f"the result of connector {step.connector}")
            for path, example in fields.items():
                names.setdefault(path, f"from connector {step.connector}, e.g. {example!r}")
        elif step.kind == "code":
            for assigned in analyze_snippet(step.code).assigns:
                names.setdefault(assigned, f"computed by code step {step.id}")
    for segment, attributes in project.settings.segments.items():
        for key, value in attributes.items():
            names.setdefault(f"customer.{key}", f"customer attribute, e.g. {value!r} for {segment}")
    return names


def sample_values(project: Any, procedure: Any) -> dict[str, Any]:
    """What a condition sees when every connector answers with its sample and nothing
    else is known yet: the data a preview of "which branch" runs on."""
    values: dict[str, Any] = {name: None for name in procedure.variables}
    for step in procedure.all_steps():
        if step.kind == "connector" and step.save_as:
            connector = project.connectors.get(step.connector)
            values[step.save_as] = getattr(connector, "sample", None)
    attributes: dict[str, Any] = {}
    for segment in project.settings.segments.values():
        for key, value in segment.items():
            attributes.setdefault(key, value)
    values["customer"] = attributes
    return values


def branch_taken(step: Any, values: dict[str, Any], replace: tuple[int, str] | None = None) -> str:
    """Which branch of a condition step `values` take ("IF", "ELSE IF 2", "ELSE", "no branch"),
    with branch `replace[0]`'s expression replaced by `replace[1]` (a draft being previewed)."""
    from .expressions import ExpressionError, truthy
    for index, branch in enumerate(step.branches):
        if branch.is_else:
            return "ELSE"
        when = replace[1] if replace and replace[0] == index else branch.when
        try:
            if truthy(when, values):
                return "IF" if index == 0 else f"ELSE IF {index + 1}"
        except (ExpressionError, Exception):     # an unset name or a bad draft: not this branch
            continue
    return "no branch"
