"""How a simulation runs: which engine, and whether real connector calls are allowed.

Lives in runtime (the engine reads it); the simulation runner, the library's
run-all and the CLI import it from here.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from pydantic import BaseModel, Field


class RunOptions(BaseModel):
    model: str | None = None        # overrides studio.yaml model.name ("offline" or a litellm id)
    api_base: str | None = None
    no_cache: bool = False
    repeat_index: int = 0           # >0 for --repeat runs: never served from the model cache
    real_calls: bool = False        # allow connectors opted in under studio.yaml real_calls
    # the run's studio.llm.session.ModelSession: limits, learnt formats, requests in flight
    # and connections shared by its simulations; never saved (the runner opens one if None)
    models: Any = Field(default=None, exclude=True, repr=False)


def engine_name(project, options: RunOptions | None) -> str:
    """The model that runs: the option wins over studio.yaml."""
    if options is not None and options.model:
        return options.model
    return project.settings.model.name or "offline"


@contextmanager
def run_with_models(options: RunOptions | None) -> Iterator[RunOptions]:
    """`options` carrying the run's ModelSession: the caller's, or one opened here for
    this run and closed when it ends (its limits and connections do not outlive it)."""
    options = options or RunOptions()
    if options.models is not None:
        yield options
        return
    from studio.llm.session import ModelSession
    with ModelSession() as models:
        yield options.model_copy(update={"models": models})
