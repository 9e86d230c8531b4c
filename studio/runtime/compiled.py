"""Per-project lookups computed once and shared by every run (and thread).

Run-all calls the runner thousands of times with the same Project, so step
indexes and routing tables are built once and cached on a cheap fingerprint
of the project's procedures; a GUI edit that replaces a procedure rebuilds it.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from studio.core.procedure import Procedure
from studio.core.steps import ConditionStep

STOPWORDS = frozenset("""
a an the and or but if then so to of in on at for from with by about as is are was were be been
being am i me my mine we our us you your yours it its this that these those there here hi hello hey
please thanks thank just can could would will shall should do does did have has had not very really
""".split())
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def normalize(text: str) -> str:
    """Lower-case content words, stop words dropped: what routing compares."""
    words = _WORD.findall((text or "").lower())
    return " ".join(w for w in words if w not in STOPWORDS)


@dataclass
class ProcedureIndex:
    procedure: Procedure
    steps: dict[str, Any] = field(default_factory=dict)
    # step id -> chain of (condition step id, branch index) from the outside in
    ancestors: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    examples: list[tuple[str, str]] = field(default_factory=list)   # (normalized, as written)
    description: str = ""                                 # normalized trigger description

    @classmethod
    def build(cls, procedure: Procedure) -> "ProcedureIndex":
        index = cls(procedure=procedure)

        def visit(steps: list[Any], chain: tuple[tuple[str, int], ...]) -> None:
            for step in steps:
                index.steps.setdefault(step.id, step)
                index.ancestors.setdefault(step.id, chain)
                if isinstance(step, ConditionStep):
                    for b_index, branch in enumerate(step.branches):
                        visit(branch.steps, chain + ((step.id, b_index),))

        visit(procedure.steps, ())
        index.examples = [(n, e) for n, e in ((normalize(e), e) for e in procedure.trigger.examples) if n]
        index.description = normalize(procedure.trigger.description or procedure.title or "")
        return index


@dataclass
class CompiledProject:
    fingerprint: tuple
    procedures: dict[str, ProcedureIndex]
    # every conversation variable the project knows of: declared, saved from a
    # connector or assigned by a snippet (a snippet reading one that is unset gets None)
    variable_names: frozenset[str] = frozenset()
    # the ones a connector's `save_as` or a code step sets: never read from a message
    computed_names: frozenset[str] = frozenset()


def _variable_names(project: Any) -> tuple[frozenset[str], frozenset[str]]:
    """(every variable name, the computed ones)."""
    from studio.core.snippets import analyze_snippet
    names: set[str] = set()
    computed: set[str] = set()
    for procedure in project.procedures.values():
        names.update(procedure.variables)
        for step in procedure.all_steps():
            if getattr(step, "save_as", None):
                computed.add(step.save_as)
            if step.kind == "code":
                computed.update(analyze_snippet(step.code).assigns)
    return frozenset(names | computed), frozenset(computed)


_lock = threading.Lock()


def _fingerprint(project: Any) -> tuple:
    return tuple((pid, id(proc), tuple(id(s) for _, s in proc.walk()),
                  tuple(proc.trigger.examples), proc.trigger.description)
                 for pid, proc in project.procedures.items())


def compiled(project: Any) -> CompiledProject:
    """The cached lookups of `project`, rebuilt when its procedures changed."""
    frozen = project.__dict__.get("_engine_frozen")
    if frozen is not None:
        return frozen
    fingerprint = _fingerprint(project)
    cached = project.__dict__.get("_engine_compiled")
    if cached is not None and cached.fingerprint == fingerprint:
        return cached
    with _lock:
        cached = project.__dict__.get("_engine_compiled")
        if cached is not None and cached.fingerprint == fingerprint:
            return cached
        names, computed = _variable_names(project)
        built = CompiledProject(
            fingerprint=fingerprint,
            procedures={pid: ProcedureIndex.build(proc) for pid, proc in project.procedures.items()},
            variable_names=names, computed_names=computed)
        project.__dict__["_engine_compiled"] = built
        return built


def freeze(project: Any) -> None:
    """For a project no one edits (a run-all worker's own copy): build its lookups now and
    skip, on every later use, the check that its procedures changed (walking every step
    twice per simulation)."""
    project.__dict__["_engine_frozen"] = compiled(project)
