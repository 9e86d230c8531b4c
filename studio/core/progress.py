"""The small progress/cancel interface long work reports through.

Qt-free on purpose: the CLI draws a terminal bar from it, the GUI adapts it to
queued signals. Work calls `report()` and checks `cancelled` between items.
"""
from __future__ import annotations

import threading
from typing import Callable, Protocol


class Cancelled(Exception):
    """Raised by work that notices a cancel request between items."""


class ProgressSink(Protocol):
    def __call__(self, done: int, total: int, message: str) -> None: ...


class Progress:
    def __init__(self, callback: ProgressSink | None = None):
        self._callback = callback
        self._cancel = threading.Event()

    def report(self, done: int, total: int, message: str = "") -> None:
        if self._callback is not None:
            self._callback(done, total, message)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()


NULL_PROGRESS_FACTORY: Callable[[], Progress] = Progress
