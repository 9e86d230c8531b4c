"""The GUI's run-all runs the engine in worker processes and needs no process-wide
interpreter tricks: garbage collection and the thread switch interval are left as they
are while it runs (they made every other thread of the app behave differently)."""
import gc
import sys

import pytest

from studio.library import run_all as run_all_module
from studio.library import run_pool
from test_ui_support import library_setup  # noqa: F401  (fixture)

pytestmark = pytest.mark.gui


def test_gui_run_all_uses_worker_processes_and_leaves_gc_alone(qtbot, library_setup, monkeypatch):
    _project, _library, view = library_setup
    pools, seen = [], []
    monkeypatch.setattr(run_pool, "MIN_OFFLINE_PLAN", 2)          # the sample's 21: in workers
    monkeypatch.setattr(run_all_module, "ProcessPool",
                        lambda *a, **k: pools.append(run_pool.ProcessPool(*a, **k)) or pools[-1])
    interval, enabled = sys.getswitchinterval(), gc.isenabled()
    view.run_started.connect(lambda: seen.append((sys.getswitchinterval(), gc.isenabled())))
    with qtbot.waitSignal(view.run_finished, timeout=60000) as blocker:
        view.run(None)
    summary = blocker.args[0]
    assert summary.status == "complete" and summary.done == view.model.rowCount() > 10
    assert len(pools) == 1                                         # the engine ran in workers
    assert seen == [(interval, enabled)]                           # nothing changed meanwhile
    assert (sys.getswitchinterval(), gc.isenabled()) == (interval, enabled)
    assert {r.status for r in view.model.rows} == {"passed"}
