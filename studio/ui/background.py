"""Background work in the app, the one way (after Orange's widgets/utils/concurrent.py:
a task state with progress and cancel, results delivered on the GUI thread).

Long work never runs on the GUI thread. A `Pool` (one per panel or dialog, made on
the GUI thread) runs `fn(progress)` on its worker threads. Each run is a `Task`, a
QObject whose Qt signals `finished(value)`, `failed(message)` and
`progress_changed(done, total, text)` fire on the GUI thread; `task.cancel()`
reaches the work through the engine's Qt-free `Progress` (`progress.cancelled`).

Lifetimes: the pool holds each task until its result has been delivered, so a
caller may drop it (or connect only a lambda); slots are Qt connections, so a
receiver that is gone is simply not called. The worker thread never holds a Task
or the work function once the work returns: the task is only ever touched, and
deleted, on the GUI thread.
"""
from __future__ import annotations

import itertools
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from studio.core.progress import Progress

Work = Callable[[Progress], Any]


class Task(QObject):
    """One run of `fn(progress)`. Without a `progress` of its own, the work's reports
    arrive as `progress_changed`; with one (run-all's own sink), they go there."""

    finished = Signal(object)
    failed = Signal(str)
    progress_changed = Signal(int, int, str)

    def __init__(self, fn: Work, progress: Progress | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.fn = fn
        self.relay_progress = progress is None
        self.progress = progress or Progress()
        self.running = False

    def cancel(self) -> None:
        """Ask the work to stop; it notices at its next `progress.cancelled` check."""
        self.progress.cancel()

    @property
    def cancelled(self) -> bool:
        return self.progress.cancelled


class _Job:
    """What a worker thread gets: the work and its progress, never the Task."""

    __slots__ = ("fn", "progress")

    def __init__(self, fn: Work, progress: Progress):
        self.fn, self.progress = fn, progress


class Pool(QObject):
    """Worker threads for one owner; results come back through queued signals."""

    _done = Signal(int, object)           # task number, value
    _failed = Signal(int, str)            # task number, message
    _progress = Signal(int, int, int, str)

    def __init__(self, threads: int = 1, parent: QObject | None = None):
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="studio-ui")
        self._numbers = itertools.count(1)
        self._tasks: dict[int, Task] = {}     # GUI thread only: until the result is delivered
        self._jobs: dict[int, _Job] = {}      # handed to a worker thread when it starts
        self._running: set[int] = set()       # submitted, work not returned yet
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._done.connect(self._deliver_value)
        self._failed.connect(self._deliver_failure)
        self._progress.connect(self._deliver_progress)

    # -- GUI thread ---------------------------------------------------------------
    def start(self, task: Task) -> Task:
        number = next(self._numbers)
        progress = task.progress
        if task.relay_progress:       # reports go to the GUI thread as task.progress_changed
            relay = Progress(lambda done, total, text="": self._progress.emit(number, done, total, text))
            if progress.cancelled:
                relay.cancel()
            task.progress = progress = relay
        self._tasks[number] = task
        task.setParent(self)          # gone with its owner, on the GUI thread, if never delivered
        task.running = True
        with self._lock:
            self._jobs[number] = _Job(task.fn, progress)
            self._running.add(number)
        self._executor.submit(self._run, number)
        return task

    def run(self, fn: Work, *, finished: Callable[[Any], Any] | None = None,
            failed: Callable[[str], Any] | None = None) -> Task:
        """Start `fn(progress)`; `finished(value)` / `failed(message)` on the GUI thread."""
        task = Task(fn)
        if finished is not None:
            task.finished.connect(finished)
        if failed is not None:
            task.failed.connect(failed)
        return self.start(task)

    def active(self) -> list[Task]:
        """Tasks started and not delivered yet."""
        return list(self._tasks.values())

    def cancel_all(self) -> None:
        for task in self._tasks.values():
            task.cancel()

    def waitForDone(self, msecs: int = -1) -> bool:
        """Block until no work is running (the results' signals may still be queued)."""
        with self._lock:
            return self._idle.wait_for(lambda: not self._running, None if msecs < 0 else msecs / 1000)

    def _delivered(self, number: int) -> Task | None:
        task = self._tasks.pop(number, None)
        if task is not None:
            task.setParent(None)      # the caller's again (or nobody's: freed here, GUI thread)
            task.running = False
        return task

    def _deliver_value(self, number: int, value: Any) -> None:
        task = self._delivered(number)
        if task is not None:
            task.finished.emit(value)

    def _deliver_failure(self, number: int, message: str) -> None:
        task = self._delivered(number)
        if task is not None:
            task.failed.emit(message)

    def _deliver_progress(self, number: int, done: int, total: int, text: str) -> None:
        task = self._tasks.get(number)
        if task is not None:
            task.progress_changed.emit(done, total, text)

    # -- worker thread ----------------------------------------------------------------
    def _run(self, number: int) -> None:
        with self._lock:
            job = self._jobs.pop(number)
        fn, progress = job.fn, job.progress
        del job
        failure, value = None, None
        try:
            value = fn(progress)
        except Exception as exc:  # the GUI shows it; the app must not die
            failure = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
        # let go of the work before telling the GUI thread: its Task still holds `fn`, so the
        # closure (and whatever widget it captured) is never released last on this thread
        del fn, progress
        with self._lock:
            self._running.discard(number)
            self._idle.notify_all()
        try:
            if failure is None:
                self._done.emit(number, value)
            else:
                self._failed.emit(number, failure)
        except RuntimeError:       # the owner (and this pool) closed while the work ran
            pass


def make_pool(threads: int = 1, parent: QObject | None = None) -> Pool:
    return Pool(threads, parent)
