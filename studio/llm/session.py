"""What one run learns about its models and keeps open while it runs.

A run-all, a single simulation, a production replay or the Settings dialog's
"Test connection" each own one `ModelSession` and pass it to every `complete()`
they make. It holds what must be shared between those calls and nowhere else:
the adaptive concurrency limit per model (a 429 slows this run down, not the
next one), the response format each server took, identical requests in flight,
one pooled HTTP client per server, and the open cache databases. When the run
ends, `close()` lets them go; the next run starts fresh, so nothing lingers in
the process for a test, or a later run against a changed server, to trip on.

A session does not travel to another process: run-all's worker processes each
start their own (pickling one gives a fresh session).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from .limiter import AdaptiveLimiter
from .single_flight import SingleFlight

if TYPE_CHECKING:
    from .cache import LLMCache

Where = tuple[str, "str | None"]          # (model, api_base)


class ModelSession:
    def __init__(self, max_in_flight: int | None = None) -> None:
        self.max_in_flight = max_in_flight     # run-all's cap on each model's requests at once
        self._lock = threading.Lock()
        self._limiters: dict[Where, AdaptiveLimiter] = {}
        self._format_modes: dict[Where, int] = {}
        self._format_gates: dict[Where, threading.Lock] = {}
        self._formats_tried: set[Where] = set()
        self._http: dict[str, Any] = {}
        self._caches: dict[Path, LLMCache] = {}
        self.in_flight = SingleFlight()

    def limiter(self, model: str, api_base: str | None, limit: int) -> AdaptiveLimiter:
        """The run's limit for this model; a changed concurrency setting raises or lowers it."""
        limit = min(limit, self.max_in_flight or limit)
        with self._lock:
            found = self._limiters.get((model, api_base))
            if found is None:
                found = self._limiters[(model, api_base)] = AdaptiveLimiter(limit)
            elif found.max_limit != limit:
                found.set_max(limit)
            return found

    def format_mode(self, where: Where) -> int:
        """Index into structured.FORMAT_MODES this server took so far (0: the best one)."""
        return self._format_modes.get(where, 0)

    def learn_format_mode(self, where: Where, index: int) -> None:
        self._format_modes[where] = index

    def format_modes_learnt(self) -> dict[Where, int]:
        return dict(self._format_modes)

    @contextmanager
    def first_format_call(self, where: Where, check: Callable[[], None]) -> Iterator[None]:
        """The run's first structured call to a server goes alone; the calls that arrive
        meanwhile wait for it, then ask in the format it learnt. Without this, the
        simulations of a run that all start at once would each pay the refused format
        (llama.cpp's 500 for json_schema) before any of them had learnt it. `check`
        raises to stop waiting (a cancelled run)."""
        if where in self._formats_tried:
            yield
            return
        with self._lock:
            gate = self._format_gates.setdefault(where, threading.Lock())
        while not gate.acquire(timeout=0.1):
            check()
        if where in self._formats_tried:         # another call went first while this waited
            gate.release()
            yield
            return
        try:
            yield
        finally:
            self._formats_tried.add(where)        # whatever came of it: the rest go at once
            gate.release()

    def http_client(self, api_base: str) -> Any:
        """One pooled httpx client per server, made on first use (httpx imports only then)."""
        with self._lock:
            client = self._http.get(api_base)
            if client is None:
                import httpx
                client = self._http[api_base] = httpx.Client(
                    # proxies from the environment (HTTPS_PROXY, NO_PROXY) as litellm honours them
                    limits=httpx.Limits(max_connections=256, max_keepalive_connections=64))
            return client

    def cache(self, path: Path | str) -> LLMCache:
        """The model cache in `path` (a library.sqlite), opened once for the run."""
        from .cache import LLMCache
        resolved = Path(path).resolve()
        with self._lock:
            found = self._caches.get(resolved)
            if found is None:
                found = self._caches[resolved] = LLMCache(resolved)
            return found

    def close(self) -> None:
        with self._lock:
            clients, caches = list(self._http.values()), list(self._caches.values())
            self._http.clear()
            self._caches.clear()
        for client in clients:
            client.close()
        for cache in caches:
            cache.close()

    def __enter__(self) -> ModelSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __reduce__(self) -> tuple[type[ModelSession], tuple[()]]:
        return (ModelSession, ())


def session_of(options: Any) -> ModelSession | None:
    """The session a run put in its RunOptions (`models`), if any."""
    return getattr(options, "models", None)
