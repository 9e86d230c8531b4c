"""Connector calls in a conversation: fixtures, the connector's sample, or (opted in) real HTTP.

Fixtures per DESIGN.md section 3: a value; a list consumed one call at a time;
an error fixture `{error: timeout}` / `{error: 500}`; else the connector's
`sample`. One ConnectorCaller per conversation (it owns the list positions).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Literal


class ConnectorFault(Exception):
    """Something the procedure cannot handle (unknown connector, refused real call)."""
    reason = "connector"          # the stored result's error code


@dataclass
class CallResult:
    status: Literal["ok", "error"]
    output: Any = None
    error: str | None = None
    source: Literal["fixture", "sample", "real"] = "sample"
    request: dict[str, Any] | None = None
    duration_ms: float = 0.0


def error_fixture(value: Any) -> str | None:
    """The failure an error fixture injects, e.g. "timeout" or "HTTP 500"."""
    if isinstance(value, dict) and "error" in value and set(value) <= {"error", "message", "status"}:
        kind = value["error"]
        if isinstance(kind, int) or (isinstance(kind, str) and kind.isdigit()):
            text = f"HTTP {int(kind)}"
        else:
            text = str(kind)
        if value.get("message"):
            text += f": {value['message']}"
        return text
    return None


class ConnectorCaller:
    def __init__(self, project: Any, fixtures: dict[str, Any], *, real_calls: bool = False):
        self.project = project
        self.fixtures = fixtures or {}
        self.real_calls = real_calls
        self._positions: dict[str, int] = {}

    def call(self, connector_id: str, inputs: dict[str, Any]) -> CallResult:
        connector = self.project.connectors.get(connector_id)
        if connector is None:
            raise ConnectorFault(f"unknown connector '{connector_id}' (no connectors/{connector_id}.yaml)")
        if connector_id in self.fixtures:
            value = self.fixtures[connector_id]
            if isinstance(value, list):
                position = self._positions.get(connector_id, 0)
                self._positions[connector_id] = position + 1
                if position >= len(value):
                    return CallResult("error", error=(
                        f"the fixture list for '{connector_id}' has {len(value)} item(s); "
                        f"call {position + 1} has none"), source="fixture")
                value = value[position]
            failure = error_fixture(value)
            if failure is not None:
                return CallResult("error", error=failure, source="fixture")
            return CallResult("ok", output=copy.deepcopy(value), source="fixture")
        settings = self.project.settings.real_calls
        if self.real_calls and connector_id in settings.connectors:
            from .http_calls import real_call
            return real_call(connector, inputs, settings.allowed_hosts, self.project.settings.secrets)
        return CallResult("ok", output=echo_inputs(copy.deepcopy(connector.sample), inputs), source="sample")


def echo_inputs(sample: Any, inputs: dict[str, Any]) -> Any:
    """The sample as the answer to these inputs: a field named like an input (or `id`
    for the one `..._id` input) takes the input's value, so looking up PK-483920
    does not answer with the sample's FD-123456."""
    if not isinstance(sample, dict):
        return sample
    for name, value in inputs.items():
        if name in sample and value is not None:
            sample[name] = value
    ids = [value for name, value in inputs.items() if name.endswith("_id") and value is not None]
    if "id" in sample and "id" not in inputs and len(ids) == 1:
        sample["id"] = ids[0]
    return sample
