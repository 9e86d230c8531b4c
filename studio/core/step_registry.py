"""One registry entry per step kind: everything that differs between kinds, in one place.

The procedure model, validation, the engine, the model's drafting guide and
the editor all read a kind's `StepKindSpec` instead of keeping their own
tables, so a new kind is a model class, a spec and an engine handler
(docs/step-kinds.md). Registering a kind whose model class is new rebuilds
the step union, so procedures with that kind load at once.

Things that live in higher layers (the engine handler, a kind's own checks)
are named by "module:attribute" and imported when first used.
"""
from __future__ import annotations

import importlib
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

Ref = str | Callable[..., Any]       # "package.module:Class.attribute", or the callable itself


@dataclass(frozen=True)
class InspectorField:
    """One row of the inspector form. `widget` is one of: text (plain, `lines`),
    template / expression (checked by validation too), line, choice (`options`, or
    `choices_from`: connectors, knowledge, other-procedures), names (a comma list),
    count (`low`..`high`), code, branches, inputs (a connector's inputs)."""

    name: str
    label: str
    widget: str
    lines: int = 1
    optional: bool = False
    hint: str | None = None
    options: tuple[str, ...] = ()
    choices_from: str | None = None
    low: int = 0
    high: int = 100
    placeholder: str | None = None      # shown while nothing is chosen or typed


@dataclass(frozen=True)
class StepKindSpec:
    kind: str
    model: type                     # the pydantic class, `kind: Literal["<kind>"]`
    label: str                      # "If / else": cards, inspector, menus
    short_label: str                # "If/else": the Add bar
    color: str                      # "#F59E0B"
    icon: str                       # studio/resources/icons/<icon>.svg
    defaults: dict[str, Any]        # the fields of a freshly added step
    summary: Callable[[Any], str]   # the one line a card and the flowchart show
    inspector: tuple[InspectorField, ...]
    handler: Ref                    # engine: handler(conversation, cursor, step)
    guide: str = ""                 # one line of the format guide for model drafts
    check: Ref | None = None        # extra validation: check(proc, path, step, rep, facts)
    extra: dict[str, Any] = field(default_factory=dict)


_SPECS: dict[str, StepKindSpec] = {}
_resolved: dict[str, Callable[..., Any]] = {}


def resolve(ref: Ref) -> Callable[..., Any]:
    """The callable a "module:Qual.name" string names (imported on first use)."""
    if callable(ref):
        return ref
    if ref not in _resolved:
        module, _, qualname = ref.partition(":")
        target: Any = importlib.import_module(module)
        for part in qualname.split("."):
            target = getattr(target, part)
        _resolved[ref] = target
    return _resolved[ref]


def register(spec: StepKindSpec) -> None:
    """Add (or replace) a kind; a model class the step union lacks rebuilds it."""
    from . import steps
    _builtins()
    known = spec.kind in _SPECS and _SPECS[spec.kind].model is spec.model
    _SPECS[spec.kind] = spec
    if not known and steps.STEP_CLASSES.get(spec.kind) is not spec.model:
        steps.rebuild_step_union(step_classes())


def unregister(kind: str) -> None:
    """Take a kind out again (tests that add a throwaway kind)."""
    from . import steps
    if _SPECS.pop(kind, None) is not None:
        steps.rebuild_step_union(step_classes())


def step_kinds() -> tuple[str, ...]:
    """Every kind, in the order of the Add bar and the kind pickers."""
    _builtins()
    return tuple(_SPECS)


def spec_of(kind: str) -> StepKindSpec:
    _builtins()
    return _SPECS[kind]


def get_spec(kind: str) -> StepKindSpec | None:
    _builtins()
    return _SPECS.get(kind)


def step_classes() -> dict[str, type]:
    return {kind: spec.model for kind, spec in _SPECS.items()}


_loaded = False
_loading = False
_LOAD_LOCK = threading.RLock()


def _builtins() -> None:
    """Register the built-in kinds once. Threads that ask while another is importing
    them wait for it (run-all's threads once saw a half-filled registry: KeyError
    'instruction'); the importing thread's own nested calls return at once."""
    global _loaded, _loading
    if _loaded:
        return
    with _LOAD_LOCK:
        if _loaded or _loading:
            return
        _loading = True
        try:
            from . import step_specs  # noqa: F401  (registers the nine kinds)
        finally:
            _loading = False
        _loaded = True


@contextmanager
def registered(spec: StepKindSpec) -> Iterator[StepKindSpec]:
    """A kind registered for the duration of a `with` block (tests, plug-in trials)."""
    register(spec)
    try:
        yield spec
    finally:
        unregister(spec.kind)
