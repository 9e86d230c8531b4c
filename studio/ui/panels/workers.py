"""Background work for the panels: long runs never touch the GUI thread.

A task runs a plain callable on a QThreadPool; its result, error and progress
come back as Qt signals, which Qt queues onto the GUI thread because the
signal object lives there. The engine's `Progress` (Qt-free) is adapted by
passing the signal's `emit` as its callback.
"""
from __future__ import annotations

import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from studio.core.progress import Progress


class TaskSignals(QObject):
    finished = Signal(object)          # the callable's return value
    failed = Signal(str)               # a one-line error plus traceback
    progress = Signal(int, int, str)   # done, total, message


class Task(QRunnable):
    """Runs `fn(progress)` off the GUI thread; `progress` reports and cancels."""

    def __init__(self, fn: Callable[[Progress], Any], progress: Progress | None = None):
        super().__init__()
        self.setAutoDelete(True)
        self.signals = TaskSignals()
        self.progress = progress or Progress(self.signals.progress.emit)
        self._fn = fn

    def cancel(self) -> None:
        self.progress.cancel()

    def run(self) -> None:  # worker thread
        try:
            value = self._fn(self.progress)
        except Exception as exc:  # the GUI shows it; the app must not die
            self.signals.failed.emit(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
            return
        self.signals.finished.emit(value)


def make_pool(threads: int = 1) -> QThreadPool:
    pool = QThreadPool()
    pool.setMaxThreadCount(threads)
    return pool
