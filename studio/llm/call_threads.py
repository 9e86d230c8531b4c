"""Threads that wait on model calls for callers who must stay free to see a cancel.

A call with a cancel token runs on a helper thread while its caller watches the token.
Starting a thread per call made each caller wait for the new thread to take the GIL
and then take it back itself: two hand-overs per request, each up to the interpreter's
switch interval when 100+ simulation threads share a worker, all while the call held
one of the run's request slots (issue 13: a slot was held 107-117 ms for a 101 ms
answer). Here an idle helper is reused, and started only when none is free; helpers
are daemons, so an abandoned call (cancelled, slow to time out) never holds up exit.
"""
from __future__ import annotations

import os
import queue
import threading
from typing import Callable

_jobs: "queue.SimpleQueue[Callable[[], None]]" = queue.SimpleQueue()
_lock = threading.Lock()
_idle = 0


def run(job: Callable[[], None]) -> None:
    """Run `job()` on a helper thread (it must not raise: it hands its outcome over)."""
    global _idle
    with _lock:
        start = _idle == 0
        if not start:
            _idle -= 1              # the idle helper that takes this job
    _jobs.put(job)
    if start:
        threading.Thread(target=_helper, daemon=True, name="model-call").start()


def _helper() -> None:
    global _idle
    while True:
        _jobs.get()()
        with _lock:
            _idle += 1


def _forget() -> None:
    """A forked child has none of its parent's threads: it starts its own."""
    global _jobs, _lock, _idle
    _jobs, _lock, _idle = queue.SimpleQueue(), threading.Lock(), 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget)
