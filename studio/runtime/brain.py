"""The decisions a model may make, as a Protocol both engines implement.

The state machine (engine.py), the trace and the judge are shared; only these
four decisions differ between the deterministic offline brain and a model:
route the first message, detect switch signals, extract the waiting step's
variables, and write the reply text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from studio.core.procedure import Procedure, SwitchRule, Variable
from studio.core.simulation import CustomerTurn

if TYPE_CHECKING:
    from studio.core.project import Project

    from .options import RunOptions


class BrainError(Exception):
    """The brain could not decide (a model outage after retries): the run is an `error`."""


@dataclass
class RouteDecision:
    procedure: str | None               # None: no procedure matched
    reason: str
    scores: dict[str, float] = field(default_factory=dict)


@dataclass
class SwitchCandidate:
    procedure: str                      # the active procedure that owns the rule
    index: int                          # the rule's index in its switch_rules
    rule: SwitchRule


@dataclass
class SwitchDecision:
    candidate: SwitchCandidate
    rule: str                           # short description, e.g. "keywords: lawyer"
    why: str                            # e.g. "the message contains 'lawyer'"


@dataclass
class ExtractRequest:
    procedure: Procedure
    step_id: str
    step_text: str
    wanted: dict[str, Variable]         # the step's collect variables still unset
    is_start: bool                      # the message started the procedure (said up front)
    known: dict[str, Any]               # current variables, read only
    transcript: list[Any] = field(default_factory=list)   # TranscriptEntry so far


@dataclass
class Extracted:
    name: str
    value: Any
    how: str = ""                       # shown in the trace, e.g. "pattern FD-\\d{6}"


@dataclass
class ReplyPart:
    procedure: str
    step: str
    kind: str
    purpose: Literal["say", "ask", "reask", "checkpoint", "handoff", "end"]
    text: str = ""                      # the step's instruction text (customer-facing guidance)
    say: str | None = None              # the rendered `say`, when the step has one
    note: str | None = None             # internal note for the human teammate: never said


@dataclass
class ReplyRequest:
    parts: list[ReplyPart]
    variables: dict[str, Any]
    knowledge: list[str] = field(default_factory=list)    # article ids in context
    transcript: list[Any] = field(default_factory=list)
    tone: str | None = None
    customer: dict[str, Any] = field(default_factory=dict)   # the segment's attributes and the simulation's


class Brain(Protocol):
    name: str                           # "offline" or the litellm model id

    def route(self, message: CustomerTurn, transcript: list[Any]) -> RouteDecision: ...

    def detect_switch(self, message: CustomerTurn, candidates: list[SwitchCandidate],
                      transcript: list[Any]) -> SwitchDecision | None:
        """Only rules with keywords or a description are offered; `when` rules are the engine's."""

    def extract(self, message: CustomerTurn, request: ExtractRequest) -> list[Extracted]: ...

    # Optional (the model brain has it): `switch_and_extract(message, candidates, transcript,
    # request) -> (SwitchDecision | None, list[Extracted] | None)` answers the switch check
    # and the extraction for `request` at once, one model call instead of two. Extracted
    # None: not asked (the engine asks `extract` when it gets there). A brain without it
    # gets `detect_switch`, then `extract`.

    def reply(self, request: ReplyRequest) -> str: ...


def make_brain(project: "Project", options: "RunOptions | None" = None, *,
               cancel: Any = None) -> Brain:
    """The offline brain for "offline"; otherwise the model brain, imported lazily.

    The model brain lives in `studio.runtime.model_brain` as
    `ModelBrain(project, options, cancel=...)`: `cancel` (anything with a `cancelled`
    flag, e.g. core.progress.Progress) stops its model calls in flight and their
    retries, so a Stop does not wait for a slow model. The Brain methods are unchanged.
    """
    from .options import RunOptions, engine_name
    options = options or RunOptions()
    name = engine_name(project, options)
    if name == "offline":
        from .offline_brain import OfflineBrain
        return OfflineBrain(project)
    from .model_brain import ModelBrain
    return ModelBrain(project, options, cancel=cancel)
