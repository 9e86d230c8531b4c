"""The trace: every decision the engine makes, as typed events.

The runner shows it, the judge and coverage read it, and it must be byte for
byte the same for the same input, so no event carries wall-clock time unless
a real network call was made (offline durations are always 0).
"""
from __future__ import annotations

from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, TypeAdapter


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid")
    turn: int = 0                       # customer turn (1-based) the event happened in
    procedure: str | None = None
    step: str | None = None


class ConversationStarted(Event):
    type: Literal["conversation_started"] = "conversation_started"
    engine: str
    customer: dict[str, Any] = Field(default_factory=dict)


class CustomerMessage(Event):
    type: Literal["customer_message"] = "customer_message"
    text: str
    attachments: list[str] = Field(default_factory=list)


class AttachmentRead(Event):
    """How the brain read an attachment: its `extracted` values (offline), as an
    image part (a model that sees images), or by file name only (one that cannot)."""
    type: Literal["attachment"] = "attachment"
    file: str
    how: str


class ProcedureChosen(Event):
    type: Literal["procedure_chosen"] = "procedure_chosen"
    reason: str
    scores: dict[str, float] = Field(default_factory=dict)


class StepEntered(Event):
    type: Literal["step_entered"] = "step_entered"
    kind: str
    depth: int = 0                      # call-stack depth (0 = the top procedure)


class StepLeft(Event):
    type: Literal["step_left"] = "step_left"
    kind: str
    result: str = ""


class StepSkipped(Event):
    type: Literal["step_skipped"] = "step_skipped"
    kind: str
    when: str
    values: dict[str, Any] = Field(default_factory=dict)


class ConditionEvaluated(Event):
    type: Literal["condition_evaluated"] = "condition_evaluated"
    purpose: Literal["branch", "when", "switch_rule"] = "branch"
    branch: int | None = None
    expression: str
    result: bool
    values: dict[str, Any] = Field(default_factory=dict)


class BranchTaken(Event):
    type: Literal["branch_taken"] = "branch_taken"
    branch: int | None = None           # None: no branch matched
    is_else: bool = False
    key: str                            # coverage key: "<step>#<index>" or "<step>#none"


class Waiting(Event):
    type: Literal["waiting"] = "waiting"
    missing: list[str]
    attempt: int                        # customer turns spent on this step so far
    attempts: int


class VariableSet(Event):
    type: Literal["variable_set"] = "variable_set"
    name: str
    value: Any = None
    source: Literal["message", "attachment", "connector", "code", "segment"] = "message"
    how: str = ""                       # e.g. "pattern", "leading word 'yes'"
    message_turn: int | None = None     # which customer turn the value came from


class NotExtracted(Event):
    type: Literal["not_extracted"] = "not_extracted"
    name: str
    why: str                            # e.g. "the number ... is too large to represent"
    message_turn: int | None = None


class ScriptIgnored(Event):
    type: Literal["script_ignored"] = "script_ignored"
    texts: list[str] = Field(default_factory=list)   # the scripted turns never sent
    reason: str = ""


class ConnectorCalled(Event):
    type: Literal["connector_called"] = "connector_called"
    connector: str
    inputs: dict[str, Any] = Field(default_factory=dict)
    source: Literal["fixture", "sample", "real"] = "sample"
    status: Literal["ok", "error"] = "ok"
    output: Any = None
    error: str | None = None
    on_error: str | None = None
    request: dict[str, Any] | None = None   # real calls: method, url, headers (secrets redacted)
    duration_ms: float = 0.0


class SnippetRun(Event):
    type: Literal["snippet_run"] = "snippet_run"
    status: str
    assigned: list[str] = Field(default_factory=list)
    error: str | None = None


class KnowledgeUsed(Event):
    type: Literal["knowledge_used"] = "knowledge_used"
    article: str
    title: str = ""


class Checkpoint(Event):
    type: Literal["checkpoint"] = "checkpoint"
    mode: Literal["approval", "handoff"]
    note: str = ""
    decision: Literal["approved", "rejected"] | None = None
    decision_source: Literal["fixture", "default"] | None = None


class Switch(Event):
    type: Literal["switch"] = "switch"
    to: str
    rule: str
    why: str = ""


class SubprocedureReturned(Event):
    type: Literal["returned"] = "returned"
    to: str                             # the procedure control returns to


class Reply(Event):
    type: Literal["reply"] = "reply"
    text: str
    steps: list[str] = Field(default_factory=list)
    reasoning: str | None = None        # the model's own account of the reply (model engines)


class Handoff(Event):
    type: Literal["handoff"] = "handoff"
    reason: str
    note: str = ""


class End(Event):
    type: Literal["end"] = "end"
    outcome: Literal["resolved", "handoff", "unresolved"]
    reason: str = ""


class Error(Event):
    type: Literal["error"] = "error"
    message: str


TraceEvent = Union[
    ConversationStarted, CustomerMessage, AttachmentRead, ProcedureChosen, StepEntered, StepLeft,
    StepSkipped, ConditionEvaluated, BranchTaken, Waiting, VariableSet, NotExtracted, ScriptIgnored,
    ConnectorCalled, SnippetRun,
    KnowledgeUsed, Checkpoint, Switch, SubprocedureReturned, Reply, Handoff, End, Error,
]


_EVENTS = TypeAdapter(list[SerializeAsAny[Event]])
"""Every event by its own class's fields, the list in one call (an event at a time was
twice as slow: a simulation has ~30 events)."""


class Trace:
    """An append-only list of events; `dump()` is what SimulationResult.trace holds."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, event: Event) -> Event:
        self.events.append(event)
        return event

    def dump(self) -> list[dict[str, Any]]:
        return _EVENTS.dump_python(self.events, mode="json", exclude_none=True)

    def of_type(self, type_name: str) -> list[Event]:
        return [e for e in self.events if getattr(e, "type", None) == type_name]
