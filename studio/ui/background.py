"""Background work in the app, the one way (after Orange's widgets/utils/concurrent.py):
long runs never touch the GUI thread.

A `Pool` (one per panel or dialog, created on the GUI thread) runs `fn(progress)`
on Python worker threads and hands results, failures and progress back through
its own Qt signals, which Qt queues onto the GUI thread; there each `Task` tells
its listeners through psygnal (`task.signals.finished/failed/progress`). No
QObject is created or destroyed per task, so nothing is ever deleted from the
wrong thread. The engine's `Progress` (Qt-free) carries reports and cancel
requests between the work and the GUI.
"""
from __future__ import annotations

import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import psygnal
from PySide6.QtCore import QObject, Signal

from studio.core.progress import Progress


class TaskSignals(psygnal.SignalGroup):
    """Emitted on the GUI thread: the value, a failure's message, progress (done, total, text)."""

    finished = psygnal.Signal(object)
    failed = psygnal.Signal(str)
    progress = psygnal.Signal(int, int, str)


class Task:
    """`fn(progress)` to run off the GUI thread; `progress` reports and cancels. Without a
    `progress` of its own, its reports arrive as `signals.progress` on the GUI thread."""

    def __init__(self, fn: Callable[[Progress], Any], progress: Progress | None = None):
        self.signals = TaskSignals()
        self._relay = progress is None
        self.progress = progress or Progress()
        self._fn = fn

    def cancel(self) -> None:
        self.progress.cancel()


class Pool(QObject):
    _done = Signal(object, object)     # task, value
    _failed = Signal(object, str)      # task, message
    _progress = Signal(object, int, int, str)

    def __init__(self, threads: int = 1):
        super().__init__()
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="studio-ui")
        self._active: set[Task] = set()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._done.connect(lambda task, value: task.signals.finished.emit(value))
        self._failed.connect(lambda task, message: task.signals.failed.emit(message))
        self._progress.connect(lambda task, *report: task.signals.progress.emit(*report))

    def start(self, task: Task) -> Task:
        if task._relay:
            task.progress.set_sink(lambda done, total, text="": self._progress.emit(task, done, total, text))
        self._submit(task)
        return task

    def run(self, fn: Callable[[Progress], Any], *, finished: Callable[[Any], Any] | None = None,
            failed: Callable[[str], Any] | None = None) -> Task:
        """Start `fn(progress)`; `finished(value)` / `failed(message)` on the GUI thread."""
        task = Task(fn)
        if finished is not None:
            task.signals.finished.connect(finished)
        if failed is not None:
            task.signals.failed.connect(failed)
        return self.start(task)

    def _submit(self, task: Task) -> None:
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
