"""What each of the nine step kinds does when the state machine reaches it.

The engine finds a kind's handler through its registry entry
(studio/core/step_specs.py names `StepKinds._exec_<kind>` here).

A mixin of Conversation (engine.py): each `_exec_<kind>(cursor, step)` either
advances `cursor.index`, pushes a cursor (branch, sub-procedure), waits, or
ends the conversation.
"""
from __future__ import annotations

from typing import Any

from studio.core.expressions import parse
from studio.core.snippets import analyze_snippet
from studio.core.step_registry import resolve, spec_of

from .compiled import compiled
from .render import render, render_text, seen_values
from .trace import (
    BranchTaken, Checkpoint, ConditionEvaluated, ConnectorCalled, KnowledgeUsed, SnippetRun,
    StepLeft, SubprocedureReturned, Waiting,
)

SNIPPET_TIMEOUT = 2.0


def step_handler(kind: str) -> Any:
    """What runs a step of `kind`: its registry entry's handler(conversation, cursor, step)."""
    return resolve(spec_of(kind).handler)


class StepKinds:
    # Provided by Conversation; declared here for readers.
    project: Any
    stack: list
    variables: dict

    def _left(self, cursor: Any, step: Any, result: str = "", advance: bool = True) -> None:
        self._add(StepLeft(procedure=cursor.procedure, step=step.id, kind=step.kind, result=result))
        if advance:
            cursor.index += 1

    # -- instruction --------------------------------------------------------
    def _exec_instruction(self, cursor: Any, step: Any) -> None:
        from .engine import WaitState
        if not step.collect:
            self._say(cursor.procedure, step, "say", text=step.text, say=step.say)
            self._left(cursor, step, "said")
            return
        if self.pending_start is not None:
            # What the customer said up front is offered to the first collecting step only.
            message, self.pending_start = self.pending_start, None
            if self._missing(step):
                self._extract(cursor.procedure, step, message, is_start=True)
        missing = self._missing(step)
        if not missing:
            self._left(cursor, step, "already known")
            return
        self._say(cursor.procedure, step, "ask", text=step.text, say=step.say)
        self.waiting = WaitState(cursor.procedure, step)
        self._add(Waiting(procedure=cursor.procedure, step=step.id, missing=missing, attempt=0,
                          attempts=step.attempts))

    # -- condition ----------------------------------------------------------
    def _exec_condition(self, cursor: Any, step: Any) -> None:
        from .engine import Cursor
        names = self.names()
        chosen, else_index = None, None
        for index, branch in enumerate(step.branches):
            if branch.is_else:
                if else_index is None:
                    else_index = index
                continue
            expr = parse(branch.when)
            result = bool(expr.evaluate(names))
            self._add(ConditionEvaluated(procedure=cursor.procedure, step=step.id, purpose="branch",
                                         branch=index, expression=branch.when, result=result,
                                         values=seen_values(expr, names)))
            if result:
                chosen = index
                break
        if chosen is None:
            chosen = else_index
        key = f"{step.id}#{chosen if chosen is not None else 'none'}"
        self._add(BranchTaken(procedure=cursor.procedure, step=step.id, branch=chosen,
                              is_else=chosen is not None and chosen == else_index, key=key))
        self._left(cursor, step, f"branch #{chosen}" if chosen is not None else "no branch matched")
        if chosen is not None and step.branches[chosen].steps:
            self.stack.append(Cursor(cursor.procedure, step.branches[chosen].steps))

    # -- connector ----------------------------------------------------------
    def _exec_connector(self, cursor: Any, step: Any) -> None:
        inputs = render(step.inputs, self.names())
        result = self.connectors.call(step.connector, inputs)
        self._add(ConnectorCalled(
            procedure=cursor.procedure, step=step.id, connector=step.connector, inputs=inputs,
            source=result.source, status=result.status, output=result.output, error=result.error,
            on_error=step.on_error if result.status == "error" else None, request=result.request,
            duration_ms=round(result.duration_ms, 1) if result.source == "real" else 0.0))
        if result.status == "ok":
            if step.save_as:
                self.set_variable(step.save_as, result.output, source="connector",
                                  how=f"connector {step.connector}", step=step.id,
                                  procedure=cursor.procedure)
            self._left(cursor, step, "ok")
            return
        if step.on_error == "continue":
            self._left(cursor, step, f"failed ({result.error}); continued")
            return
        self._handoff(
            f"connector '{step.connector}' failed: {result.error} (on_error: handoff)",
            note=f"Connector '{step.connector}' failed ({result.error}) at step '{step.id}'.",
            say=_default_handoff_say(), procedure=cursor.procedure, step=step.id)

    # -- code ---------------------------------------------------------------
    def _exec_code(self, cursor: Any, step: Any) -> None:
        from .engine import EngineError
        from .sandbox import shared_sandbox
        result = shared_sandbox().run(step.code, self._snippet_names(step.code), timeout=SNIPPET_TIMEOUT)
        assigned = {k: v for k, v in (result.assigned or {}).items() if k != "customer"}
        self._add(SnippetRun(procedure=cursor.procedure, step=step.id, status=result.status,
                             assigned=list(assigned), error=result.error))
        if result.status != "ok":
            what = {"blocked": "was blocked", "timeout": "timed out"}.get(result.status, "failed")
            detail = (result.error or result.status).removeprefix("blocked: ")
            locate = getattr(self.project, "step_location", None)
            located = locate(cursor.procedure, step.id) if locate is not None else None
            where = f"; the step is at {located}" if located else ""
            raise EngineError(f"code step '{step.id}' {what}: {detail}{where}", reason="snippet")
        for name, value in assigned.items():
            self.set_variable(name, value, source="code", how=f"code step {step.id}", step=step.id,
                              procedure=cursor.procedure)
        self._left(cursor, step, "ok")

    def _snippet_names(self, code: str) -> dict[str, Any]:
        """The snippet's inputs: as in expressions, a variable the project knows of
        but that is still unset reads as None (a name nothing could set stays a NameError)."""
        names = self.names()
        missing = [name for name in analyze_snippet(code).reads if name not in names]
        if not missing:
            return names
        known = compiled(self.project).variable_names
        unset = sorted(name for name in missing if name in known)
        return {**names, **dict.fromkeys(unset)} if unset else names

    # -- knowledge ----------------------------------------------------------
    def _exec_knowledge(self, cursor: Any, step: Any) -> None:
        from .engine import EngineError
        article = self.project.knowledge.get(step.article)
        if article is None:
            raise EngineError(f"knowledge step '{step.id}': no article '{step.article}' in knowledge/")
        self._add(KnowledgeUsed(procedure=cursor.procedure, step=step.id, article=article.id,
                                title=article.title))
        if article.id not in self.knowledge:
            self.knowledge.append(article.id)
        self._left(cursor, step, "in context")

    # -- checkpoint ---------------------------------------------------------
    def _exec_checkpoint(self, cursor: Any, step: Any) -> None:
        note = render_text(step.note, self.names()) if step.note else ""
        if step.mode == "handoff":
            self._add(Checkpoint(procedure=cursor.procedure, step=step.id, mode="handoff", note=note))
            self._handoff(f"checkpoint '{step.id}' hands off to a teammate", note=note,
                          say=None, procedure=cursor.procedure, step=step.id)
            if step.say is not None:
                self._say(cursor.procedure, step, "handoff", say=step.say, note=note)
            else:
                self._parts.append(_handoff_part(cursor.procedure, step))
            return
        decision = self.approvals.get(step.id)
        source = "fixture" if decision else "default"
        decision = decision or "approved"
        self._add(Checkpoint(procedure=cursor.procedure, step=step.id, mode="approval", note=note,
                             decision=decision, decision_source=source))
        shown = "approved by default (no fixture)" if source == "default" else decision
        self._note(f"Approval {shown}: {note}" if note else f"Approval {shown}",
                   cursor.procedure, step.id)
        if step.say is not None:
            self._say(cursor.procedure, step, "checkpoint", say=step.say, note=note)
        if decision == "approved":
            self._left(cursor, step, "approved" if source == "fixture" else "approved (default)")
            return
        self._handoff(f"approval '{step.id}' was rejected", note=None,
                      say=_default_handoff_say(), procedure=cursor.procedure, step=step.id)

    # -- sub-procedures, switch, end ----------------------------------------
    def _exec_subprocedure(self, cursor: Any, step: Any) -> None:
        from .engine import MAX_CALL_DEPTH, Cursor, EngineError
        target = self.project.procedures.get(step.procedure)
        if target is None:
            raise EngineError(f"sub-procedure step '{step.id}': no procedure '{step.procedure}'")
        chain = [c.procedure for c in self.stack if c.root]
        if len(chain) >= MAX_CALL_DEPTH:
            raise EngineError(f"sub-procedures nest deeper than {MAX_CALL_DEPTH}: "
                              + " -> ".join(chain[-5:] + [target.id]))
        cursor.index += 1
        self.stack.append(Cursor(target.id, target.steps, root=True,
                                 caller=(cursor.procedure, step.id)))

    def _returned(self, cursor: Any) -> None:
        caller_procedure, caller_step = cursor.caller
        self._add(SubprocedureReturned(procedure=cursor.procedure, to=caller_procedure))
        self._add(StepLeft(procedure=caller_procedure, step=caller_step, kind="subprocedure",
                           result=f"'{cursor.procedure}' returned"))

    def _exec_switch(self, cursor: Any, step: Any) -> None:
        self._left(cursor, step, f"switch to '{step.to}'", advance=False)
        self._switch(cursor.procedure, step.to, f"step '{step.id}'", "a switch step", None)

    def _exec_end(self, cursor: Any, step: Any) -> None:
        if step.say is not None:
            self._say(cursor.procedure, step, "end", say=step.say)
        self._end(step.outcome, f"end step '{step.id}'", procedure=cursor.procedure, step=step.id)


def _default_handoff_say() -> str:
    from .engine import DEFAULT_HANDOFF_SAY
    return DEFAULT_HANDOFF_SAY


def _handoff_part(procedure: str, step: Any) -> Any:
    from .brain import ReplyPart
    return ReplyPart(procedure, step.id, step.kind, "handoff", say=_default_handoff_say())
