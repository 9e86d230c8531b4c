"""How procedures reach each other: sub-procedure calls (which must not loop)
and everything a conversation can move on to (calls and switches)."""
from __future__ import annotations

from .procedure import Procedure
from .steps import SubprocedureStep, SwitchStep


def calls(procedure: Procedure) -> list[tuple[str, tuple, str]]:
    """(called procedure id, path of the step, step id) for every sub-procedure step."""
    return [(s.procedure, path, s.id) for path, s in procedure.walk() if isinstance(s, SubprocedureStep)]


def find_cycles(procedures: dict[str, Procedure]) -> list[list[str]]:
    """Every distinct cycle of sub-procedure calls, each starting at its smallest id."""
    graph = {pid: sorted({target for target, _, _ in calls(p) if target in procedures})
             for pid, p in procedures.items()}
    cycles: dict[tuple[str, ...], list[str]] = {}
    state: dict[str, int] = {}        # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):]
                low = cycle.index(min(cycle))
                canonical = tuple(cycle[low:] + cycle[:low])
                cycles.setdefault(canonical, list(canonical))
            elif state.get(nxt) is None:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for pid in sorted(graph):
        if pid not in state:
            visit(pid)
    return list(cycles.values())


def reachable(procedures: dict[str, Procedure], start: str) -> list[str]:
    """`start` and every procedure a conversation that began there can get to."""
    seen: list[str] = []
    todo = [start]
    while todo:
        pid = todo.pop(0)
        if pid in seen or pid not in procedures:
            continue
        seen.append(pid)
        proc = procedures[pid]
        for _, step in proc.walk():
            if isinstance(step, SubprocedureStep):
                todo.append(step.procedure)
            elif isinstance(step, SwitchStep):
                todo.append(step.to)
        todo.extend(rule.to for rule in proc.switch_rules)
    return seen
