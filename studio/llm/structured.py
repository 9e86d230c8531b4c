"""Structured output: JSON read from a model reply and re-validated with pydantic.

Models and servers differ in what they support, so a request asks for a JSON
schema response format first, then JSON mode carrying the schema (llama.cpp's
server constrains decoding with it), then plain JSON mode, then plain
prompting; whatever comes back is parsed here and validated again, never
trusted as is. Validation is strict (DESIGN.md section 4): an answer that
parses but does not fit its schema (`{}`, a missing field, a wrong type, a
value outside an enum) is MalformedOutput, which the client retries and then
reports as an error. It is never read as a null answer ("no procedure fits",
"not extracted").
"""
from __future__ import annotations

import functools
import json
import re
from typing import Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, ValidationError, create_model
from typing_extensions import Annotated

FORMAT_MODES = ("json_schema", "json_object_schema", "json_object", "prompt")


class MalformedOutput(ValueError):
    """The reply was not the JSON asked for."""


_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.S)


def extract_json(text: str) -> Any:
    """The JSON value in a reply, tolerating code fences and prose around it."""
    if text is None:
        raise MalformedOutput("the reply is empty")
    candidates = [text.strip()]
    candidates += [m.group(1).strip() for m in _FENCE.finditer(text)]
    start, end = text.find("{"), text.rfind("}")
    if start != -1 and end > start:
        candidates.append(text[start:end + 1])
    for candidate in candidates:
        if not candidate:
            continue
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    snippet = text.strip().replace("\n", " ")[:120]
    raise MalformedOutput(f"the reply is not valid JSON: {snippet!r}")


def parse_reply(text: str, schema: type[BaseModel] | None) -> Any:
    """Validate a reply against `schema` (or just JSON when None); MalformedOutput if not."""
    data = extract_json(text)
    if schema is None:
        return data
    if not isinstance(data, dict):
        raise MalformedOutput("the reply is JSON but not an object")
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise MalformedOutput(f"the reply does not fit its schema: {_short_errors(exc)}") from None


def _short_errors(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                     for e in exc.errors(include_url=False)[:5])


@functools.lru_cache(maxsize=512)
def _schema_text(schema: type[BaseModel]) -> str:
    return json.dumps(schema.model_json_schema(), ensure_ascii=False)


def schema_of(schema: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of `schema`, made once per class (a fresh copy each call)."""
    return json.loads(_schema_text(schema))


def response_format_for(mode: str, schema: type[BaseModel] | None) -> dict[str, Any] | None:
    if mode == "json_schema" and schema is not None:
        return {"type": "json_schema", "json_schema": {
            "name": re.sub(r"[^A-Za-z0-9_-]", "_", schema.__name__)[:64] or "reply",
            "schema": schema_of(schema), "strict": False}}
    if mode == "json_object_schema" and schema is not None:
        return {"type": "json_object", "schema": schema_of(schema)}
    if mode in ("json_object", "json_object_schema", "json_schema"):
        return {"type": "json_object"}
    return None


def format_instruction(mode: str, schema: type[BaseModel] | None) -> str | None:
    """Text added to the prompt when the API itself does not carry the schema."""
    if mode == "json_schema" and schema is not None:
        return None
    if schema is None:
        return "Answer with a single JSON object and nothing else."
    return ("Answer with a single JSON object and nothing else, matching this JSON schema:\n"
            + json.dumps(schema_of(schema), ensure_ascii=False))


_FORMAT_WORDS = ("response_format", "json_schema", "response format", "json mode",
                 "structured output", "json_object", "guided_json")


def looks_unsupported(message: str) -> bool:
    """Does an error say the response format is the problem, whatever its status?

    Servers say so differently: OpenAI and LM Studio with a 400, FastAPI-based ones
    (vLLM) with a 422, llama-cpp-python's server with a 500 carrying pydantic's
    `literal_error` at ('body', 'response_format', 'type'). The body is what counts."""
    text = message.lower()
    return any(word in text for word in _FORMAT_WORDS)


# -- models built from procedure variables -------------------------------------------

_SIMPLE_TYPES: dict[str, Any] = {
    "string": str, "email": str, "date": str, "image": str, "file": str,
    # a number must be finite: infinity (1e999, 400 digits) would break the next step
    "number": Annotated[float, Field(allow_inf_nan=False)], "integer": int, "boolean": bool,
    "object": dict[str, Any],
    "list": list[Any],
}
_CURRENCY = re.compile(r"^[^\d\-+.]*([-+]?\d[\d,]*(?:\.\d+)?)\s*[^\d]*$")


def _to_number(value: Any) -> Any:
    if isinstance(value, str):
        match = _CURRENCY.match(value.strip())
        if match:
            return match.group(1).replace(",", "")
    return value


def _enum_matcher(options: list[Any]):
    def match(value: Any) -> Any:
        if value is None or value in options:
            return value
        lowered = str(value).strip().lower()
        for option in options:
            if str(option).lower() == lowered:
                return option
        return value
    return match


def _field_type(var: Any) -> Any:
    kind = getattr(var, "type", "string")
    if kind == "enum" and getattr(var, "options", None):
        options = list(var.options)
        literal = Literal[tuple(options)]  # type: ignore[valid-type]
        return Annotated[literal, BeforeValidator(_enum_matcher(options))]
    base = _SIMPLE_TYPES.get(kind, Any)
    if kind in ("number", "integer"):
        return Annotated[base, BeforeValidator(_to_number)]
    return base


def _describe(name: str, var: Any) -> str:
    parts = [getattr(var, "description", None) or name.replace("_", " ")]
    kind = getattr(var, "type", "string")
    if kind == "date":
        parts.append("(a date, YYYY-MM-DD)")
    if getattr(var, "pattern", None):
        parts.append(f"(format: {var.pattern})")
    return " ".join(parts) + ". Null when the customer has not said it."


def model_for_variables(variables: dict[str, Any], name: str = "Extraction", *,
                        reasoning: str | None = None) -> type[BaseModel]:
    """A pydantic model with one field per procedure variable (core Variable).

    Every field is required but nullable, so an answer must say null for what the
    customer did not state: `{}` or a missing field does not fit and is retried.
    With `reasoning`, a `reasoning` field comes first, so a model writes its
    reasons before its answers (it may leave it out: it is no answer)."""
    fields: dict[str, Any] = {}
    if reasoning is not None and "reasoning" not in variables:
        fields["reasoning"] = (str, Field(default="", description=reasoning))
    for var_name, var in variables.items():
        fields[var_name] = (_field_type(var) | None, Field(description=_describe(var_name, var)))
    return create_model(name, **fields)


def choice_model(name: str, field: str, choices: list[Any], *, description: str,
                 reasoning: str) -> type[BaseModel]:
    """An answer that is one of `choices` or null (e.g. a procedure id as an enum),
    required, after a `reasoning` field."""
    kind: Any = Literal[tuple(choices)] if choices else type(None)  # type: ignore[valid-type]
    return create_model(name, reasoning=(str, Field(default="", description=reasoning)),
                        **{field: (kind | None, Field(description=description))})
