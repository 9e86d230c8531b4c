"""Prices and capabilities from the model map litellm ships, read without importing litellm.

litellm's own `completion_cost` and `supports_vision` read the same file, but importing
litellm costs seconds; a request sent straight to an OpenAI-compatible server
(openai_http.py) needs only the price of its model, read here once per process.
"""
from __future__ import annotations

import importlib.util
import json
import threading
from pathlib import Path
from typing import Any

MAP_FILE = "model_prices_and_context_window_backup.json"
_MAP: dict[str, Any] | None = None
_LOCK = threading.Lock()


def _entries() -> dict[str, Any]:
    global _MAP
    with _LOCK:
        if _MAP is None:
            _MAP = {}
            try:
                spec = importlib.util.find_spec("litellm")      # finds it, runs none of it
                folder = Path(next(iter(spec.submodule_search_locations or [])))
                _MAP = json.loads((folder / MAP_FILE).read_text(encoding="utf-8"))
            except (AttributeError, StopIteration, OSError, ValueError, ImportError):
                pass                       # no map: prices unknown, as for a local model
        return _MAP


def entry(name: str) -> dict[str, Any] | None:
    """The map's entry for an OpenAI model name (`gpt-4o-mini`), if it has one."""
    found = _entries().get(name)
    return found if isinstance(found, dict) else None


def price_of(name: str, tokens_in: int, tokens_out: int) -> float | None:
    """What the call cost in dollars; None when the map has no price for `name`."""
    found = entry(name)
    if not found:
        return None
    per_in, per_out = found.get("input_cost_per_token"), found.get("output_cost_per_token")
    if not isinstance(per_in, (int, float)) or not isinstance(per_out, (int, float)):
        return None
    return tokens_in * per_in + tokens_out * per_out


def supports_vision(name: str) -> bool:
    found = entry(name)
    return bool(found and found.get("supports_vision"))
