"""Where steps live inside a procedure, addressed by ids so undo stays valid.

A *container* is the list holding a step: ``None`` for the procedure's top
level, or ``(condition_step_id, branch_index)`` for a branch.
"""
from __future__ import annotations

import copy
import re
from typing import Any, Iterable

from studio.core.procedure import Procedure
from studio.core.step_registry import spec_of
from studio.core.steps import ConditionStep, walk_steps

Container = tuple[str, int] | None


def container_list(procedure: Procedure, container: Container) -> list:
    if container is None:
        return procedure.steps
    cond = procedure.find_step(container[0])
    if not isinstance(cond, ConditionStep) or not 0 <= container[1] < len(cond.branches):
        raise KeyError(f"no branch {container!r} in procedure {procedure.id}")
    return cond.branches[container[1]].steps


def locate(procedure: Procedure, step_id: str) -> tuple[Container, int]:
    """The container and index of a step; KeyError when it is not there."""
    def search(steps: list, container: Container) -> tuple[Container, int] | None:
        for index, step in enumerate(steps):
            if step.id == step_id:
                return container, index
            if isinstance(step, ConditionStep):
                for b_index, branch in enumerate(step.branches):
                    found = search(branch.steps, (step.id, b_index))
                    if found:
                        return found
        return None

    found = search(procedure.steps, None)
    if found is None:
        raise KeyError(f"no step '{step_id}' in procedure {procedure.id}")
    return found


def descendant_ids(step: Any) -> set[str]:
    """The step's own id and every id nested in its branches."""
    ids = {step.id}
    for steps in step.children():
        for _, inner in walk_steps(steps):
            ids.add(inner.id)
    return ids


def is_inside(procedure: Procedure, container: Container, step_id: str) -> bool:
    """True when `container` is (nested) inside the step `step_id` (a move there would loop)."""
    while container is not None:
        if container[0] == step_id:
            return True
        container = locate(procedure, container[0])[0]
    return False


def unique_id(base: str, taken: Iterable[str]) -> str:
    taken = set(taken)
    base = re.sub(r"-\d+$", "", base) if base in taken else base
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}"[:64] in taken:
        n += 1
    return f"{base}-{n}"[:64]


# pickers pre-filled with the first thing that exists; never a connector: the first one
# may be cancel_order, a dangerous default (the designer picks)
PICKED_FROM = {"knowledge": "knowledge", "other-procedures": "procedures"}


def new_step(kind: str, taken: Iterable[str], project: Any = None) -> Any:
    """A fresh step of `kind` with an id not in `taken` and its registry defaults; a field
    picked from the project (an article, a procedure) starts as the first one there."""
    spec = spec_of(kind)
    fields = copy.deepcopy(spec.defaults)
    if project is not None:
        for f in spec.inspector:
            items = getattr(project, PICKED_FROM.get(f.choices_from or "", ""), None)
            if items and not fields.get(f.name):
                fields[f.name] = next(iter(items))
    return spec.model.model_validate({"id": unique_id(kind, taken), "kind": kind, **fields})


def convert_step(step: Any, kind: str, project: Any = None) -> Any:
    """A step of `kind` that keeps `step`'s id, `when` and every field both kinds have
    (e.g. `say`, `text`) whose value the new kind accepts; the rest are the defaults.
    Nested steps survive only condition to condition (the same kind: a copy)."""
    if kind == step.kind:
        return copy_step(step)
    target = spec_of(kind).model
    data = new_step(kind, (), project).model_dump(mode="json", by_alias=True)
    data.update(id=step.id, when=step.when)
    for name, value in step.model_dump(mode="json", by_alias=True).items():
        if name in ("id", "kind", "when", "branches") or name not in target.model_fields:
            continue
        if value is None:          # an unset optional field: the new kind's default stands
            continue
        trial = data | {name: value}
        try:
            target.model_validate(trial)
        except ValueError:          # e.g. a knowledge step's empty text: keep the default
            continue
        data = trial
    return target.model_validate(data)


def copy_step(step: Any) -> Any:
    return type(step).model_validate(step.model_dump(mode="json", by_alias=True))


def reid_steps(steps: list, taken: Iterable[str]) -> list:
    """Copies of `steps` whose ids (nested ones too) clash with nothing in `taken`."""
    taken = set(taken)
    out = []
    for step in steps:
        data = step.model_dump(mode="json", by_alias=True)
        _reid(data, taken)
        out.append(spec_of(data["kind"]).model.model_validate(data))
    return out


def _reid(data: dict, taken: set[str]) -> None:
    data["id"] = unique_id(data["id"], taken)
    taken.add(data["id"])
    for branch in data.get("branches") or []:
        for inner in branch.get("steps") or []:
            _reid(inner, taken)
