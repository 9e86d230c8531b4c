"""Switch rules: a customer message that signals another procedure starts it.

Checked on every customer message (keywords or a description: the brain's
judgement) and whenever variables change (`when`: an expression). A model brain
answers the switch check and the extraction of the step the message goes to in
one call (DESIGN.md section 7: at most 2 model calls per agent turn): when that
step is known before any step runs, the check asks for both, and `_extract`
then uses the extraction it got, unless the message switched.
"""
from __future__ import annotations

from typing import Any

from studio.core.expressions import ExpressionError, parse
from studio.core.simulation import CustomerTurn

from .brain import Extracted, ExtractRequest, SwitchCandidate
from .render import seen_values
from .trace import ConditionEvaluated, Switch

Ahead = tuple[str, Any, bool]      # (procedure id, step, is_start): where the message goes


class Switching:
    # Provided by Conversation; declared here for readers.
    project: Any
    brain: Any
    stack: list
    transcript: list
    waiting: Any
    _message: CustomerTurn | None
    _prefetched: tuple | None = None

    def _active_procedures(self) -> list[str]:
        seen: list[str] = []
        for cursor in reversed(self.stack):
            if cursor.procedure not in seen:
                seen.append(cursor.procedure)
        return seen

    def _check_keyword_switch(self, message: CustomerTurn, ahead: Ahead | None = None) -> bool:
        """`ahead`: the step this message is offered to next, when no step runs before it;
        a brain that can (the model's) then extracts for it in the same call."""
        active = self._active_procedures()
        candidates = [
            SwitchCandidate(pid, index, rule)
            for pid in active
            for index, rule in enumerate(self.project.procedures[pid].switch_rules)
            if (rule.keywords or rule.description) and rule.to not in active]
        if not candidates:
            return False
        both = getattr(self.brain, "switch_and_extract", None)
        request = self._extract_request(ahead[0], ahead[1], message, ahead[2])[0] \
            if ahead is not None and both is not None else None
        if request is None:
            decision = self.brain.detect_switch(message, candidates, self.transcript)
        else:
            decision, found = both(message, candidates, self.transcript, request)
            if decision is None and found is not None:
                self._prefetched = (ahead[0], ahead[1].id, ahead[2], id(message),
                                    tuple(request.wanted), found)
        if decision is None:
            return False
        self._switch(decision.candidate.procedure, decision.candidate.rule.to, decision.rule,
                     decision.why, message)
        return True

    def _first_collecting(self, procedure_id: str) -> Ahead | None:
        """The step a procedure's first message is offered to, when only `say` steps come
        before it (nothing they do changes what it asks); else None: it is found by running."""
        for step in self.project.procedures[procedure_id].steps:
            if step.kind != "instruction" or step.when:
                return None
            if step.collect:
                return procedure_id, step, True
        return None

    def _waiting_step(self) -> Ahead | None:
        wait = self.waiting
        return (wait.procedure, wait.step, False) if wait is not None else None

    def _take_prefetched(self, procedure_id: str, step: Any, message: CustomerTurn,
                         is_start: bool, request: ExtractRequest) -> list[Extracted] | None:
        """The extraction the switch check already got for exactly this request, once."""
        prefetched, self._prefetched = self._prefetched, None
        if prefetched is not None and prefetched[:5] == (procedure_id, step.id, is_start,
                                                         id(message), tuple(request.wanted)):
            return prefetched[5]
        return None

    def _check_when_switch(self) -> bool:
        active = self._active_procedures()
        names = self.names()
        for pid in active:
            for index, rule in enumerate(self.project.procedures[pid].switch_rules):
                if not rule.when or rule.to in active:
                    continue
                try:
                    expr = parse(rule.when)
                    true = expr.evaluate(names)
                except ExpressionError as exc:    # say it is this rule, not the step that was running
                    locate = getattr(self.project, "switch_rule_location", None)
                    located = locate(pid, index) if locate is not None else None
                    exc.where = f" at {pid} switch rule {index + 1}" + (f" ({located})" if located else "")
                    raise
                if true:
                    values = seen_values(expr, names)
                    shown = ", ".join(f"{k} = {v!r}" for k, v in values.items())
                    self._add(ConditionEvaluated(procedure=pid, purpose="switch_rule",
                                                 expression=rule.when, result=True, values=values))
                    # the message that made the rule true starts the new procedure too
                    self._switch(pid, rule.to, f"when: {rule.when}",
                                 f"'{rule.when}' is true" + (f" ({shown})" if shown else ""),
                                 self._message)
                    return True
        return False

    def _switch(self, from_procedure: str | None, to: str, rule: str, why: str,
                message: CustomerTurn | None) -> None:
        from .engine import EngineError
        if to not in self.project.procedures:
            raise EngineError(f"switch to unknown procedure '{to}' ({rule})")
        self._add(Switch(procedure=from_procedure, to=to, rule=rule, why=why))
        self._start_procedure(to, message)
