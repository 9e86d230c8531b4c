"""Read a run's trace to say *why*: why a step was (not) visited, why it ended.

The judge's messages must point at the cause, e.g. "step 'pay' was not
visited: condition 'eligible' took branch #1 (else) because
`order.hours_since_delivery <= 24` was false (order.hours_since_delivery = 30)".
Works on the trace as stored (a list of dicts), so old results can be re-read.
"""
from __future__ import annotations

from typing import Any

from studio.runtime.compiled import compiled


def show_value(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else _plain(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _plain(value: Any) -> str:
    if value is None:
        return "None (unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def show_values(values: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {show_value(v)}" for k, v in values.items())


class TraceView:
    def __init__(self, project: Any, trace: list[dict[str, Any]]):
        self.project = project
        self.trace = trace
        self.index = compiled(project).procedures
        self.visited: set[tuple[str, str]] = set()
        self.ran: list[str] = []
        self._by_type: dict[str, list[dict[str, Any]]] = {}
        for event in trace:
            self._by_type.setdefault(event.get("type"), []).append(event)
            if event.get("type") == "step_entered":
                self.visited.add((event["procedure"], event["step"]))
                if event["procedure"] not in self.ran:
                    self.ran.append(event["procedure"])

    def events(self, type_name: str) -> list[dict[str, Any]]:
        return list(self._by_type.get(type_name, ()))

    # -- step ids -----------------------------------------------------------
    def procedures_with(self, step_id: str) -> list[str]:
        return [pid for pid, index in self.index.items() if step_id in index.steps]

    def resolve(self, ref: str, preferred: str | None) -> tuple[list[str], str]:
        """(candidate procedures, step id) for `step` or `procedure.step`."""
        if "." in ref:
            pid, step_id = ref.split(".", 1)
            return [pid], step_id
        owners = self.procedures_with(ref)
        ordered = [p for p in self.ran if p in owners]
        if preferred in owners and preferred not in ordered:
            ordered.append(preferred)
        ordered += [p for p in owners if p not in ordered]
        return ordered, ref

    def was_visited(self, ref: str, preferred: str | None) -> tuple[bool, str | None, str]:
        owners, step_id = self.resolve(ref, preferred)
        for pid in owners:
            if (pid, step_id) in self.visited:
                return True, pid, step_id
        return False, (owners[0] if owners else None), step_id

    # -- explanations -------------------------------------------------------
    def ending(self) -> str:
        ends = self.events("end")
        errors = self.events("error")
        if errors:
            return f"the run failed: {errors[-1]['message']}"
        if ends:
            return ends[-1].get("reason") or f"it ended with outcome {ends[-1]['outcome']}"
        return "the conversation did not end"

    def routing(self) -> str:
        chosen = self.events("procedure_chosen")
        if not chosen:
            return "no customer message was routed"
        event = chosen[0]
        if event.get("procedure") is None:
            return event.get("reason", "no procedure matched")
        return f"the router chose '{event['procedure']}' ({event.get('reason', '')})"

    def why_not_visited(self, pid: str | None, step_id: str) -> str:
        if pid is None or pid not in self.project.procedures:
            where = f"procedure '{pid}'" if pid else "any procedure"
            return f"there is no step '{step_id}' in {where}"
        index = self.index[pid]
        if step_id not in index.steps:
            return f"there is no step '{step_id}' in procedure '{pid}'"
        if pid not in self.ran:
            switched = [e for e in self.events("switch") if e.get("to") == pid]
            if not switched:
                return f"procedure '{pid}' never ran: {self.routing()}"
        for event in self.trace:
            if (event.get("type") == "step_skipped" and event.get("procedure") == pid
                    and event.get("step") == step_id):
                values = show_values(event.get("values", {}))
                return f"it was skipped: when `{event['when']}` was false" + (f" ({values})" if values else "")
        for cond_id, branch in index.ancestors.get(step_id, ()):
            if (pid, cond_id) not in self.visited:
                break
            taken = self._branch_taken(pid, cond_id)
            if taken is not None and taken.get("branch") != branch:
                return self.branch_reason(pid, cond_id, taken, wanted=branch)
        return f"the conversation ended before reaching it: {self.ending()}"

    def why_visited(self, pid: str, step_id: str) -> str:
        index = self.index.get(pid)
        chain = index.ancestors.get(step_id, ()) if index else ()
        if chain:
            cond_id, _ = chain[-1]
            taken = self._branch_taken(pid, cond_id)
            if taken is not None:
                return self.branch_reason(pid, cond_id, taken, wanted=None)
        return f"it is on the main path of '{pid}'"

    def _branch_taken(self, pid: str, cond_id: str) -> dict[str, Any] | None:
        found = None
        for event in self.trace:
            if event.get("type") == "branch_taken" and event.get("procedure") == pid \
                    and event.get("step") == cond_id:
                found = event
        return found

    def branch_reason(self, pid: str, cond_id: str, taken: dict[str, Any], wanted: int | None) -> str:
        branch = taken.get("branch")
        label = "no branch" if branch is None else f"branch #{branch}" + (" (else)" if taken.get("is_else") else "")
        evaluations = [e for e in self.trace if e.get("type") == "condition_evaluated"
                       and e.get("procedure") == pid and e.get("step") == cond_id
                       and e.get("purpose") == "branch" and e.get("turn") == taken.get("turn")]
        because = ""
        pick = None
        if wanted is not None:
            pick = next((e for e in evaluations if e.get("branch") == wanted), None)
        if pick is None:
            pick = next((e for e in evaluations if e.get("branch") == branch), None)
        if pick is None and evaluations:
            pick = evaluations[-1]
        if pick is not None:
            values = show_values(pick.get("values", {}))
            state = "true" if pick.get("result") else "false"
            because = f" because `{pick['expression']}` was {state}" + (f" ({values})" if values else "")
        return f"condition '{cond_id}' took {label}{because}"
