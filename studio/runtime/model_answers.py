"""The answer shapes the model engine asks for: one strict schema per decision.

Each answer has its `reasoning` first (a model that reasons before it answers
answers better) and its answer fields required: `{}` or a wrong type does not
fit and is retried, then the run is `error` (DESIGN.md section 4), never read
as "no procedure fits" or "not extracted". Choices are enums: a procedure id
the project does not have, or a switch rule that does not exist, does not fit.
Schemas are built once per distinct shape and shared by every simulation.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, create_model

from studio.llm.structured import choice_model, model_for_variables

MAX_SCHEMAS = 1024
_SCHEMAS: dict[tuple, type] = {}


def _cached(key: tuple, build: Any) -> type:
    schema = _SCHEMAS.get(key)
    if schema is None:
        schema = build()
        if len(_SCHEMAS) >= MAX_SCHEMAS:
            _SCHEMAS.clear()
        _SCHEMAS[key] = schema
    return schema


def route_answer(procedure_ids: list[str]) -> type:
    """`procedure`: one of the project's ids, or null when none fits."""
    ids = tuple(procedure_ids)
    return _cached(("route", ids), lambda: choice_model(
        "RouteAnswer", "procedure", list(ids),
        description="The id of the procedure that handles the message, or null if none fits.",
        reasoning="One or two sentences: why this procedure, or why none."))


def switch_answer(rule_count: int) -> type:
    """`rule`: the number (1-based) of the rule that applies, or null."""
    return _cached(("switch", rule_count), lambda: choice_model(
        "SwitchAnswer", "rule", list(range(1, rule_count + 1)),
        description="The number of the rule that applies, or null when none applies.",
        reasoning="One sentence: what in the latest message signals the rule, if anything."))


def extraction_key(wanted: dict[str, Any], others: dict[str, Any]) -> tuple:
    return (tuple((n, v.model_dump_json()) for n, v in wanted.items()),
            tuple((n, v.model_dump_json()) for n, v in others.items()))


def extraction_answer(wanted: dict[str, Any], others: dict[str, Any]) -> type:
    """One nullable, required field per variable offered, after `reasoning`."""
    key = ("extract",) + extraction_key(wanted, others)
    return _cached(key, lambda: model_for_variables(
        {**wanted, **others}, name="Extraction",
        reasoning="One sentence: what the message states, and for which fields."))


SWITCH_FIELD = "switch_rule"


def switch_extraction_answer(rule_count: int, wanted: dict[str, Any],
                             others: dict[str, Any]) -> type:
    """The switch check and the extraction in one answer: `reasoning`, then `switch_rule`
    (1-based, or null), then one nullable, required field per variable offered."""
    key = ("switch+extract", rule_count) + extraction_key(wanted, others)

    def build() -> type:
        values = model_for_variables({**wanted, **others}, name="SwitchAndExtraction")
        rules = Literal[tuple(range(1, rule_count + 1))]  # type: ignore[valid-type]
        fields: dict[str, Any] = {
            "reasoning": (str, Field(default="", description=(
                "One or two sentences: whether the latest message signals a rule, and what it "
                "states for which fields."))),
            SWITCH_FIELD: (rules | None, Field(description=(
                "The number of the switch rule the latest message signals, or null when none "
                "applies."))),
        }
        fields.update({name: (info.annotation, info) for name, info in values.model_fields.items()})
        return create_model("SwitchAndExtraction", **fields)
    return _cached(key, build)
