"""Regular-expression searches limited by the CPU time the search itself uses.

The `regex` module's `timeout` counts the whole process's CPU time: while the
library writer, garbage collection or other run-all threads were busy, a search
of a few milliseconds "timed out" and a healthy simulation ended in a false
`error`. Here a timed-out search counts only when the searching thread burned
the budget itself; otherwise (busy siblings, a paused or starved process) it is
given a longer limit and tried again.
"""
from __future__ import annotations

import time
from typing import Any

SPENT_SHARE = 0.8     # of the budget, in this thread's CPU time, that proves the search is slow
MAX_TRIES = 7         # wall limits budget x 1, 2, 4 ... 64: a starved thread still ends


def search(compiled: Any, text: str, budget: float, **kwargs: Any) -> Any:
    """`compiled.search(text)` allowed `budget` seconds of this thread's CPU time.

    Raises TimeoutError only when a try used most of the budget in CPU time (or the
    thread got almost no CPU for 127 budgets of wall time)."""
    wall = budget
    for _ in range(MAX_TRIES):
        start = time.thread_time()
        try:
            return compiled.search(text, timeout=wall, **kwargs)
        except TimeoutError:
            if time.thread_time() - start >= budget * SPENT_SHARE:
                raise
            wall *= 2           # paused or starved, not slow: the same search with more time
    raise TimeoutError(f"the search got too little CPU time in {wall - budget:g} s")
