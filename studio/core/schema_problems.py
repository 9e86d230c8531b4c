"""Pydantic's validation errors turned into problems a designer can act on: one
problem per mistake, placed on the YAML node it is about, in the file's own
words (no class names), with a hint that says what to write instead."""
from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from .problems import Problem, Severity
from .step_registry import step_kinds
from .yaml_io import SourceMap

# pydantic names the member of a plain union it tried: 'str', 'int', 'list[str]', 'CustomerTurn'
_MEMBER = re.compile(r"^(str|int|float|bool|none|[A-Z]\w*|\w+\[.*\])$")


def pydantic_problems(exc: ValidationError, rel: str, source: SourceMap | None,
                      data: Any = None, model: type[BaseModel] | None = None) -> list[Problem]:
    """One problem per mistake. `model` (the file's class) lets an unknown field
    be matched against the fields allowed at that very place."""
    problems = []
    for err in _merge_union_errors(exc.errors(include_url=False), data):
        loc = _without_tags(data, tuple(err.get("loc", ())))
        kind = err.get("type", "")
        if kind == "extra_forbidden" and source:
            pos = source.key_position(loc)
        elif kind == "union_tag_invalid" and source:
            pos = source.locate(loc + ("kind",))
        else:
            pos = source.locate(loc) if source else None
        field_path = ".".join(str(p) for p in _inside_step(data, loc) if not _is_union_tag(p))
        message, hint = _message_and_hint(err, kind, loc, data, model)
        problems.append(Problem(
            severity=Severity.error, code="schema", file=rel,
            line=pos[0] if pos else None, column=pos[1] if pos else None,
            step=_step_id_at(data, loc),
            message=_with_field(field_path, message, kind), hint=hint))
    return problems


def _message_and_hint(err: dict, kind: str, loc: tuple, data: Any,
                      model: type[BaseModel] | None) -> tuple[str, str | None]:
    message = err.get("msg", "invalid value")
    value = err.get("input")
    if kind == "extra_forbidden":
        fields = _fields_at(model, data, loc[:-1]) if model is not None else None
        hint = "check the spelling; DESIGN.md section 3 lists the fields of each kind"
        if re.search(r"[\s()<>=!'\"]", str(loc[-1])):
            hint = ("this looks like the rest of a value: inside {...} a ',' ends the value, "
                    "so put the whole value in quotes")
        elif fields:
            close = difflib.get_close_matches(str(loc[-1]), fields, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "fields here: " + ", ".join(fields)
        return f"unknown field '{loc[-1]}'", hint
    if kind == "missing":
        return f"missing required field '{loc[-1]}'", _missing_hint(model, data, loc)
    if kind == "union_tag_invalid":
        tag = (err.get("ctx") or {}).get("tag", value)
        close = difflib.get_close_matches(str(tag), step_kinds(), n=1)
        return f"unknown step kind '{tag}'", \
            (f"did you mean '{close[0]}'? " if close else "") + "kind is one of: " + ", ".join(step_kinds())
    if kind == "union_tag_not_found":
        return "step has no 'kind'", "add kind: instruction (or condition, connector, code, ...)"
    if kind == "string_pattern_mismatch":
        return f"'{value}' is not a valid id", \
            "ids are lower-case letters, digits, '-' and '_', starting with a letter or digit"
    if kind == "union_members":
        return f"{message} (got {value!r})", err.get("hint")
    if kind in ("model_type", "model_attributes_type"):
        message = "should be a mapping of fields (key: value)"     # pydantic names the class here
    if isinstance(value, (str, int, float, bool)):
        message = f"{message} (got {value!r})"
    return message, _type_hint(err, kind, loc, value)


def _type_hint(err: dict, kind: str, loc: tuple, value: Any) -> str | None:
    """What to write instead, for a value of the wrong kind."""
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", (err.get("ctx") or {}).get("expected", ""))
        if isinstance(value, bool):
            return ("YAML reads yes/no, on/off and true/false as a true/false value; "
                    f"write one of: {', '.join(options)}")
        close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.5)
        return f"did you mean '{close[0]}'?" if close else None
    if kind == "string_type" and isinstance(value, (int, float, bool)):
        return f"YAML read this as {'a true/false value' if isinstance(value, bool) else 'a number'}; " \
               "put it in quotes to make it text"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "write a whole number, like 3"
    if kind in ("float_parsing", "float_type"):
        return "write a number, like 42.5"
    if kind in ("bool_parsing", "bool_type"):
        return "write true or false"
    if kind == "list_type" and isinstance(value, (str, int, float, bool)):
        return f"write a list, even of one item: [{value}]"
    if kind in ("model_type", "model_attributes_type", "dict_type") and isinstance(value, (str, int, float)):
        if loc == ("model",):
            return f"write model: {{name: {value}}}"
        return "this takes fields (key: value) here, not a single value"
    return None


# -- plain unions (a script turn is text or {text, attachments}) ---------------
def _member_split(data: Any, loc: tuple) -> tuple[tuple, str] | None:
    """(position of the union, member tag) when `loc` goes through a union member."""
    node = data
    for index, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(node, dict) and node.get("kind") == part and _is_union_tag(part):
            continue
        elif isinstance(part, str) and _MEMBER.match(part):
            return tuple(loc[:index]), part
        else:
            return None
    return None


def _value_at(data: Any, loc: tuple) -> Any:
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(node, dict) and node.get("kind") == part:
            continue
        else:
            return None
    return node


def _member_words(tag: str) -> str:
    return {"str": "text", "int": "a whole number", "float": "a number", "bool": "true or false",
            "none": "nothing"}.get(tag, "a list" if tag.startswith("list[") else "a mapping (key: value)")


def _merge_union_errors(errors: list[dict], data: Any) -> list[dict]:
    """pydantic reports a bad union value once per member it tried; a designer
    needs one problem. A mapping keeps only its mapping member's errors (they
    name the bad field); anything else becomes one 'should be X or Y'."""
    groups: dict[tuple, list[tuple[str, dict]]] = {}
    plain: list[dict] = []
    order: list[Any] = []
    for err in errors:
        split = _member_split(data, tuple(err.get("loc", ())))
        if split is None:
            plain.append(err)
            order.append(err)
            continue
        where, tag = split
        if where not in groups:
            groups[where] = []
            order.append(where)
        groups[where].append((tag, err))
    out = []
    for item in order:
        if isinstance(item, dict):
            out.append(item)
            continue
        members = groups[item]
        value = _value_at(data, item)
        if isinstance(value, dict):
            kept = [e for tag, e in members if not (len(e["loc"]) == len(item) + 1 and
                                                   tag in ("str", "int", "float", "bool", "none"))]
            if kept:
                out.extend(kept)
                continue
        words = list(dict.fromkeys(_member_words(tag) for tag, _ in members))
        turn = len(item) >= 2 and item[-2] == "script"
        out.append({"loc": item, "type": "union_members", "input": value,
                    "msg": "should be " + ", or ".join(words),
                    "hint": "a turn is text (quote it if it looks like a number or a date), "
                            "or text: ... with attachments: [...]" if turn else None})
    return out


# -- where an error is -----------------------------------------------------------
def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and part in step_kinds()


def _with_field(field_path: str, message: str, kind: str) -> str:
    """'trigger: unknown field 'exampels'', not 'trigger.exampels: unknown field ...'."""
    if kind.startswith("union_tag"):
        field_path = ""
    elif kind in ("extra_forbidden", "missing"):
        field_path = field_path.rpartition(".")[0]
    return f"{field_path}: {message}" if field_path else message


def _without_tags(data: Any, loc: tuple) -> tuple:
    """Drop pydantic's union tags ('connector' after a step index, 'CustomerTurn'
    inside a script) from a location, so they are never taken for a field."""
    out, node = [], data
    for part in loc:
        if isinstance(node, dict) and node.get("kind") == part and _is_union_tag(part):
            continue
        if isinstance(part, str) and _MEMBER.match(part) and not (isinstance(node, dict) and part in node):
            continue
        out.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(out)


def _steps_along(data: Any, loc: tuple) -> list[tuple[int, dict]]:
    """(index in `loc`, step) for every step the location passes through, outermost first."""
    steps, node = [], data
    for index, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            continue
        if isinstance(node, dict) and "kind" in node and "id" in node:
            steps.append((index, node))
    return steps


def _inside_step(data: Any, loc: tuple) -> tuple:
    """The part of `loc` inside the innermost step (the step id is reported beside it)."""
    steps = _steps_along(data, loc)
    return tuple(loc[steps[-1][0] + 1:]) if steps else tuple(loc)


def _step_id_at(data: Any, loc: tuple) -> str | None:
    """The id of the innermost step the location is inside, if any."""
    steps = _steps_along(data, loc)
    return str(steps[-1][1]["id"]) if steps else None


# -- which fields are allowed at a place -----------------------------------------
def _fields_at(model: type[BaseModel], data: Any, loc: tuple) -> list[str] | None:
    """Field names (as written in files) of the model found at `loc`, or None."""
    found = _model_at(model, data, loc)
    return [f.alias or n for n, f in found.model_fields.items()] if found is not None else None


def _model_at(model: type[BaseModel], data: Any, loc: tuple) -> type[BaseModel] | None:
    """The model class that the mapping at `loc` is read into, or None."""
    annotation: Any = model
    node = data
    for part in loc:
        annotation = _unwrap(annotation, node)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = next((f for n, f in annotation.model_fields.items() if (f.alias or n) == part), None)
            if field is None:
                return None
            annotation = field.annotation
        elif typing.get_origin(annotation) in (list, tuple) and isinstance(part, int):
            annotation = (typing.get_args(annotation) or (Any,))[0]
        elif typing.get_origin(annotation) is dict:
            annotation = (typing.get_args(annotation) or (Any, Any))[-1]
        else:
            return None
        node = node.get(part) if isinstance(node, dict) else (
            node[part] if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node) else None)
    annotation = _unwrap(annotation, node)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _missing_hint(model: type[BaseModel] | None, data: Any, loc: tuple) -> str | None:
    """'add text: <what it is>' for a required field left out."""
    owner = _model_at(model, data, loc[:-1]) if model is not None else None
    if owner is None:
        return f"add {loc[-1]}: ..."
    from .schema_export import DESCRIPTIONS          # the same words the JSON Schema uses
    about = DESCRIPTIONS.get(owner.__name__, ("", {}))[1].get(str(loc[-1]))
    return f"add {loc[-1]}: ..." + (f" ({about[0].lower()}{about[1:].rstrip('.')})" if about else "")


def _unwrap(annotation: Any, node: Any) -> Any:
    """Through Annotated, Optional and unions to the member that fits `node`."""
    for _ in range(10):
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
            kind = node.get("kind") if isinstance(node, dict) else None
            tagged = [m for m in models if kind is not None and _kind_default(m) == kind]
            if tagged:
                return tagged[0]
            if isinstance(node, dict) and models:
                return models[0]
            containers = [m for m in members if typing.get_origin(m) in (list, dict)]
            annotation = containers[0] if containers else (members[0] if members else Any)
        else:
            return annotation
    return annotation


def _kind_default(model: type[BaseModel]) -> Any:
    field = model.model_fields.get("kind")
    return field.default if field is not None else None
