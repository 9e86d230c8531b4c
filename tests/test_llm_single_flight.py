"""Identical requests in flight at the same moment are sent once: the others wait for that
answer (free, like the cache), with --no-cache too; repeats of a simulation (--repeat)
sample independently, and failed calls are never shared."""
from __future__ import annotations

import threading
import time

import pytest

from llm_kit import fake, isolated, llm_settings, server  # noqa: F401  (fixtures)
from studio.llm.client import complete
from studio.llm.session import ModelSession
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
        return complete(MSG, settings=llm_settings(fake), usage=usage, session=run)
    run = ModelSession()
    answers = _together(6, ask)
    assert fake.calls == 1
    assert {a.text for a in answers} == {"one answer"}
    assert sum(not a.cached for a in answers) == 1            # one paid call, five shared
    assert sum(u.tokens for u in usages) == answers[0].tokens or \
        sum(u.tokens for u in usages) == max(a.tokens for a in answers)


def test_no_cache_callers_share_an_identical_request_in_flight(fake):
    """--no-cache reads nothing stored before the run; it does not make four simulations
    asking the same thing at the same moment pay four times (issue 13)."""
    fake.latency = 0.3
    fake.responder = lambda body: "fresh"
    run = ModelSession()
    answers = _together(4, lambda: complete(MSG, settings=llm_settings(fake), no_cache=True,
                                            session=run))
    assert fake.calls == 1
    assert {a.text for a in answers} == {"fresh"} and sum(not a.cached for a in answers) == 1


def test_repeats_sample_independently_even_when_identical(fake):
    fake.latency = 0.3
    fake.responder = lambda body: "sampled"
    samples = iter(range(4))
    lock = threading.Lock()

    def ask():
        with lock:
            sample = next(samples)
        return complete(MSG, settings=llm_settings(fake), no_cache=True, sample=sample,
                        session=run)
    run = ModelSession()
    answers = _together(4, ask)
    assert fake.calls == 4 and not any(a.cached for a in answers)


def test_a_repeat_run_shares_only_within_its_repeat(fake, sample_copy):
    """Through the engine: `--repeat 2` of two identical simulations in one run, all at
    once: each repeat's identical requests go once, and the two repeats each send their own."""
    from concurrent.futures import ThreadPoolExecutor

    from fake_openai_agent import agent_responder
    from llm_kit import load_sample, model_options
    from studio.llm.session import ModelSession
    from studio.simulate.runner import run_simulation
    fake.responder = agent_responder
    food = load_sample(sample_copy)
    sim = food.simulation("damaged-no-photo-half-refund")
    assert run_simulation(food, sim, options=model_options(fake, no_cache=True)).status == "passed"
    per_run = fake.calls
    fake.reset()
    shared = ModelSession()

    def answer_once_the_copy_waits(body):
        """However busy the machine, the server answers only once the other copy of the
        same repeat waits for this very request (or after 3 s, when it never will)."""
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            if shared.in_flight.counts()[1] == 0:      # every call in flight has its copy
                break
            time.sleep(0.005)
        return agent_responder(body)
    fake.responder = answer_once_the_copy_waits

    def run(repeat: int):
        return run_simulation(food, sim, options=model_options(
            fake, no_cache=True, repeat_index=repeat, models=shared))
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, [0, 0, 1, 1]))
    assert [r.status for r in results] == ["passed"] * 4
    assert fake.calls == 2 * per_run        # one conversation's calls per repeat, not per copy
    shared.close()


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
