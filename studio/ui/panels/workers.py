"""Background work for the panels: long runs never touch the GUI thread.

A `Pool` (one per panel, created on the GUI thread) runs plain callables on
Python worker threads and hands results back through its own Qt signals,
which Qt queues onto the GUI thread. No QObject is created or destroyed per
task, so nothing is ever deleted from the wrong thread. The engine's
`Progress` (Qt-free) carries cancel requests to the work.
"""
from __future__ import annotations

import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from studio.core.progress import Progress


class _Hook:
    """`task.signals.finished.connect(fn)`, called on the GUI thread."""

    def __init__(self) -> None:
        self.slots: list[Callable[..., Any]] = []

    def connect(self, slot: Callable[..., Any]) -> None:
        self.slots.append(slot)

    def fire(self, *args: Any) -> None:
        for slot in list(self.slots):
            slot(*args)


class _Hooks:
    def __init__(self) -> None:
        self.finished = _Hook()
        self.failed = _Hook()


class Task:
    """`fn(progress)` to run off the GUI thread; `progress` reports and cancels."""

    def __init__(self, fn: Callable[[Progress], Any], progress: Progress | None = None):
        self.signals = _Hooks()
        self.progress = progress or Progress()
        self._fn = fn

    def cancel(self) -> None:
        self.progress.cancel()


class Pool(QObject):
    _done = Signal(object, object)     # task, value
    _failed = Signal(object, str)      # task, message

    def __init__(self, threads: int = 1):
        super().__init__()
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="studio-ui")
        self._active: set[Task] = set()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._done.connect(lambda task, value: task.signals.finished.fire(value))
        self._failed.connect(lambda task, message: task.signals.failed.fire(message))

    def start(self, task: Task) -> None:
        with self._lock:
            self._active.add(task)
        self._executor.submit(self._run, task)

    def _run(self, task: Task) -> None:   # worker thread
        try:
            value = task._fn(task.progress)
        except Exception as exc:  # the GUI shows it; the app must not die
            self._failed.emit(task, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        else:
            self._done.emit(task, value)
        finally:
            with self._lock:
                self._active.discard(task)
                self._idle.notify_all()

    def waitForDone(self, msecs: int = -1) -> bool:
        """Block until no task is running (the results' signals may still be queued)."""
        with self._lock:
            return self._idle.wait_for(lambda: not self._active,
                                       None if msecs < 0 else msecs / 1000)


def make_pool(threads: int = 1) -> Pool:
    return Pool(threads)
