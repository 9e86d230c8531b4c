"""One production conversation as DESIGN.md section 6 defines it (only `id` and
`messages` are required). Extra fields are ignored, so richer logs still import."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Role = Literal["customer", "agent", "human"]
Outcome = Literal["resolved", "handoff", "unresolved"]


def parse_time(value: Any) -> str | None:
    """An ISO 8601 time (or Unix seconds) as UTC ISO text; None stays None."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = datetime.fromtimestamp(value, timezone.utc)
    else:
        text = str(value).strip()
        if text.isdigit():
            moment = datetime.fromtimestamp(int(text), timezone.utc)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Message(_Loose):
    role: Role
    text: str = ""
    at: str | None = None

    @field_validator("at", mode="before")
    @classmethod
    def _time(cls, value: Any) -> str | None:
        return parse_time(value)


class CustomerInfo(_Loose):
    segment: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


class ConnectorCall(_Loose):
    """A connector call production logged: its output becomes a replay fixture."""
    connector: str
    inputs: dict[str, Any] = Field(default_factory=dict)
    output: Any = None
    error: str | None = None


class ProductionConversation(_Loose):
    id: str = Field(min_length=1, max_length=200)
    started_at: str | None = None
    channel: str | None = None
    customer: CustomerInfo = Field(default_factory=CustomerInfo)
    messages: list[Message] = Field(min_length=1)
    procedure: str | None = None
    outcome: Outcome | None = None
    csat: float | None = None
    connector_calls: list[ConnectorCall] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("started_at", mode="before")
    @classmethod
    def _time(cls, value: Any) -> str | None:
        return parse_time(value)

    def customer_texts(self) -> list[str]:
        return [m.text for m in self.messages if m.role == "customer"]

    @property
    def opener(self) -> str:
        return next((m.text for m in self.messages if m.role == "customer"), "")

    @property
    def first_at(self) -> str | None:
        return self.started_at or next((m.at for m in self.messages if m.at), None)

    @property
    def last_at(self) -> str | None:
        return next((m.at for m in reversed(self.messages) if m.at), None)

    def minutes(self) -> float | None:
        """Handle time from the first to the last timestamp, when the log has both."""
        first, last = self.first_at, self.last_at
        if not first or not last:
            return None
        seconds = (datetime.fromisoformat(last.replace("Z", "+00:00"))
                   - datetime.fromisoformat(first.replace("Z", "+00:00"))).total_seconds()
        return round(max(seconds, 0.0) / 60, 2)
