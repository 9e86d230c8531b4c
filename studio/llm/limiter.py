"""An adaptive concurrency limit per model, shared by every thread of a run.

Run-all may start many simulations at once; a provider that answers 429 gets
fewer parallel calls (the limit halves), and the limit creeps back up after a
run of successes. A Retry-After also pauses new calls to that model until then.
The run's ModelSession holds one per (model, api_base).
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator


class AdaptiveLimiter:
    def __init__(self, limit: int):
        self.max_limit = max(1, limit)
        self.limit = self.max_limit
        self.active = 0
        self.lowered = 0                 # how many times a 429 lowered the limit
        self._successes = 0
        self._paused_until = 0.0
        self._cond = threading.Condition()

    def set_max(self, limit: int) -> None:
        with self._cond:
            self.max_limit = max(1, limit)
            self.limit = min(self.limit, self.max_limit) if self.lowered else self.max_limit
            self._cond.notify_all()

    @contextmanager
    def slot(self, cancel_check=None) -> Iterator[None]:
        self.acquire(cancel_check)
        try:
            yield
        finally:
            self.release()

    def acquire(self, cancel_check=None) -> None:
        with self._cond:
            while True:
                wait = self._paused_until - time.monotonic()
                if wait <= 0 and self.active < self.limit:
                    self.active += 1
                    return
                if cancel_check is not None:
                    cancel_check()
                self._cond.wait(timeout=min(max(wait, 0.01), 0.25) if wait > 0 else 0.25)

    def release(self) -> None:
        with self._cond:
            self.active -= 1
            self._cond.notify()         # one slot: waking every waiter cost each call CPU

    def on_success(self) -> None:
        with self._cond:
            if self.limit >= self.max_limit:
                return
            self._successes += 1
            if self._successes >= self.limit:          # additive increase
                self._successes = 0
                self.limit += 1
                self._cond.notify_all()

    def on_rate_limit(self, retry_after: float | None = None) -> None:
        with self._cond:                                # multiplicative decrease
            self.limit = max(1, self.limit // 2)
            self._successes = 0
            self.lowered += 1
            if retry_after:
                self._paused_until = max(self._paused_until, time.monotonic() + retry_after)
