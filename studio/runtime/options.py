"""How a simulation runs: which engine, and whether real connector calls are allowed.

Lives in runtime (the engine reads it); the simulation runner, the library's
run-all and the CLI import it from here.
"""
from __future__ import annotations

from pydantic import BaseModel


class RunOptions(BaseModel):
    model: str | None = None        # overrides studio.yaml model.name ("offline" or a litellm id)
    api_base: str | None = None
    no_cache: bool = False
    repeat_index: int = 0           # >0 for --repeat runs: never served from the model cache
    real_calls: bool = False        # allow connectors opted in under studio.yaml real_calls


def engine_name(project, options: RunOptions | None) -> str:
    """The model that runs: the option wins over studio.yaml."""
    if options is not None and options.model:
        return options.model
    return project.settings.model.name or "offline"
