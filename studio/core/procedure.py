"""A procedure file: trigger, variables, switch rules and steps."""
from __future__ import annotations

from typing import Any, Iterator, Literal

from pydantic import Field, field_validator, model_serializer

from .base import Model, expression_text
from .ids import Id
from .steps import Step, walk_steps

VARIABLE_TYPES = (
    "string", "number", "integer", "boolean", "enum", "email", "date",
    "image", "file", "object", "list",
)


class Variable(Model):
    type: Literal[
        "string", "number", "integer", "boolean", "enum", "email", "date",
        "image", "file", "object", "list",
    ] = "string"
    description: str | None = None
    required: bool | None = None
    pattern: str | None = None
    options: list[Any] | None = None

    @model_serializer(mode="wrap")
    def _with_type(self, handler):
        return {"type": self.type} | handler(self)


class Trigger(Model):
    description: str = ""
    examples: list[str] = Field(default_factory=list)


class SwitchRule(Model):
    to: str
    keywords: list[str] = Field(default_factory=list)
    when: str | None = None
    description: str | None = None     # what a model engine listens for

    _expr = field_validator("when", mode="before")(lambda cls, v: expression_text(v))

    @model_serializer(mode="wrap")
    def _ordered(self, handler):
        data = handler(self)
        return {k: data[k] for k in ("keywords", "when", "description") if k in data} | {"to": self.to}


class Procedure(Model):
    schema_: Literal["procedure/v1"] = Field(default="procedure/v1", alias="schema")
    id: Id
    title: str = ""
    description: str | None = None
    trigger: Trigger = Field(default_factory=Trigger)
    channels: list[str] = Field(default_factory=list)
    variables: dict[str, Variable] = Field(default_factory=dict)
    switch_rules: list[SwitchRule] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _with_schema(self, handler):
        data = handler(self)
        data.pop("schema", None)
        return {"schema": self.schema_, "id": self.id} | {k: v for k, v in data.items() if k != "id"}

    def walk(self) -> Iterator[tuple[tuple, Any]]:
        """(path in file, step) for every step, nested ones included."""
        return walk_steps(self.steps)

    def all_steps(self) -> list[Any]:
        return [step for _, step in self.walk()]

    def find_step(self, step_id: str) -> Any | None:
        return next((s for s in self.all_steps() if s.id == step_id), None)

    def step_ids(self) -> list[str]:
        return [s.id for s in self.all_steps()]
