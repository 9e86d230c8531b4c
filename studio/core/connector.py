"""A data connector: what it takes, how to call it for real, and its default mock."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_serializer

from .base import Model
from .ids import Id


class ConnectorInput(Model):
    type: str = "string"
    required: bool = False
    description: str | None = None


class ConnectorRequest(Model):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    body: Any = None
    timeout: float = Field(default=10.0, gt=0, le=120)
    retries: int = Field(default=1, ge=0, le=5)


class Connector(Model):
    schema_: Literal["connector/v1"] = Field(default="connector/v1", alias="schema")
    id: Id
    description: str = ""
    inputs: dict[str, ConnectorInput] = Field(default_factory=dict)
    request: ConnectorRequest | None = None
    sample: Any = None

    @model_serializer(mode="wrap")
    def _with_schema(self, handler):
        data = handler(self)
        data.pop("schema", None)
        return {"schema": self.schema_, "id": self.id} | {k: v for k, v in data.items() if k != "id"}

    def sample_fields(self) -> list[str]:
        """Dotted field names of the sample, for completion of `order.total`."""
        out: list[str] = []

        def visit(value: Any, prefix: str) -> None:
            if isinstance(value, dict):
                for key, sub in value.items():
                    out.append(f"{prefix}{key}")
                    visit(sub, f"{prefix}{key}.")

        visit(self.sample, "")
        return out
