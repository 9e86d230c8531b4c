"""A simulation: a scripted (or model-played) customer, fixtures and expectations."""
from __future__ import annotations

from typing import Any, Literal, Union

from pydantic import Field, model_serializer

from .base import Model

APPROVAL_DECISIONS = ("approved", "rejected")


class Attachment(Model):
    file: str
    extracted: dict[str, Any] = Field(default_factory=dict)


class CustomerTurn(Model):
    text: str = ""
    attachments: list[Attachment] = Field(default_factory=list)


class Customer(Model):
    segment: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    script: list[Union[str, CustomerTurn]] = Field(default_factory=list)
    persona: str | None = None
    goal: str | None = None
    facts: dict[str, Any] = Field(default_factory=dict)   # what a model-played customer knows

    def turns(self) -> list[CustomerTurn]:
        return [CustomerTurn(text=t) if isinstance(t, str) else t for t in self.script]


class Fixtures(Model):
    connectors: dict[str, Any] = Field(default_factory=dict)
    approvals: dict[str, Literal["approved", "rejected"]] = Field(default_factory=dict)


class ExpectedCall(Model):
    connector: str
    inputs: dict[str, Any] = Field(default_factory=dict)

    @model_serializer(mode="wrap")
    def _full(self, handler):
        data = handler(self)
        return {"connector": self.connector} | ({"inputs": data["inputs"]} if self.inputs else {})


class Expectations(Model):
    procedure: str | None = None
    outcome: Literal["resolved", "handoff", "unresolved"] | None = None
    visited: list[str] = Field(default_factory=list)
    not_visited: list[str] = Field(default_factory=list)
    variables: dict[str, Any] = Field(default_factory=dict)
    connector_calls: list[ExpectedCall] = Field(default_factory=list)
    not_called: list[str] = Field(default_factory=list)
    replies_contain: list[str] = Field(default_factory=list)
    replies_not_contain: list[str] = Field(default_factory=list)
    note_contains: list[str] = Field(default_factory=list)
    max_turns: int | None = Field(default=None, ge=1)
    rubric: list[str] = Field(default_factory=list)

    def is_empty(self) -> bool:
        return not self.to_data()


EXPECTATION_TYPES = tuple(Expectations.model_fields)


class Simulation(Model):
    schema_: Literal["simulation/v1"] = Field(default="simulation/v1", alias="schema")
    name: str
    procedure: str | None = None
    tags: list[str] = Field(default_factory=list)
    description: str | None = None
    channel: str | None = None
    customer: Customer = Field(default_factory=Customer)
    fixtures: Fixtures = Field(default_factory=Fixtures)
    expect: Expectations = Field(default_factory=Expectations)

    @model_serializer(mode="wrap")
    def _with_schema(self, handler):
        data = handler(self)
        data.pop("schema", None)
        return {"schema": self.schema_, "name": self.name} | {k: v for k, v in data.items() if k != "name"}
