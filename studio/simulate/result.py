"""What a simulation run produces: the contract between the runner, the library,
the CLI and the GUI. Extend with optional fields; do not rename."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["passed", "failed", "error", "skipped"]   # skipped: every expectation was
ExpectationStatus = Literal["pass", "fail", "skipped"]


class ExpectationResult(BaseModel):
    type: str                       # the key under `expect:` (visited, outcome, rubric, ...)
    status: ExpectationStatus
    expected: Any = None
    actual: Any = None
    message: str = ""               # one line a designer can act on
    reasoning: str | None = None    # the judge model's reasoning, for rubric criteria


class TranscriptEntry(BaseModel):
    role: Literal["customer", "agent", "note", "system"]
    text: str = ""
    attachments: list[dict[str, Any]] = Field(default_factory=list)
    turn: int = 0                   # customer turn number this entry belongs to (1-based)
    procedure: str | None = None
    step: str | None = None


class StepCoverage(BaseModel):
    steps: list[str] = Field(default_factory=list)       # step ids visited
    branches: list[str] = Field(default_factory=list)    # "condition-id#index" taken (else by its index), "condition-id#none"


class SimulationResult(BaseModel):
    simulation: str                 # the simulation's name
    procedure: str | None = None    # the procedure the simulation names
    status: Status                  # skipped: nothing could be judged (a rubric offline)
    error: str | None = None        # why, when status is error
    error_code: str | None = None   # what kind of fault: a ModelError reason, "cancelled", "judge"
    outcome: str | None = None      # resolved / handoff / unresolved / None
    turns: int = 0                  # customer turns used
    duration_ms: float = 0.0
    tokens: int | None = None
    cost: float | None = None       # None means unknown, never zero by default
    cost_known: float | None = None  # with cost None: the part whose prices were known
    engine: str = "offline"
    expectations: list[ExpectationResult] = Field(default_factory=list)
    transcript: list[TranscriptEntry] = Field(default_factory=list)
    trace: list[dict[str, Any]] = Field(default_factory=list)
    coverage: dict[str, StepCoverage] = Field(default_factory=dict)   # by procedure id
    variables: dict[str, Any] = Field(default_factory=dict)
    triggered: str | None = None    # the procedure the router chose first

    @property
    def failed_expectations(self) -> list[ExpectationResult]:
        return [e for e in self.expectations if e.status == "fail"]
