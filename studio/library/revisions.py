"""Which version of each procedure a run used, so a diff can say what changed between runs.

A revision (DESIGN.md section 5) is the full sha256 of the procedure's canonical
form together with everything it uses: sub-procedures and switch targets (and
what they use, transitively), connectors and knowledge articles. The canonical
form is the in-memory model's data (defaults left out) as JSON with sorted keys,
so the GUI's unsaved edits count while comments, formatting and an explicit
default do not. Editing a used article changes the revision.

The content behind each revision (a snapshot) is stored in the library so any
two revisions can be compared and an approved one exported after later edits.

Older runs hold revisions of earlier schemes: `m1:` plus 16 hex digits (the
procedure alone) or 16 bare hex digits (the file's bytes). Revisions of
different schemes cannot be compared, so such a pair counts as unknown, not as
a change.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:       # the models load with the first snapshot: `runs diff` compares hashes
    from studio.core.procedure import Procedure
    from studio.core.project import Project

SNAPSHOT_SCHEMA = "revision/v1"
PREFIX = "m1:"          # scheme 1: the procedure alone, 16 hex digits; older: file hashes
_FULL = re.compile(r"^[0-9a-f]{64}$")

Snapshot = dict[str, Any]
"""{"schema", "procedure": root id, "procedures": {id: data}, "connectors": {id: data},
"knowledge": {id: {"title", "body"}}}: what a revision covers, as plain data."""


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def uses(procedure: Procedure) -> tuple[set[str], set[str], set[str]]:
    """(procedures, connectors, articles) that `procedure` names directly."""
    from studio.core.steps import ConnectorStep, KnowledgeStep, SubprocedureStep, SwitchStep
    procs = {rule.to for rule in procedure.switch_rules}
    connectors: set[str] = set()
    articles: set[str] = set()
    for step in procedure.all_steps():
        if isinstance(step, SubprocedureStep):
            procs.add(step.procedure)
        elif isinstance(step, SwitchStep):
            procs.add(step.to)
        elif isinstance(step, ConnectorStep):
            connectors.add(step.connector)
        elif isinstance(step, KnowledgeStep):
            articles.add(step.article)
    return procs, connectors, articles


def closure(project: Project, procedure_id: str) -> tuple[list[str], list[str], list[str]]:
    """Everything `procedure_id` uses, transitively, that the project has (sorted lists of
    procedure, connector and article ids; the root first among procedures)."""
    seen: list[str] = []
    connectors: set[str] = set()
    articles: set[str] = set()
    todo = [procedure_id]
    while todo:
        current = todo.pop()
        if current in seen or current not in project.procedures:
            continue
        seen.append(current)
        procs, conns, arts = uses(project.procedures[current])
        connectors |= conns
        articles |= arts
        todo.extend(sorted(procs - set(seen)))
    rest = sorted(p for p in seen if p != procedure_id)
    return ([procedure_id] if procedure_id in seen else []) + rest, \
        sorted(c for c in connectors if c in project.connectors), \
        sorted(a for a in articles if a in project.knowledge)


def snapshot(project: Project, procedure_id: str) -> Snapshot:
    """The content a revision of `procedure_id` covers, as plain data."""
    procs, connectors, articles = closure(project, procedure_id)
    return {
        "schema": SNAPSHOT_SCHEMA,
        "procedure": procedure_id,
        "procedures": {p: project.procedures[p].to_data() for p in procs},
        "connectors": {c: project.connectors[c].to_data() for c in connectors},
        "knowledge": {a: {"title": project.knowledge[a].title,
                          "body": project.knowledge[a].body.strip()} for a in articles},
    }


def snapshot_revision(snap: Snapshot) -> str:
    return hashlib.sha256(canonical_json(snap).encode("utf-8")).hexdigest()


def procedure_revision(procedure: Procedure, project: Project | None = None) -> str:
    """The revision of `procedure` within `project` (alone when no project is given)."""
    from studio.core.project import Project
    base = project or Project(root=Path("."))
    view = replace(base, procedures={**base.procedures, procedure.id: procedure})
    return snapshot_revision(snapshot(view, procedure.id))


def revision_snapshots(project: Project) -> dict[str, tuple[str, Snapshot]]:
    """procedure id -> (revision, snapshot), for every procedure the project has in memory."""
    out = {}
    for proc_id in sorted(project.procedures):
        snap = snapshot(project, proc_id)
        out[proc_id] = (snapshot_revision(snap), snap)
    return out


def procedure_revisions(project: Project) -> dict[str, str]:
    """procedure id -> revision, for every procedure the project has in memory."""
    return {proc_id: rev for proc_id, (rev, _) in revision_snapshots(project).items()}


def scheme(revision: str) -> str:
    if revision.startswith(PREFIX):
        return "m1"
    return "sha256" if _FULL.match(revision) else "file"


def revision_changed(before: str | None, after: str | None) -> bool:
    """True when the procedure differs (added and removed count); False when it is the
    same or when the two revisions were made by different schemes (unknown)."""
    if before == after:
        return False
    if before is None or after is None:
        return True
    return scheme(before) == scheme(after)


def changed_procedures(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(p for p in set(before) | set(after)
                  if revision_changed(before.get(p), after.get(p)))
