"""The app's one way to run work off the GUI thread: results, failures and progress
arrive on the GUI thread; cancel reaches the work."""
from __future__ import annotations

import threading
import time

from studio.ui.background import Pool


def test_progress_result_and_failure_come_back_on_the_gui_thread(qtbot):
    pool = Pool(1)
    gui = threading.get_ident()
    seen: list[tuple] = []

    def work(progress):
        for done in range(3):
            progress.report(done + 1, 3, f"item {done + 1}")
        return "all done"

    task = pool.run(work, finished=lambda value: seen.append(("done", value, threading.get_ident())))
    task.signals.progress.connect(lambda d, t, text: seen.append(("progress", d, threading.get_ident())))
    qtbot.waitUntil(lambda: any(s[0] == "done" for s in seen), timeout=5000)
    assert [s[1] for s in seen if s[0] == "progress"] == [1, 2, 3]
    assert all(s[2] == gui for s in seen) and seen[-1][:2] == ("done", "all done")

    failures: list[str] = []
    pool.run(lambda _p: 1 / 0, failed=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert failures[0].startswith("ZeroDivisionError")


def test_cancel_reaches_the_work(qtbot):
    pool = Pool(1)
    results: list = []

    def work(progress):
        while not progress.cancelled:
            time.sleep(0.01)
        return "stopped"

    task = pool.run(work, finished=results.append)
    task.cancel()
    qtbot.waitUntil(lambda: results == ["stopped"], timeout=5000)
    assert pool.waitForDone(1000)
