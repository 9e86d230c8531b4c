"""What changed between two revisions, by step id and field, not as a line diff of YAML.

Works on revision snapshots (plain data), so comments and formatting never show:
they are not part of a revision. Reports, per procedure the revision covers, the
steps added, removed and moved, and each changed field old -> new; and per used
connector or knowledge article, its changed fields.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from studio.library.revisions import Snapshot

TOP = ""                                   # the procedure's own step list


@dataclass
class FieldChange:
    path: str
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.path, "old": self.old, "new": self.new}


@dataclass
class StepChange:
    id: str
    kind: str
    status: str                            # added / removed / moved / changed
    where: str = ""                        # the container, in words
    moved_from: str | None = None
    fields: list[FieldChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "kind": self.kind, "status": self.status,
                                "where": self.where}
        if self.moved_from is not None:
            data["moved_from"] = self.moved_from
        if self.fields:
            data["fields"] = [f.to_dict() for f in self.fields]
        return data


@dataclass
class ItemDiff:
    kind: str                              # procedure / connector / knowledge
    id: str
    status: str                            # added / removed / changed
    fields: list[FieldChange] = field(default_factory=list)
    steps: list[StepChange] = field(default_factory=list)

    def steps_with(self, status: str) -> list[StepChange]:
        return [s for s in self.steps if s.status == status]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "status": self.status,
                "fields": [f.to_dict() for f in self.fields],
                "steps": [s.to_dict() for s in self.steps]}


@dataclass
class SemanticDiff:
    procedure: str
    old_revision: str | None
    new_revision: str | None
    items: list[ItemDiff] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.items)

    def item(self, kind: str, item_id: str) -> ItemDiff | None:
        return next((i for i in self.items if i.kind == kind and i.id == item_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {"procedure": self.procedure, "from": self.old_revision, "to": self.new_revision,
                "changed": self.changed, "items": [i.to_dict() for i in self.items]}


# -- flattening ----------------------------------------------------------------
def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths to leaves; lists of mappings by index, lists of plain values whole."""
    out: dict[str, Any] = {}
    if isinstance(value, dict) and value:
        for key, sub in value.items():
            out.update(flatten(sub, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
        for index, sub in enumerate(value):
            out.update(flatten(sub, f"{prefix}[{index}]"))
    else:
        out[prefix] = value
    return out


def field_changes(old: Any, new: Any, prefix: str = "") -> list[FieldChange]:
    a, b = flatten(old, prefix), flatten(new, prefix)
    return [FieldChange(path, a.get(path), b.get(path))
            for path in list(a) + [p for p in b if p not in a] if a.get(path) != b.get(path)]


# -- steps -----------------------------------------------------------------------
def step_fields(step: dict) -> dict:
    """A step's own fields: a condition's branches keep their `when`, not their steps."""
    data = {k: v for k, v in step.items() if k != "id"}
    if "branches" in data:
        data["branches"] = [{"when": b.get("when")} for b in data["branches"]]
    return data


def walk(steps: list[dict], container: str = TOP) -> Iterator[tuple[str, int, dict]]:
    """(container, index, step) depth first; a branch's container is `<condition id>#<n>`."""
    for index, step in enumerate(steps):
        yield container, index, step
        for b_index, branch in enumerate(step.get("branches") or []):
            yield from walk(branch.get("steps") or [], f"{step['id']}#{b_index}")


def container_words(container: str, branches: dict[str, list]) -> str:
    if container == TOP:
        return "top level"
    cond, _, index = container.rpartition("#")
    whens = branches.get(cond) or []
    when = whens[int(index)] if int(index) < len(whens) else None
    label = "otherwise" if when == "else" else f"when {when}" if when else f"branch {int(index) + 1}"
    return f"in {cond}, {label}"


def _lcs_keep(a: list[str], b: list[str]) -> set[str]:
    """Ids in a longest common subsequence: the ones that kept their relative order."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            table[i][j] = (table[i + 1][j + 1] + 1 if a[i] == b[j]
                           else max(table[i + 1][j], table[i][j + 1]))
    keep, i, j = set(), 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            keep.add(a[i])
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return keep


def step_changes(old_steps: list[dict], new_steps: list[dict]) -> list[StepChange]:
    old = {s["id"]: (c, i, s) for c, i, s in walk(old_steps)}
    new = {s["id"]: (c, i, s) for c, i, s in walk(new_steps)}
    old_whens = {sid: [b.get("when") for b in s.get("branches") or []] for sid, (_, _, s) in old.items()}
    new_whens = {sid: [b.get("when") for b in s.get("branches") or []] for sid, (_, _, s) in new.items()}
    out: list[StepChange] = []
    moved: set[str] = set()
    common = [sid for sid in new if sid in old]
    containers = {new[sid][0] for sid in common}
    for container in containers:
        a = [sid for sid in old if old[sid][0] == container and sid in new and new[sid][0] == container]
        b = [sid for sid in new if new[sid][0] == container and sid in old and old[sid][0] == container]
        moved |= set(a) - _lcs_keep(a, b)
    for sid, (container, _, step) in new.items():
        where = container_words(container, new_whens)
        if sid not in old:
            out.append(StepChange(sid, step.get("kind", "?"), "added", where))
            continue
        o_container, _, o_step = old[sid]
        fields = field_changes(step_fields(o_step), step_fields(step))
        if o_container != container or sid in moved:
            out.append(StepChange(sid, step.get("kind", "?"), "moved", where,
                                  moved_from=container_words(o_container, old_whens), fields=fields))
        elif fields:
            out.append(StepChange(sid, step.get("kind", "?"), "changed", where, fields=fields))
    for sid, (container, _, step) in old.items():
        if sid not in new:
            out.append(StepChange(sid, step.get("kind", "?"), "removed",
                                  container_words(container, old_whens)))
    return out


# -- whole snapshots -------------------------------------------------------------
def _pairs(old: dict, new: dict) -> Iterator[tuple[str, str, Any, Any]]:
    for item_id in list(old) + [k for k in new if k not in old]:
        a, b = old.get(item_id), new.get(item_id)
        if a == b:
            continue
        yield item_id, "added" if a is None else "removed" if b is None else "changed", a, b


def diff_snapshots(old: Snapshot | None, new: Snapshot | None, *, procedure: str = "",
                   old_revision: str | None = None,
                   new_revision: str | None = None) -> SemanticDiff:
    old, new = old or {}, new or {}
    diff = SemanticDiff(procedure or new.get("procedure") or old.get("procedure") or "",
                        old_revision, new_revision)
    for pid, status, a, b in _pairs(old.get("procedures", {}), new.get("procedures", {})):
        a, b = a or {}, b or {}
        item = ItemDiff("procedure", pid, status)
        item.fields = field_changes({k: v for k, v in a.items() if k != "steps"},
                                    {k: v for k, v in b.items() if k != "steps"})
        item.steps = step_changes(a.get("steps") or [], b.get("steps") or [])
        diff.items.append(item)
    for kind in ("connectors", "knowledge"):
        for item_id, status, a, b in _pairs(old.get(kind, {}), new.get(kind, {})):
            diff.items.append(ItemDiff(kind.rstrip("s"), item_id, status,
                                       fields=field_changes(a or {}, b or {})))
    return diff
