"""Simulations run in worker processes: every core busy, and the caller's interpreter (the
GUI's) free, since only compact result rows come back.

Offline simulations are pure Python: threads of one process share the GIL and ran no
faster than one thread. Here `processes` workers (one per core by default) each run
`threads` simulations at once (more than one only for model engines, whose calls
wait on the network: then SIMULATIONS_PER_CALL per request the run may have in
flight). A worker gets the project once, then chunks of (name, repeat, spec) tasks; it
parses each spec once, runs it and returns the rows the library stores, a chunk at a time
(offline, one message per simulation cost the caller as much CPU as a simulation).
Workers start from a fork server (a fresh, single-threaded process), never by
forking the caller's threads, and end with the caller, even when it is killed.
"""
from __future__ import annotations

import itertools
import json
import math
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
import time
import types
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any, Callable, Iterator

from studio.core.progress import Cancelled, Progress

Task = tuple[str, int, Any]              # (simulation name, repeat index, spec JSON or Simulation)
Outcome = tuple[str, int, "dict | None"]   # the results row without run_id; None: cut short

MAX_CHUNK = 16           # offline simulations per message: ~20 ms of work

POLL_S = 0.2


def cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def chunk_size(size: int, processes: int, *, model: bool) -> int:
    """Tasks per message: one for a model (each takes seconds; progress stays live), else
    enough to make messages cheap while every worker still gets several chunks."""
    if model:
        return 1
    return max(1, min(MAX_CHUNK, size // (processes * 8)))


DIRECT_PER_PROCESS = 32


def shape(concurrency: int, *, model: bool, direct: bool = False) -> tuple[int, int]:
    """(processes, slots each) for `concurrency`: simulations at once offline; for a
    model, its requests in flight at once (each slot a request; a worker runs
    SIMULATIONS_PER_CALL simulations per slot).

    `direct`: the model is an OpenAI-compatible server spoken to without litellm, ~3 ms of
    CPU per request, so one process keeps 32 simulations waiting on it; fewer processes
    share more: identical requests in flight are sent once per process (single_flight.py).
    Through litellm (~10 ms per request) a process per core."""
    if model and direct:
        processes = max(1, min(cpu_count(), math.ceil(concurrency / DIRECT_PER_PROCESS)))
        return processes, max(1, math.ceil(concurrency / processes))
    processes = max(1, min(cpu_count(), concurrency))
    threads = max(1, math.ceil(concurrency / processes)) if model else 1
    return processes, threads


SIMULATIONS_PER_CALL = 8
"""Model runs: simulations at once per request slot. A simulation is not always waiting on
a request of its own: it waits for an identical request that another one sent (single
flight; simulations that start alike wait together), stores answers and judges. With one
simulation per slot the server saw 9.5 of 16 requests in flight (issue 13); the run's
limit on requests (ModelSession.max_in_flight) now holds them back, so the server gets
the concurrency asked for, and never more. Measured at concurrency 16 (paired runs,
load 2): 3 per slot 14.0 in flight, 5 per slot 14.3, 8 per slot 14.5. The extra
simulations are threads blocked on the limit."""


FIRST_CALL_IMPORTS = ["studio.llm.cache", "sqlite_utils", "studio.simulate.model_customer",
                      "studio.simulate.model_judge"]
"""Imported by a worker's first model call (sqlite_utils, with numpy: 0.13 s): in the fork
server instead, which imports while the caller loads the project."""


_server: dict[str, Any] = {}      # the fork server this process started: {"model": bool}
_server_lock = threading.Lock()


def _context(model: bool = False, litellm: bool | None = None
             ) -> multiprocessing.context.BaseContext:
    """The fork server, started once per process with the engine (and, for the first run
    that uses a model, its client: litellm, or only httpx for an OpenAI-compatible server
    that is spoken to directly) imported; `spawn` where there is no fork server."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    litellm = model if litellm is None else litellm
    with _server_lock:           # the GUI warms up on one thread and runs on another
        if not _server:
            _server["model"] = model
            client = (["studio.llm.warm" if litellm else "httpx", "studio.llm.openai_http",
                       "studio.runtime.model_brain", "studio.llm.client"] + FIRST_CALL_IMPORTS
                      if model else [])
            # studio.core.project: unpickling the project in each worker imported it there;
            # records and the sandbox: each worker's first simulation imported them
            ctx.set_forkserver_preload([__name__, "studio.core.project",
                                        "studio.simulate.runner", "studio.library.records",
                                        "studio.runtime.sandbox"] + client)
    return ctx


def server_started() -> bool:
    return bool(_server)


def stop_server() -> None:
    """End the fork server at once, for a process about to exit: left to notice that on
    its own, it tears down its interpreter (seconds with litellm loaded) while holding
    the caller's stdout and stderr. Its workers have ended with their pool already."""
    from multiprocessing import forkserver
    pid = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if pid:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass


def needs_litellm(project: Any, options: Any) -> bool:
    """Whether a run's model calls go through litellm (not straight to an
    OpenAI-compatible server: studio/llm/openai_http.py)."""
    from studio.llm.openai_http import direct
    from studio.llm.settings import settings_for_project
    settings = settings_for_project(project, options)
    return not direct(settings.model, settings.api_base)


def warm_up(*, model: bool, litellm: bool | None = None) -> None:
    """Start the fork server now, so its imports (litellm for a model run: seconds) run in
    the background while the caller loads the project and the library."""
    ctx = _context(model, litellm)
    if ctx.get_start_method() == "forkserver":
        with _main_left_alone():
            from multiprocessing import forkserver
            forkserver.ensure_running()


MIN_OFFLINE_PLAN = 64   # fewer offline simulations finish before workers would have started


def suits(*, model: bool, size: int) -> bool:
    """Whether worker processes pay off for `size` simulations: offline, for more than a
    handful; for a model, when they start with litellm imported (a fork server started
    for a model run, or none started yet), not when each would import it again (then
    threads here share one import)."""
    if not model:
        return size >= MIN_OFFLINE_PLAN
    return size > 1 and (not _server or bool(_server.get("model")))


class _EventProgress(Progress):
    """The run's cancel, seen from a worker process."""

    def __init__(self, event: Any):
        super().__init__()
        threading.Thread(target=self._follow, args=(event,), daemon=True,
                         name="run-all-cancel").start()

    def _follow(self, event: Any) -> None:
        """Copy the caller's cancel here: `cancelled` is read before and while every model
        call, and the cross-process event's lock, taken by dozens of threads, made
        them queue for it."""
        event.wait()
        self.cancel()


def spec_of(spec: Any) -> Any:
    from studio.core.simulation import Simulation
    if isinstance(spec, Simulation):
        return spec
    return Simulation.model_validate(json.loads(spec) if spec else {})


def load_default_runner() -> Callable[..., Any]:
    """The engine's runner, imported here in the calling thread (imports racing in
    worker threads can see a half-initialised module)."""
    try:
        from studio.simulate.runner import run_simulation
    except Exception as exc:  # noqa: BLE001 - every simulation reports it as an error
        from studio.simulate.result import SimulationResult
        message = f"the simulation engine cannot be loaded: {type(exc).__name__}: {exc}"

        def broken(project, simulation, *, options=None, cancel=None) -> Any:
            return SimulationResult(simulation=simulation.name, procedure=simulation.procedure,
                                    status="error", error=message, error_code="engine")
        return broken
    return run_simulation


def run_one(runner: Callable[..., Any], project: Any, sim: Any, name: str, idx: int,
            options: Any, progress: Progress) -> Any:
    """One simulation's result; None when a cancel cut it short (it runs again on resume)."""
    from studio.simulate.result import SimulationResult
    if sim is None:
        return SimulationResult(simulation=name, status="error", error_code="simulation",
                                error="the simulation is no longer in the library")
    run_options = options.model_copy(update={"repeat_index": idx})
    t0 = time.perf_counter()
    try:
        result = runner(project, sim, options=run_options, cancel=progress)
    except Cancelled:
        return None
    except Exception as exc:  # the runner promises not to raise; never lose the run if it does
        return SimulationResult(simulation=name, procedure=sim.procedure, status="error",
                                error=f"internal error: {type(exc).__name__}: {exc}",
                                error_code="engine",
                                duration_ms=(time.perf_counter() - t0) * 1000)
    if progress.cancelled and result.status == "error":
        return None           # cut short by the cancel: not a verdict, run it on resume
    if result.simulation != name:
        result = result.model_copy(update={"simulation": name})
    return result


def run_task(runner: Callable[..., Any], project: Any, options: Any, task: Task,
             progress: Progress) -> Outcome:
    """One simulation to its results row (run_id left out), or None when cut short."""
    from .records import result_row
    name, idx, spec = task
    if progress.cancelled:
        return name, idx, None
    try:
        simulation = spec_of(spec) if spec is not None else None
    except Exception as exc:  # noqa: BLE001 - a stored spec that no longer loads is an error
        from studio.simulate.result import SimulationResult
        result = SimulationResult(simulation=name, status="error", error_code="simulation",
                                  error=f"the stored simulation does not load: {exc}")
        return name, idx, result_row(0, result, idx)
    result = run_one(runner, project, simulation, name, idx, options, progress)
    if result is None:
        return name, idx, None
    row = result_row(0, result, idx)
    del row["run_id"]
    return name, idx, row


def uses_snippets(project: Any) -> bool:
    """Whether any procedure has a code step (run in the snippet sandbox's process)."""
    return any(getattr(step, "kind", None) == "code"
               for procedure in getattr(project, "procedures", {}).values()
               for step in procedure.all_steps())


def _worker(payload: bytes, threads: int, calls: int, tasks: Any, results: Any, cancel: Any,
            alive: Connection) -> None:
    """`threads` simulations at once; `calls`: the most model requests in flight (0: no model)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)       # Ctrl-C is the caller's to handle
    project, options, environment, keys = pickle.loads(payload)
    if calls:
        from studio.llm.session import ModelSession
        options = options.model_copy(update={"models": ModelSession(max_in_flight=calls)})
    os.environ.clear()                  # the caller's, now: a fork server started earlier
    os.environ.update(environment)      # holds the environment of back then
    if keys:
        from studio.llm.keys import accept_handed_over
        accept_handed_over(keys)
    runner = load_default_runner()
    from studio.runtime.compiled import freeze
    freeze(project)                                    # this copy is never edited
    if uses_snippets(project):      # the snippet sandbox starts beside the first simulations
        from studio.runtime.sandbox import shared_sandbox
        threading.Thread(target=shared_sandbox().warm_up, daemon=True).start()
    progress = _EventProgress(cancel)

    def watch() -> None:       # the caller closed the pipe or died: stop at once
        try:
            alive.recv()
        except (EOFError, OSError):
            pass
        os._exit(0)

    def loop() -> None:
        while True:
            chunk = tasks.get()
            if chunk is None:
                return
            results.put([run_task(runner, project, options, task, progress) for task in chunk])

    threading.Thread(target=watch, daemon=True).start()
    workers = [threading.Thread(target=loop, daemon=True) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()


@contextmanager
def _main_left_alone() -> Iterator[None]:
    """Start workers without re-running the caller's main script in them (multiprocessing
    re-imports `__main__` by default): a benchmark or app script would import Qt in every
    worker, and one without an `if __name__ == "__main__"` guard would start itself again.
    Workers need only this module."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _keys_for(project: Any, options: Any) -> dict[str, tuple[str, str]]:
    """The API keys of the run's models (agent, judge, customer), found in the caller."""
    from studio.llm.keys import keys_to_hand_over
    from studio.llm.settings import settings_for_project
    settings = settings_for_project(project, options)
    return keys_to_hand_over(settings.for_role(role).model for role in ("agent", "judge", "customer"))


class WorkerDied(RuntimeError):
    """A worker process ended without finishing its work (killed, out of memory)."""


class ProcessPool:
    """Feeds tasks to worker processes and yields their rows as they finish. `size`: how many
    tasks the run has (it sets how many go in one message)."""

    def __init__(self, project: Any, options: Any, concurrency: int, *, model: bool,
                 size: int = 0):
        self.concurrency = max(1, concurrency)
        litellm = needs_litellm(project, options) if model else False
        processes, slots = shape(self.concurrency, model=model, direct=model and not litellm)
        threads, calls = (slots * SIMULATIONS_PER_CALL, slots) if model else (slots, 0)
        self.chunk = chunk_size(size, processes, model=model)
        ctx = _context(model, litellm)
        self._tasks = ctx.Queue()
        self._results = ctx.Queue()
        self._cancel = ctx.Event()
        payload = pickle.dumps((project, options, dict(os.environ),
                                _keys_for(project, options) if model else {}))
        self._procs = []
        self._pipes = []
        with _main_left_alone():
            for _ in range(processes):
                reader, writer = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_worker, name="studio-run-all",
                                   args=(payload, threads, calls, self._tasks, self._results,
                                         self._cancel, reader), daemon=True)
                proc.start()
                reader.close()
                self._procs.append(proc)
                self._pipes.append(writer)
        self._slots = processes * threads

    def cancel(self) -> None:
        if self._cancel is not None:      # None once closed
            self._cancel.set()

    def run(self, tasks: Iterator[Task], progress: Progress) -> Iterator[list[Outcome]]:
        """Rows as simulations finish, a worker's chunk at a time; after a cancel no new
        task starts (a chunk's tasks not started come back cut short)."""
        in_flight = 0
        limit = self._slots * self.chunk * 2

        def fill() -> int:
            sent = 0
            while in_flight + sent < limit and not progress.cancelled:
                chunk = list(itertools.islice(tasks, self.chunk))
                if not chunk:
                    break
                self._tasks.put(chunk)
                sent += len(chunk)
            return sent

        in_flight += fill()
        while in_flight:
            if progress.cancelled:
                self._cancel.set()
            try:
                outcomes = self._results.get(timeout=POLL_S)
            except queue.Empty:
                if any(p.exitcode not in (None, 0) for p in self._procs):
                    raise WorkerDied("a run-all worker process died; the results it finished "
                                     "are kept: `studio run-all PROJECT --resume` finishes the run")
                continue
            in_flight -= len(outcomes)
            yield outcomes
            in_flight += fill()

    def close(self) -> None:
        for pipe in self._pipes:
            pipe.close()                 # each worker's watcher exits it
        for proc in self._procs:
            proc.join(timeout=5)
            if proc.exitcode is None:
                proc.terminate()
                proc.join(timeout=5)
        for q in (self._tasks, self._results):
            q.close()
            q.cancel_join_thread()
        # let go of the queues and the cancel event now: their named semaphores are
        # removed as they are freed. A command ends with os._exit (cli._exit_now), so
        # left to the interpreter's exit they were not, and multiprocessing's resource
        # tracker printed "There appear to be 11 leaked semaphore objects" after it.
        self._tasks = self._results = self._cancel = None
