"""Identical requests in flight at the same moment are sent once: the others wait for that
answer (free, like the cache); --no-cache callers and failed calls are never shared."""
from __future__ import annotations

import threading
import time

import pytest

from llm_kit import fake, isolated, llm_settings, server  # noqa: F401  (fixtures)
from studio.llm.client import complete
from studio.llm.single_flight import SingleFlight
from studio.llm.usage import Usage

MSG = [{"role": "user", "content": "the same question"}]


def _together(n: int, work) -> list:
    out, barrier = [None] * n, threading.Barrier(n)

    def one(i: int) -> None:
        barrier.wait()
        out[i] = work()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_identical_requests_in_flight_are_sent_once(fake):
    fake.latency = 0.5
    fake.responder = lambda body: "one answer"
    usages = [Usage() for _ in range(6)]
    it = iter(usages)
    lock = threading.Lock()

    def ask():
        with lock:
            usage = next(it)
        return complete(MSG, settings=llm_settings(fake), usage=usage)
    answers = _together(6, ask)
    assert fake.calls == 1
    assert {a.text for a in answers} == {"one answer"}
    assert sum(not a.cached for a in answers) == 1            # one paid call, five shared
    assert sum(u.tokens for u in usages) == answers[0].tokens or \
        sum(u.tokens for u in usages) == max(a.tokens for a in answers)


def test_no_cache_callers_each_get_their_own_answer(fake):
    fake.latency = 0.3
    fake.responder = lambda body: "fresh"
    _together(4, lambda: complete(MSG, settings=llm_settings(fake), no_cache=True))
    assert fake.calls == 4


def test_a_failed_call_is_not_shared():
    flight, calls = SingleFlight(), []

    def call():
        calls.append(1)
        time.sleep(0.2)
        if len(calls) == 1:
            raise RuntimeError("the leader's outage")
        return "ok"
    results = []

    def one():
        try:
            results.append(flight.do("k", call)[0])
        except RuntimeError as exc:
            results.append(str(exc))
    threads = [threading.Thread(target=one) for _ in range(3)]
    for t in threads:
        t.start()
        time.sleep(0.02)
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "ok", "the leader's outage"] and len(calls) == 3


def test_a_waiting_caller_can_stop_waiting():
    flight, started = SingleFlight(), threading.Event()

    def slow():
        started.set()
        time.sleep(1.0)
        return "late"
    leader = threading.Thread(target=lambda: flight.do("k", slow))
    leader.start()
    started.wait()

    def cancelled():
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        flight.do("k", slow, cancelled)
    leader.join()
