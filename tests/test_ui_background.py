"""The app's one way to run work off the GUI thread (ui/background.py): results, failures
and progress arrive on the GUI thread, cancel reaches the work, a caller may drop its task,
and a task whose owner closed is never delivered (nor freed) on the worker thread."""
from __future__ import annotations

import gc
import threading
import time

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from studio.ui.background import Pool, Task

pytestmark = pytest.mark.gui


def test_progress_result_and_failure_come_back_on_the_gui_thread(qtbot):
    pool = Pool(1)
    gui = threading.get_ident()
    seen: list[tuple] = []

    def work(progress):
        for done in range(3):
            progress.report(done + 1, 3, f"item {done + 1}")
        return "all done"

    task = Task(work)
    task.progress_changed.connect(lambda d, t, text: seen.append(("progress", d, threading.get_ident())))
    task.finished.connect(lambda value: seen.append(("done", value, threading.get_ident())))
    pool.start(task)
    del task                                    # the pool holds it until it is delivered
    qtbot.waitUntil(lambda: any(s[0] == "done" for s in seen), timeout=5000)
    assert [s[1] for s in seen if s[0] == "progress"] == [1, 2, 3]
    assert all(s[2] == gui for s in seen) and seen[-1][:2] == ("done", "all done")
    assert pool.active() == []

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
    assert task.running
    task.cancel()
    qtbot.waitUntil(lambda: results == ["stopped"], timeout=5000)
    assert pool.waitForDone(1000) and not task.running


class _Owner(QWidget):
    """A panel that starts work and shows its result through a bound method."""

    def __init__(self):
        super().__init__()
        self.pool = Pool(1, self)
        self.results: list = []

    def start(self, gate: threading.Event) -> None:
        task = Task(lambda _p: gate.wait(5) and "late")
        task.finished.connect(self.show_result)
        self.pool.start(task)

    def show_result(self, value) -> None:
        self.results.append(value)


def test_a_result_for_an_owner_that_closed_is_dropped_on_the_gui_thread(qtbot):
    owner, gate = _Owner(), threading.Event()
    owner.start(gate)
    pool, seen = owner.pool, []
    task = pool.active()[0]
    task.destroyed.connect(lambda *_: seen.append(threading.get_ident()))
    owner.deleteLater()                         # the panel closes while the work runs
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)   # its tasks go with it, here
    assert seen == [threading.get_ident()]
    gate.set()
    time.sleep(0.2)
    qtbot.wait(50)                              # the late result finds nobody: no crash
    gc.collect()


def test_the_connection_check_pool_belongs_to_the_application(qtbot):
    from PySide6.QtCore import QCoreApplication
    from studio.ui.dialogs import model_page
    pool = model_page._pool()
    assert pool is model_page._pool() and pool.parent() is QCoreApplication.instance()
    assert not hasattr(model_page, "_POOL") and isinstance(pool, QObject)
