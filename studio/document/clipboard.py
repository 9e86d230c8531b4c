"""Steps on the clipboard as YAML, so they paste into any procedure (or a text editor)."""
from __future__ import annotations

from typing import Any, Iterable

from pydantic import TypeAdapter, ValidationError

from studio.core import steps as step_models
from studio.core.yaml_io import YamlError, dump_yaml, parse_yaml

from .tree_ops import reid_steps

MIME_STEPS = "application/x-procedure-studio-steps"


def steps_to_yaml(steps: Iterable[Any]) -> str:
    return dump_yaml([s.to_data() for s in steps])


def steps_from_yaml(text: str, taken: Iterable[str]) -> list:
    """Parse pasted YAML (a list of steps or one step) into steps with fresh ids; [] if not steps."""
    try:
        data = parse_yaml(text)[0]   # read as files are, limits included: a hostile paste is refused
    except YamlError:
        return []
    if isinstance(data, dict):
        data = data.get("steps", [data])
    if not isinstance(data, list) or not data:
        return []
    try:
        steps = TypeAdapter(list[step_models.Step]).validate_python(data)   # kinds registered now
    except ValidationError:
        return []
    return reid_steps(steps, taken)
