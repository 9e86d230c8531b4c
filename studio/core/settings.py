"""studio.yaml: project-wide settings."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_serializer

from .base import Model
from .ids import Id

DEFAULT_ENVIRONMENTS = ("staging", "production")


class ModelSettings(Model):
    name: str = "offline"
    api_base: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    timeout: float | None = Field(default=None, gt=0)
    concurrency: int | None = Field(default=None, ge=1, le=64)
    retries: int | None = Field(default=None, ge=0, le=10)
    judge: str | None = None           # a different model for rubric judging
    customer: str | None = None        # a different model for playing the customer

    @model_serializer(mode="wrap")
    def _with_name(self, handler):
        return {"name": self.name} | handler(self)

    @property
    def is_offline(self) -> bool:
        return self.name == "offline"


class RealCalls(Model):
    """Connectors allowed to reach the network, and only these hosts."""
    connectors: list[str] = Field(default_factory=list)
    allowed_hosts: list[str] = Field(default_factory=list)


class Fallback(Model):
    """What a first message that matches no trigger gets, and how many tries
    before handing off (DESIGN.md section 4, edge rules)."""
    say: str = "How can I help you today?"
    attempts: int = Field(default=1, ge=0, le=10)


class ProjectSettings(Model):
    schema_: Literal["studio/v1"] = Field(default="studio/v1", alias="schema")
    name: str = "Untitled project"
    tone: str | None = None
    model: ModelSettings = Field(default_factory=ModelSettings)
    segments: dict[str, dict[str, Any]] = Field(default_factory=dict)
    real_calls: RealCalls = Field(default_factory=RealCalls)
    secrets: list[str] = Field(default_factory=list)    # the only names {{ secrets.X }} may read
    fallback: Fallback = Field(default_factory=Fallback)
    # the rollout path, in order: approving for one needs the one before (DESIGN.md section 5)
    environments: list[Id] = Field(default_factory=lambda: list(DEFAULT_ENVIRONMENTS),
                                   min_length=1)

    @field_validator("environments")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        twice = sorted({env for env in value if value.count(env) > 1})
        if twice:
            raise ValueError(f"environment {twice[0]!r} is listed twice")
        return value

    @model_serializer(mode="wrap")
    def _with_schema(self, handler):
        data = handler(self)
        data.pop("schema", None)
        return {"schema": self.schema_, "name": self.name} | {k: v for k, v in data.items() if k != "name"}
