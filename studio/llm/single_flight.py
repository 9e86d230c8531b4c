"""One model call for identical requests in flight at the same time.

Run-all starts many simulations together, and renamed or similar simulations
send the very same request (same model, messages and format) at the same moment:
before the first answer is cached, each one paid for its own call. Here the first
caller sends it and the others wait for its answer, as the cache would have
served them a moment later. A failed or cancelled call is not shared: the others
then make their own, with their own retries.

"Identical" is the cache's request key (model, api_base, messages, temperature,
response format) plus the sample: the repeat index of the simulation that asks.
With --no-cache too: --no-cache means no answer stored before this run, not that
every caller pays for the same question at the same moment (a cached run would have
given them one answer as well). Repeats of a simulation (--repeat) are meant to
sample independently, whatever the temperature, so repeat 2 never waits for repeat 1's
answer; within one repeat, identical requests of different simulations share.
"""
from __future__ import annotations

import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Callable

WAIT_SLICE_S = 0.25


class SingleFlight:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[str, Future] = {}
        self._waiting: dict[Future, int] = {}     # callers waiting on each call in flight

    def counts(self) -> tuple[int, int]:
        """(calls in flight, those of them no other caller waits for): what sharing saves."""
        with self._lock:
            return len(self._calls), sum(1 for f in self._calls.values() if not self._waiting.get(f))

    def do(self, key: str, call: Callable[[], Any],
           check: Callable[[], None] | None = None) -> tuple[Any, bool]:
        """(value, whether this caller made the call). `check` runs while waiting (it
        raises to stop waiting, e.g. on a cancel)."""
        with self._lock:
            future = self._calls.get(key)
            leader = future is None
            if leader:
                future = self._calls[key] = Future()
            else:
                self._waiting[future] = self._waiting.get(future, 0) + 1
        if leader:
            try:
                value = call()
            except BaseException as exc:
                future.set_exception(exc)
                raise
            else:
                future.set_result(value)
                return value, True
            finally:
                with self._lock:
                    self._calls.pop(key, None)
        try:
            value = self._wait(future, check)
        finally:
            with self._lock:
                left = self._waiting.pop(future) - 1
                if left:
                    self._waiting[future] = left
        if future.exception() is not None:    # the leader's failure is its own: our own call
            return call(), True
        return value, False

    @staticmethod
    def _wait(future: Future, check: Callable[[], None] | None) -> Any:
        while True:
            if check is not None:
                check()
            try:
                return future.result(timeout=WAIT_SLICE_S)
            except FutureTimeout:
                continue
            except Exception:      # noqa: BLE001 - the leader's; the caller reads it
                return None
