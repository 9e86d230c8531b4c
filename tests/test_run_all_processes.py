"""Run-all runs the engine in worker processes: the same stored results as in one process,
the summary keeps only briefs, and a killed run-all takes its workers with it while every
result it reported stays stored for --resume."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from studio.core.project import load_project
from studio.library import Library
import studio.library.run_all as run_all_module
from studio.library import run_pool
from studio.library.run_all import ResultBrief, run_all
from studio.library.run_pool import shape
from studio.simulate.runner import run_simulation


def _stored(library: Library, run_id: int) -> list[dict]:
    rows = []
    for record in library.results(run_id):
        data = record.result.model_dump(mode="json")
        data.pop("duration_ms")
        rows.append((record.repeat_index, data))
    return rows


def test_worker_processes_store_what_one_process_stores(sample_copy, monkeypatch):
    root = sample_copy("food-delivery")
    project = load_project(root, simulations=False)
    pools = []
    monkeypatch.setattr(run_pool, "MIN_OFFLINE_PLAN", 2)     # 42 runs: worth processes here
    monkeypatch.setattr(run_all_module, "ProcessPool",
                        lambda *a, **k: pools.append(run_pool.ProcessPool(*a, **k)) or pools[-1])

    def in_this_process(project, simulation, *, options=None, cancel=None):
        return run_simulation(project, simulation, options=options, cancel=cancel)
    with Library.open(root) as library:
        here = run_all(project, library, runner=in_this_process, repeat=2)
        assert not pools                                   # a runner passed in: threads here
        workers = run_all(project, library, repeat=2, concurrency=2)
        assert len(pools) == 1
        assert workers.total == here.total == 42 and workers.done == 42
        assert workers.verdicts() == here.verdicts()
        assert _stored(library, workers.run_id) == _stored(library, here.run_id)
        assert all(isinstance(b, ResultBrief) for b in workers.records)   # no full results kept
        assert library.run(workers.run_id).status == "complete"


def test_one_process_per_core_and_threads_only_for_model_calls(monkeypatch):
    monkeypatch.setattr("studio.library.run_pool.cpu_count", lambda: 2)
    assert shape(4, model=False) == (2, 1)          # offline: CPU-bound, a process per core
    assert shape(1, model=False) == (1, 1)          # --concurrency 1 still means one at a time
    assert shape(16, model=True) == (2, 8)          # a model: 16 calls in flight on 2 cores
    # an OpenAI-compatible server without litellm: ~3 ms of CPU a request, one process
    # keeps 32 in flight and shares identical requests among all of them
    assert shape(16, model=True, direct=True) == (1, 16)
    assert shape(64, model=True, direct=True) == (2, 32)
    assert not run_pool.suits(model=False, size=10)  # a few: done before workers start
    assert run_pool.suits(model=False, size=1000)


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_kill_9_of_run_all_ends_its_workers_and_keeps_every_reported_result(sample_copy):
    root = sample_copy("food-delivery")
    base = list(load_project(root).simulations.values())
    with Library.open(root) as library:
        library.save_simulations([base[i % len(base)].model_copy(
            update={"name": f"{base[i % len(base)].name} #{i}"}) for i in range(3000)])
    proc = subprocess.Popen([sys.executable, "-m", "studio", "run-all", str(root),
                             "--concurrency", "2"], stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True)
    reported = []
    for line in proc.stderr:
        if line.startswith("[") and ": " in line and "run " not in line:
            reported.append(line.split(": ", 1)[1].strip())
        if len(reported) >= 20:
            break
    family = _descendants(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert family                                   # the workers (and their fork server)
    deadline = time.monotonic() + 20
    while any(_alive(p) for p in family) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in family if _alive(p)], "run-all workers outlived a killed run-all"

    conn = sqlite3.connect(root / "library.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {r[0] for r in conn.execute("SELECT simulation FROM results")}
    finally:
        conn.close()
    assert set(reported) <= stored and len(stored) < 3021
    done = subprocess.run([sys.executable, "-m", "studio", "run-all", str(root), "--resume",
                           "-q"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    with Library.open(root) as library:
        (run,) = library.runs()
        assert run.status == "complete" and run.passed == 3021
        rows = library.query("SELECT count(*) AS n, count(DISTINCT simulation) AS d FROM results")
        assert rows[0]["n"] == rows[0]["d"] == 3021     # nothing stored twice
