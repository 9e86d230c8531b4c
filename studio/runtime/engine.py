"""The conversation state machine shared by the offline and model engines.

One Conversation per simulation run: feed it customer messages with
`receive()`; it routes the first one, checks switch rules on every one,
extracts the waiting step's variables, runs deterministic steps until a step
needs the customer or the conversation ends, and replies. Every decision goes
to `trace`. The brain (offline or model) makes only the judgement calls.
"""
from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

from studio.core.expressions import ExpressionError, parse
from studio.core.procedure import Variable
from studio.core.simulation import CustomerTurn, Fixtures

from .brain import Brain, BrainError, ExtractRequest, ReplyPart, ReplyRequest
from .connectors import ConnectorCaller, ConnectorFault
from .options import RunOptions
from .render import render_text, seen_values
from .step_kinds import StepKinds, step_handler
from .switching import Switching
from .trace import (
    AttachmentRead, ConditionEvaluated, ConversationStarted, CustomerMessage, End, Error, Handoff,
    NotExtracted,
    ProcedureChosen, Reply, StepEntered, StepLeft, StepSkipped, Trace, VariableSet,
    Waiting,
)

MAX_STEPS_PER_TURN = 200
MAX_CALL_DEPTH = 16
DEFAULT_HANDOFF_SAY = "I'm passing you to a teammate who can help."


class EngineError(Exception):
    """Something the procedure cannot handle: the run ends with status `error`.
    `reason` is the stored result's error code (library/error_codes.py)."""

    def __init__(self, message: str, reason: str = "engine"):
        super().__init__(message)
        self.reason = reason


@dataclass
class Cursor:
    procedure: str
    steps: list
    index: int = 0
    root: bool = False                       # first cursor of a procedure (top or called)
    caller: tuple[str, str] | None = None    # (procedure, subprocedure step id) that called it


@dataclass
class WaitState:
    procedure: str
    step: Any
    attempts_used: int = 0


def is_set(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


class ObservedTrace(Trace):
    """A Trace that also hands each event, as its dict, to a watcher (the live
    runner view). The watcher sees a copy and its errors are swallowed, so
    watching never changes the trace or the run."""

    def __init__(self, on_event: Callable[[dict[str, Any]], None]) -> None:
        super().__init__()
        self._on_event = on_event

    def add(self, event: Any) -> Any:
        super().add(event)
        try:
            self._on_event(event.model_dump(mode="json", exclude_none=True))
        except Exception:  # a broken watcher must not break the conversation
            pass
        return event


class Conversation(StepKinds, Switching):
    def __init__(self, project: Any, brain: Brain, *, attributes: dict[str, Any] | None = None,
                 fixtures: Fixtures | None = None, options: RunOptions | None = None,
                 on_event: Callable[[dict[str, Any]], None] | None = None):
        fixtures = fixtures or Fixtures()
        options = options or RunOptions()
        self.project = project
        self.brain = brain
        self.customer: dict[str, Any] = dict(attributes or {})
        self.variables: dict[str, Any] = {}
        self.approvals = dict(fixtures.approvals)
        self.connectors = ConnectorCaller(project, fixtures.connectors, real_calls=options.real_calls)
        self.trace = Trace() if on_event is None else ObservedTrace(on_event)
        self.transcript: list[Any] = []           # studio.simulate.result.TranscriptEntry-shaped dicts
        self.stack: list[Cursor] = []
        self.waiting: WaitState | None = None
        self.pending_start: CustomerTurn | None = None
        self.started = False
        self._unmatched_texts: list[str] = []       # first messages no trigger matched
        self._message: CustomerTurn | None = None   # the customer message being handled
        self.ended = False
        self.outcome: str | None = None
        self.end_reason = ""
        self.error: str | None = None
        self.error_code: str | None = None      # what kind of fault: a ModelError reason, or ours
        self.triggered: str | None = None
        self.turn = 0
        self.knowledge: list[str] = []
        self._parts: list[ReplyPart] = []
        self._notes: list[tuple[str, str | None, str | None]] = []
        self._recent: deque[str] = deque(maxlen=6)
        self._steps_this_turn = 0
        self._vars_changed = False
        self._names: dict[str, Any] | None = None
        self.trace.add(ConversationStarted(engine=brain.name, customer=self.customer))

    # -- public -------------------------------------------------------------
    def receive(self, message: CustomerTurn) -> str:
        """Handle one customer message; return the agent's reply ("" when none)."""
        if self.ended:
            return ""
        self.turn += 1
        self._steps_this_turn = 0
        self._parts, self._notes = [], []
        self._prefetched = None
        self._vars_changed = True        # `when` switch rules are checked on every message
        self.transcript.append({"role": "customer", "text": message.text, "turn": self.turn,
                                "attachments": [a.model_dump(mode="json", exclude_defaults=True)
                                                for a in message.attachments]})
        self._add(CustomerMessage(text=message.text, attachments=[a.file for a in message.attachments]))
        reply = ""
        self._message = message
        try:
            self._handle(message)
            reply = self._flush_reply()
        except (EngineError, ConnectorFault, BrainError) as exc:
            self.error_code = error_code(exc) or "engine"
            self._fail(str(exc))
        except ExpressionError as exc:
            self.error_code = "expression"
            self._fail(f"expression error{exc.where or self._where()}: {exc.message}")
        except Exception as exc:  # an engine fault must end the run as `error`, never crash it
            self.error_code = "engine"
            self._fail(f"engine fault{self._where()}: {type(exc).__name__}: {exc}")
        self._flush_notes()
        return reply

    def still_missing(self) -> list[str]:
        """What the waiting step still asks for ([] when no step waits): lets a
        driver such as the suggestion generator answer exactly that."""
        return self._missing(self.waiting.step) if self.waiting is not None else []

    def names(self) -> dict[str, Any]:
        """What expressions and templates see: variables plus `customer`."""
        if self._names is None:
            self._names = {**self.variables, "customer": self.customer}
        return self._names

    # -- turn handling ------------------------------------------------------
    def _handle(self, message: CustomerTurn) -> None:
        self._apply_attachments(message)
        if not self.started:
            decision = self.brain.route(message, self.transcript)
            if decision.procedure is None:
                self._unmatched(message, decision)
                return
            self._add(ProcedureChosen(procedure=decision.procedure, reason=decision.reason,
                                      scores=decision.scores))
            if decision.procedure not in self.project.procedures:
                raise EngineError(f"the router chose an unknown procedure '{decision.procedure}'")
            self.started = True
            self.triggered = decision.procedure
            self._start_procedure(decision.procedure, message)
            self._check_keyword_switch(message, self._first_collecting(decision.procedure))
        elif not self._check_keyword_switch(message, self._waiting_step()) \
                and self.waiting is not None:
            self._answer(message)
        self._run()

    def _unmatched(self, message: CustomerTurn, decision: Any) -> None:
        """A message that matches no trigger gets studio.yaml's `fallback.say` and the
        next one is routed again, up to `fallback.attempts` times; then a handoff whose
        note quotes what the customer asked (DESIGN.md section 4)."""
        fallback = self.project.settings.fallback
        self._unmatched_texts.append(message.text or "")
        tried = len(self._unmatched_texts)
        if tried <= fallback.attempts:
            self._add(ProcedureChosen(
                procedure=None, scores=decision.scores,
                reason=f"{decision.reason}; fallback {tried} of {fallback.attempts}: "
                       "asked how to help, the next message is routed again"))
            self._parts.append(ReplyPart("", "", "fallback", "say",
                                         text="Ask the customer what they need help with.",
                                         say=fallback.say))
            return
        self._add(ProcedureChosen(procedure=None, reason=decision.reason, scores=decision.scores))
        self.started = True
        asked = "; then ".join(json.dumps(t, ensure_ascii=False) for t in self._unmatched_texts)
        self._handoff(decision.reason + (f" (after {tried} messages)" if tried > 1 else ""),
                      note=f"No procedure matched what the customer asked: {asked}",
                      say=DEFAULT_HANDOFF_SAY)

    def _start_procedure(self, procedure_id: str, message: CustomerTurn | None) -> None:
        procedure = self.project.procedures[procedure_id]
        self.stack = [Cursor(procedure_id, procedure.steps, root=True)]
        self.waiting = None
        self.pending_start = message

    def _run(self) -> None:
        while not self.ended and self.waiting is None:
            if self._vars_changed:
                self._vars_changed = False
                if self._check_when_switch():
                    continue
            if not self.stack:
                return
            cursor = self.stack[-1]
            if cursor.index >= len(cursor.steps):
                self._pop(cursor)
                continue
            step = cursor.steps[cursor.index]
            self._guard(cursor.procedure, step.id)
            if step.when and not self._when_true(cursor, step):
                cursor.index += 1
                continue
            self._add(StepEntered(procedure=cursor.procedure, step=step.id, kind=step.kind,
                                  depth=self._depth()))
            step_handler(step.kind)(self, cursor, step)

    def _pop(self, cursor: Cursor) -> None:
        self.stack.pop()
        if cursor.root and cursor.caller is not None:
            self._returned(cursor)
        elif not self.stack:
            self._end("unresolved", f"procedure '{cursor.procedure}' ran out of steps without an end step")

    def _guard(self, procedure: str, step_id: str) -> None:
        self._steps_this_turn += 1
        self._recent.append(f"{procedure}.{step_id}")
        if self._steps_this_turn > MAX_STEPS_PER_TURN:
            raise EngineError(f"loop guard: more than {MAX_STEPS_PER_TURN} steps in one turn "
                              f"(last: {' -> '.join(self._recent)})")

    def _depth(self) -> int:
        return max(0, sum(1 for c in self.stack if c.root) - 1)

    def _when_true(self, cursor: Cursor, step: Any) -> bool:
        expr = parse(step.when)
        names = self.names()
        result = bool(expr.evaluate(names))
        values = seen_values(expr, names)
        self._add(ConditionEvaluated(procedure=cursor.procedure, step=step.id, purpose="when",
                                     expression=step.when, result=result, values=values))
        if not result:
            self._add(StepSkipped(procedure=cursor.procedure, step=step.id, kind=step.kind,
                                  when=step.when, values=values))
        return result

    # -- collecting ---------------------------------------------------------
    def _apply_attachments(self, message: CustomerTurn) -> None:
        """Offline, an attachment's `extracted` values stand for what it shows; a model
        brain reads the attachment itself (`read_attachment` says how, for the trace)."""
        read = getattr(self.brain, "read_attachment", None)
        for attachment in message.attachments:
            if read is not None:
                self._add(AttachmentRead(file=attachment.file, how=read(attachment)))
                continue
            for name, value in attachment.extracted.items():
                self.set_variable(name, value, source="attachment",
                                  how=f"attachment {attachment.file}", message_turn=self.turn)

    def _declared(self, procedure_id: str, name: str) -> Variable:
        own = self.project.procedures[procedure_id].variables.get(name)
        if own is not None:
            return own
        for procedure in self.project.procedures.values():
            if name in procedure.variables:
                return procedure.variables[name]
        return Variable()

    def _missing(self, step: Any) -> list[str]:
        return [name for name in step.collect if not is_set(self.variables.get(name))]

    def _extract_request(self, procedure_id: str, step: Any, message: CustomerTurn,
                         is_start: bool) -> tuple[ExtractRequest | None, dict[str, str]]:
        """What extraction at `step` asks the brain (None: nothing left to ask), and the
        image/file variables the message's attachment fills; changes nothing, so the
        switch check can ask for the extraction in the same model call."""
        wanted = {name: self._declared(procedure_id, name) for name in self._missing(step)}
        attached = {name: message.attachments[0].file for name, var in wanted.items()
                    if var.type in ("image", "file") and message.attachments}
        for name in attached:
            del wanted[name]
        if not wanted:
            return None, attached
        request = ExtractRequest(self.project.procedures[procedure_id], step.id, step.text, wanted,
                                 is_start, dict(self.variables) | attached, list(self.transcript))
        return request, attached

    def _extract(self, procedure_id: str, step: Any, message: CustomerTurn, is_start: bool) -> None:
        request, attached = self._extract_request(procedure_id, step, message, is_start)
        for name, file in attached.items():
            self.set_variable(name, file, source="attachment", how="attached file",
                              message_turn=self.turn)
        if request is None:
            return
        found = self._take_prefetched(procedure_id, step, message, is_start, request)
        if found is None:
            found = self.brain.extract(message, request)
        for item in found:
            if item.value is not None:
                self.set_variable(item.name, item.value, source="message", how=item.how,
                                  message_turn=self.turn, step=step.id, procedure=procedure_id)
            elif item.how:                  # found but unusable: the trace says why
                self._add(NotExtracted(procedure=procedure_id, step=step.id, name=item.name,
                                       why=item.how, message_turn=self.turn))

    def _answer(self, message: CustomerTurn) -> None:
        """The message goes to the step that is waiting for it, and only to it."""
        wait = self.waiting
        assert wait is not None
        step = wait.step
        before = self._missing(step)
        self._extract(wait.procedure, step, message, is_start=False)
        missing = self._missing(step)
        if not missing:
            self.waiting = None
            self._add(StepLeft(procedure=wait.procedure, step=step.id, kind=step.kind, result="collected"))
            self.stack[-1].index += 1
            return
        if len(missing) < len(before):      # progress: filled some, not an attempt
            self._add(Waiting(procedure=wait.procedure, step=step.id, missing=missing,
                              attempt=wait.attempts_used, attempts=step.attempts))
            self._say(wait.procedure, step, "reask", text=step.text, say=step.say)
            return
        wait.attempts_used += 1
        self._add(Waiting(procedure=wait.procedure, step=step.id, missing=missing,
                          attempt=wait.attempts_used, attempts=step.attempts))
        if wait.attempts_used >= step.attempts:
            self.waiting = None
            names = ", ".join(missing)
            self._handoff(
                f"step '{step.id}' did not get {names} after {step.attempts} customer turn(s)",
                note=f"Could not collect {names} at step '{step.id}' after {step.attempts} attempt(s).",
                say=DEFAULT_HANDOFF_SAY, procedure=wait.procedure, step=step.id)
            return
        self._say(wait.procedure, step, "reask", text=step.text, say=step.say)

    # -- shared helpers used by the step kinds ------------------------------
    def set_variable(self, name: str, value: Any, *, source: str, how: str = "",
                     message_turn: int | None = None, step: str | None = None,
                     procedure: str | None = None) -> None:
        self.variables[name] = value
        self._names = None
        self._vars_changed = True
        self._add(VariableSet(procedure=procedure, step=step, name=name, value=value, source=source,
                              how=how, message_turn=message_turn))

    def _say(self, procedure: str, step: Any, purpose: str, *, text: str = "",
             say: str | None = None, note: str | None = None) -> None:
        rendered = render_text(say, self.names()) if say is not None else None
        self._parts.append(ReplyPart(procedure, step.id, step.kind, purpose, text=text or "",
                                     say=rendered, note=note))

    def _note(self, text: str, procedure: str | None, step: str | None) -> None:
        self._notes.append((text, procedure, step))

    def _handoff(self, reason: str, *, note: str | None, say: str | None,
                 procedure: str | None = None, step: str | None = None) -> None:
        if say:
            self._parts.append(ReplyPart(procedure or "", step or "", "handoff", "handoff", say=say))
        if note:
            self._note(note, procedure, step)
        self._add(Handoff(procedure=procedure, step=step, reason=reason, note=note or ""))
        self._end("handoff", reason, procedure=procedure, step=step)

    def _end(self, outcome: str, reason: str, *, procedure: str | None = None,
             step: str | None = None) -> None:
        self._add(End(procedure=procedure, step=step, outcome=outcome, reason=reason))
        self.ended = True
        self.outcome = outcome
        self.end_reason = reason
        self.stack = []
        self.waiting = None

    def _fail(self, message: str) -> None:
        self._add(Error(message=message))
        self.error = message
        self.ended = True
        self.stack = []
        self.waiting = None

    def _where(self) -> str:
        """ at proc.step (procedures/proc.yaml:14)": the step, and where it is written."""
        if not self._recent:
            return ""
        where = self._recent[-1]
        locate = getattr(self.project, "step_location", None)
        located = locate(*where.split(".", 1)) if locate is not None else None
        return f" at {where}" + (f" ({located})" if located else "")

    def _add(self, event: Any) -> None:
        event.turn = self.turn
        self.trace.add(event)

    def _flush_reply(self) -> str:
        if not self._parts:
            return ""
        request = ReplyRequest(self._parts, dict(self.variables), list(self.knowledge),
                               list(self.transcript), self.project.settings.tone, dict(self.customer))
        text = self.brain.reply(request)
        steps = [p.step for p in self._parts if p.step]
        self._parts = []
        if not text:
            return ""
        why = getattr(self.brain, "reply_reasoning", None)
        self._add(Reply(text=text, steps=steps, reasoning=why or None))
        self.transcript.append({"role": "agent", "text": text, "turn": self.turn})
        return text

    def _flush_notes(self) -> None:
        for text, procedure, step in self._notes:
            self.transcript.append({"role": "note", "text": text, "turn": self.turn,
                                    "procedure": procedure, "step": step})
        self._notes = []


def waiting_description(conversation: Conversation) -> str:
    wait = conversation.waiting
    if wait is None:
        return ""
    missing = ", ".join(conversation._missing(wait.step))
    return f"waiting at step '{wait.step.id}' of '{wait.procedure}' for {missing}"


def stop(conversation: Conversation, reason: str) -> None:
    """The customer has nothing more to say: the conversation ends unresolved."""
    if conversation.ended:
        return
    where = waiting_description(conversation)
    conversation._end("unresolved", reason + (f" ({where})" if where else ""),
                      procedure=conversation.waiting.procedure if conversation.waiting else None,
                      step=conversation.waiting.step.id if conversation.waiting else None)


def error_code(exc: BaseException) -> str | None:
    """The reason code of the model fault behind `exc` (ModelError.reason), if any."""
    seen: BaseException | None = exc
    while seen is not None:
        reason = getattr(seen, "reason", None)
        if isinstance(reason, str):
            return reason
        seen = seen.__cause__
    return None
