"""A variable's `pattern` times out on the CPU its own search used, never because the process
was paused (SIGSTOP, a loaded machine) or its other threads were busy (the `regex` module's
timeout counts the whole process's CPU time: at 20,000 simulations the writer and garbage
collection turned healthy simulations into false `error`s and `runs diff` into false
regressions)."""
from __future__ import annotations

import hashlib
import os
import signal
import threading
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studio.core import regex_budget
from studio.runtime.extraction import PatternTooSlow, compile_pattern, search_pattern

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import sys, time
from studio.runtime.extraction import compile_pattern, search_pattern, PatternTooSlow
pattern = r"(a|aa)+c"               # backtracks: work grows ~1.6x per extra 'a'
compiled = compile_pattern(pattern)
n = 18
while True:                          # a message that takes ~0.15 s of CPU, well under 0.5 s
    start = time.thread_time()
    compiled.search("a" * n, timeout=60)
    if time.thread_time() - start > 0.15:
        break
    n += 1
print("ready", flush=True)
text, outcome, searches = "a" * n, "ok", 0
deadline = time.monotonic() + 4.0
while time.monotonic() < deadline:
    try:
        search_pattern(compiled, text, pattern)
    except PatternTooSlow as exc:
        outcome = f"false error: {exc}"
        break
    searches += 1
print(outcome, searches, flush=True)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs SIGSTOP")
def test_a_paused_process_gets_no_false_pattern_timeout():
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True,
                             cwd=ROOT)
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.3)                          # in the middle of a search
        os.kill(child.pid, signal.SIGSTOP)       # paused for twice the pattern's time limit
        time.sleep(1.0)
        os.kill(child.pid, signal.SIGCONT)
        out, _ = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    outcome = out.strip()
    assert outcome.startswith("ok "), outcome


def test_a_search_stopped_without_using_its_cpu_is_tried_again():
    class PausedOnce:
        calls = 0

        def search(self, text, timeout, **_):
            self.calls += 1
            if self.calls == 1:
                time.sleep(timeout + 0.05)       # wall time passes, no CPU is used
                raise TimeoutError("regex timed out")
            return "match"

    fake = PausedOnce()
    assert regex_budget.search(fake, "text", 0.05) == "match" and fake.calls == 2


def test_a_pattern_that_really_backtracks_is_still_an_error():
    pattern = r"(a|aa)+c"
    with pytest.raises(PatternTooSlow, match="took over"):
        search_pattern(compile_pattern(pattern), "a" * 60, pattern)


def test_busy_sibling_threads_do_not_make_a_pattern_time_out():
    pattern = r"(a|aa)+c"
    compiled = compile_pattern(pattern)
    n = 18
    while True:                              # a search of ~0.2 s of this thread's CPU
        start = time.thread_time()
        compiled.search("a" * n, timeout=60)
        if time.thread_time() - start > 0.2:
            break
        n += 1
    data, stop = b"x" * (32 << 20), threading.Event()

    def burn():                              # CPU outside the GIL, as SQLite's writer uses
        while not stop.is_set():
            hashlib.sha256(data).digest()
    burners = [threading.Thread(target=burn) for _ in range(4)]
    for t in burners:
        t.start()
    try:
        for _ in range(3):
            assert search_pattern(compiled, "a" * n, pattern) is None
    finally:
        stop.set()
        for t in burners:
            t.join()
