"""What the project's saved simulations already reach, so suggestions never call
a step "not reachable" that a simulation in the library walks through.

The generator only tries values harvested from the procedure itself; a saved
simulation may reach a step through values it never guesses (a real order
number, a hand-written fixture). Running the saved ones offline settles it.
"""
from __future__ import annotations

from typing import Any

from studio.runtime.options import RunOptions

MAX_SAVED = 200          # enough for a procedure's own simulations; bounds the cost


def reached_by_saved(project: Any, procedure_id: str) -> dict[str, str]:
    """Step ids and branch keys of `procedure_id` -> the name of a saved simulation reaching it."""
    from .runner import run_simulation
    reached: dict[str, str] = {}
    saved = [s for s in getattr(project, "simulations", {}).values()
             if procedure_id in (s.procedure, s.expect.procedure)]
    for simulation in saved[:MAX_SAVED]:
        result = run_simulation(project, simulation, options=RunOptions(model="offline"))
        coverage = result.coverage.get(procedure_id)
        if coverage is None:
            continue
        for target in [*coverage.steps, *coverage.branches]:
            reached.setdefault(target, simulation.name)
    return reached
