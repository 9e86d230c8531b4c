"""Late-bound access to the engine and library, which the panels take as
constructor arguments: tests pass fakes, the app passes these defaults.
Imports are lazy so opening the window never pays for the engine."""
from __future__ import annotations

from typing import Any, Callable

from studio.core.project import Project
from studio.core.simulation import Simulation

RunFn = Callable[..., Any]   # (project, simulation, *, options=None, cancel=None) -> SimulationResult


def default_run_fn() -> RunFn:
    from studio.simulate.runner import run_simulation
    return run_simulation


def warm_up_run_all(_progress: Any = None) -> None:
    """Start run-all's worker fork server (run it in the background: see library_view),
    so pressing Run all does not start a process first (a pause in the GUI)."""
    try:
        from studio.library import run_pool
        run_pool.warm_up(model=False)
    except Exception:      # noqa: BLE001 - a nicety: run-all starts it itself otherwise
        pass


def make_options(model: str | None = None, **extra: Any) -> Any:
    """RunOptions for the chosen engine."""
    from studio.runtime.options import RunOptions
    return RunOptions(model=model, **extra)


def engine_choices(project: Project) -> list[tuple[str, str]]:
    """(label, model id) for the engine picker: offline first, then the configured model."""
    choices = [("Offline engine", "offline")]
    name = project.settings.model.name
    if name and name != "offline":
        choices.append((f"Model: {name}", name))
    return choices


def call_run(run_fn: RunFn, project: Project, simulation: Simulation,
             options: Any = None, cancel: Any = None,
             on_event: Callable[[dict], None] | None = None) -> Any:
    """Run; `on_event` (trace events as they happen) only reaches run functions that take it."""
    if on_event is not None and _accepts(run_fn, "on_event"):
        return run_fn(project, simulation, options=options, cancel=cancel, on_event=on_event)
    return run_fn(project, simulation, options=options, cancel=cancel)


def _accepts(fn: Callable[..., Any], name: str) -> bool:
    import inspect
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def snapshot(project: Project) -> Project:
    """A copy a worker thread can read while the GUI keeps editing the original."""
    import dataclasses
    return dataclasses.replace(
        project, settings=project.settings.model_copy(deep=True),
        procedures={k: v.model_copy(deep=True) for k, v in project.procedures.items()},
        connectors={k: v.model_copy(deep=True) for k, v in project.connectors.items()},
        knowledge=dict(project.knowledge), simulations=dict(project.simulations))
