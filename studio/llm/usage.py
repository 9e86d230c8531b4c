"""Tokens and cost of model calls, summed per simulation (and per run)."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LLMResponse:
    text: str
    parsed: Any = None               # the validated object when a response format was asked
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float | None = None        # None: the provider's price is unknown
    cached: bool = False
    model: str = ""
    latency_ms: float = 0.0
    attempts: int = 1
    format_mode: str | None = None   # json_schema / json_object / prompt, when structured

    @property
    def tokens(self) -> int:
        return self.tokens_in + self.tokens_out


# the additive fields of Usage: what merging two meters sums
COUNTERS = ("calls", "cached_calls", "tokens_in", "tokens_out", "known_cost", "unknown_cost_calls")


@dataclass
class Usage:
    """What was paid for: cached responses count as calls but cost nothing."""
    calls: int = 0
    cached_calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    known_cost: float = 0.0
    unknown_cost_calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, response: LLMResponse) -> None:
        with self._lock:
            self.calls += 1
            if response.cached:
                self.cached_calls += 1
                return
            self.tokens_in += response.tokens_in
            self.tokens_out += response.tokens_out
            if response.cost is None:
                self.unknown_cost_calls += 1
            else:
                self.known_cost += response.cost

    def merge(self, other: "Usage") -> None:
        with self._lock:
            for name in COUNTERS:
                setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def tokens(self) -> int:
        return self.tokens_in + self.tokens_out

    @property
    def cost(self) -> float | None:
        """Total cost, or None when any paid call had an unknown price."""
        return None if self.unknown_cost_calls else round(self.known_cost, 8)

    def as_dict(self) -> dict[str, Any]:
        return {"calls": self.calls, "cached_calls": self.cached_calls,
                "tokens_in": self.tokens_in, "tokens_out": self.tokens_out,
                "tokens": self.tokens, "cost": self.cost}


def cost_text(cost: float | None, known: float | None = None) -> str:
    """How a cost reads to a person: '$0.0123'; when some prices were unknown but
    others were (`known`), a lower bound that says so; else 'unknown' (never $0)."""
    if cost is not None:
        return f"${cost:.4f}"
    if known:
        return f"≥ ${known:.4f} (some prices unknown)"
    return "unknown"


def total_cost(parts: list[tuple[float | None, float | None]]) -> tuple[float | None, float]:
    """(total, known part) over (cost, known part of an unknown cost) pairs: the
    total is None as soon as one of them is unknown; the known part adds up the rest."""
    known = sum((cost if cost is not None else (partial or 0.0)) for cost, partial in parts)
    total = None if any(cost is None for cost, _ in parts) else known
    return (None if total is None else round(total, 8)), round(known, 8)


_ACTIVE = threading.local()


def bind_usage(usage: Usage | None) -> None:
    """Make `usage` the meter of the simulation running on this thread.

    The model brain binds its meter when it is made; the model-played customer and
    the rubric judge, created later on the same thread, add their calls to it, so a
    simulation's tokens and cost cover every call made for it.
    """
    _ACTIVE.usage = usage


def active_usage() -> Usage | None:
    return getattr(_ACTIVE, "usage", None)


def bind_cache(path: Any, no_cache: bool) -> None:
    """The simulation on this thread caches in `path` (its library.sqlite), unless no_cache.

    Lets the rubric judge, which the runner calls with only the settings, use the
    same cache and the same --no-cache / --repeat rule as the agent's calls.
    """
    _ACTIVE.cache = (path, no_cache)


def active_cache() -> tuple[Any, bool] | None:
    return getattr(_ACTIVE, "cache", None)


def bind_sample(index: int) -> None:
    """The simulation on this thread is repeat `index` of its run: its model calls share an
    answer in flight only with identical calls of the same repeat (single_flight.py)."""
    _ACTIVE.sample = index


def active_sample() -> int:
    return getattr(_ACTIVE, "sample", 0)
