"""An expression's or template's time limit counts the CPU its own evaluation used: a
process paused or starved by a loaded machine must not turn a trivial condition into a
false `error` (issue 13: a false error from load is a correctness bug), while one that
really spends too long still stops with a clear message."""
from __future__ import annotations

import time
from collections.abc import Mapping

import pytest

from studio.core import limits
from studio.core.expressions import ExpressionError, parse


class SlowNames(Mapping):
    """Names whose every lookup takes `seconds`: asleep (a paused process) or busy."""

    def __init__(self, seconds: float, busy: bool):
        self.seconds, self.busy = seconds, busy

    def __getitem__(self, key):
        if self.busy:
            end = time.thread_time() + self.seconds
            while time.thread_time() < end:
                pass
        else:
            time.sleep(self.seconds)
        return 1

    def __iter__(self):
        return iter(("a", "b", "c"))

    def __len__(self):
        return 3


def test_a_paused_evaluation_is_not_timed_out():
    budget = limits.Budget(ExpressionError, seconds=0.1)
    assert parse("a + b + c").evaluate(SlowNames(0.15, busy=False), budget) == 3


def test_an_evaluation_that_spends_too_much_cpu_is_stopped_with_a_clear_error():
    budget = limits.Budget(ExpressionError, seconds=0.1)
    with pytest.raises(ExpressionError, match="took longer than 0.1 s to evaluate"):
        parse("a + b + c").evaluate(SlowNames(0.15, busy=True), budget)
