"""Who plays the customer: the script, or (with persona/goal and a model engine) a model.

`make_customer` picks one; the model-played customer lives in
`studio.simulate.model_customer.ModelCustomer(project, simulation, options)`
and plays the scripted turns first, then improvises.
"""
from __future__ import annotations

from typing import Any, Protocol

from studio.core.simulation import CustomerTurn, Simulation

from studio.runtime.options import RunOptions, engine_name


class CustomerPlayer(Protocol):
    def next_turn(self, transcript: list[Any]) -> CustomerTurn | None:
        """The next customer message, or None when the customer has nothing more to say.

        A player may also set `end_reason` (a str) when it returns None, saying why
        (the model-played customer reached its goal, gave up, ...); the runner puts it
        in the conversation's end event instead of "the script ran out"."""


class ScriptedCustomer:
    def __init__(self, simulation: Simulation):
        self._turns = simulation.customer.turns()
        self._next = 0

    def next_turn(self, transcript: list[Any]) -> CustomerTurn | None:
        if self._next >= len(self._turns):
            return None
        turn = self._turns[self._next]
        self._next += 1
        return turn

    @property
    def remaining(self) -> int:
        return len(self._turns) - self._next

    def leftover(self) -> list[CustomerTurn]:
        """The scripted turns not sent (yet)."""
        return list(self._turns[self._next:])


def make_customer(project: Any, simulation: Simulation, options: RunOptions | None = None, *,
                  cancel: Any = None) -> CustomerPlayer:
    options = options or RunOptions()
    wants_model = bool(simulation.customer.persona or simulation.customer.goal)
    if wants_model and engine_name(project, options) != "offline":
        from .model_customer import ModelCustomer
        return ModelCustomer(project, simulation, options, cancel=cancel)
    return ScriptedCustomer(simulation)
