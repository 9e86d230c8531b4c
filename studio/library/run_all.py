"""Run many simulations in parallel, storing each result the moment it finishes.

The same API serves the CLI and the GUI: progress goes through
`studio.core.progress.Progress` (done, total, message) and `progress.cancel()`
stops scheduling new simulations; the ones already running finish and are
kept, and the run is marked `cancelled`. A run row lists what it planned, so a
run cut short (crash, kill, Ctrl-C) is finished with `resume=True`.

The engine's own runner runs in worker processes (`run_pool`); a runner passed
in (tests, fakes) runs on threads here. Either way each finished simulation
comes back as the row the library stores, goes to the writer and is dropped:
the summary keeps a few fields per result, so memory stays flat in the size of
the library, and reports read the full results back from the library.
"""
from __future__ import annotations

import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Callable, Iterable, Iterator

from studio.core.progress import Progress
from studio.core.project import Project
from studio.core.simulation import Simulation
from studio.simulate.result import SimulationResult

from .library import Library
from .records import FAILING, LibraryError, SimulationRecord
from .revision_store import keep_project_revisions
from . import run_pool
from .run_pool import Outcome, ProcessPool, Task, load_default_runner, run_one, run_task
from .run_summary import ResultBrief, RunSummary

from studio.runtime.options import RunOptions, run_with_models

__all__ = ["RunOptions", "RunSummary", "ResultBrief", "run_all", "select_simulations",
           "failed_in_last_run", "load_default_runner", "run_one"]

Runner = Callable[..., SimulationResult]
"""`runner(project, simulation, options=RunOptions, cancel=Progress) -> SimulationResult`."""
SPEC_CHUNK = 256


_DEFAULT_LOADER = load_default_runner     # tests replace the module's loader with a fake's


# -- choosing what to run ------------------------------------------------------
def select_simulations(library: Library, *, tags: Iterable[str] = (),
                       procedures: Iterable[str] = (), failed: bool = False,
                       names: Iterable[str] = (), light: bool = False) -> list[SimulationRecord]:
    """Filters combine with AND; several tags (or procedures) combine with OR. `light`:
    records without their specs (run_all reads those a chunk at a time)."""
    tags, procedures, names = set(tags), set(procedures), set(names)
    if failed:              # the failures alone are read: a few of a large library
        names = names & failed_in_last_run(library) if names else failed_in_last_run(library)
        if not names:
            return []
    records = library.simulations(light=light, names=names or None)
    if tags:
        records = [r for r in records if tags & set(r.tags)]
    if procedures:
        records = [r for r in records if r.procedure in procedures]
    return records


def failed_in_last_run(library: Library) -> set[str]:
    """Simulations of the library whose latest result (all repeats of the latest run that ran
    them, whichever run that was) did not pass: a run of one tag in between does not hide
    failures that other runs found. In SQL, as aggregate_status: failing is any error or
    failure among those repeats (only the failing names come back)."""
    failing = ", ".join(f"'{s}'" for s in FAILING)
    return {name for (name,) in library.rows(
        "SELECT s.name FROM simulations s WHERE EXISTS (SELECT 1 FROM results r "
        "WHERE r.simulation = s.name AND r.status IN (" + failing + ") AND r.run_id = "
        "(SELECT max(run_id) FROM results m WHERE m.simulation = s.name))")}


def _engine(project: Project, options: RunOptions) -> str:
    if options.model:
        return options.model
    return getattr(getattr(project.settings, "model", None), "name", None) or "offline"


def _is_engine(runner: Runner) -> bool:
    """The engine's own runner, which worker processes load themselves (a runner passed in,
    a test's fake, runs on threads here)."""
    return (getattr(runner, "__module__", None) == "studio.simulate.runner"
            and getattr(runner, "__name__", None) == "run_simulation")


def _uses_model(project: Project, options: RunOptions) -> bool:
    return _engine(project, options) != "offline"


# -- running -------------------------------------------------------------------
def run_all(project: Project, library: Library, *,
            simulations: Iterable[Simulation | SimulationRecord | str] | None = None,
            concurrency: int = 4, repeat: int = 1, options: RunOptions | None = None,
            progress: Progress | None = None, runner: Runner | None = None,
            filters: dict[str, Any] | None = None, resume: bool = False,
            on_result: Callable[[ResultBrief], None] | None = None) -> RunSummary:
    """Run simulations (default: the whole library) and store every result as it finishes.

    `resume=True` finishes the latest interrupted or cancelled run instead:
    only the planned (simulation, repeat) pairs without a result are run.
    `on_result` is called (from the calling thread) with each stored result's brief,
    once it is committed. The run's model calls share one ModelSession (options.models).
    """
    with run_with_models(options) as options:
        return _run_all(project, library, simulations, concurrency, repeat, options, progress,
                        runner, filters, resume, on_result)


def _run_all(project: Project, library: Library,
             simulations: Iterable[Simulation | SimulationRecord | str] | None,
             concurrency: int, repeat: int, options: RunOptions, progress: Progress | None,
             runner: Runner | None, filters: dict[str, Any] | None, resume: bool,
             on_result: Callable[[ResultBrief], None] | None) -> RunSummary:
    progress = progress or Progress()
    concurrency = max(1, int(concurrency))
    started = time.perf_counter()
    given: dict[str, Any] = {}            # specs the caller handed over (not read back)
    briefs: list[ResultBrief] = []

    if resume:
        run = library.latest_run(statuses=("interrupted", "cancelled"))
        if run is None:
            raise LibraryError("there is no interrupted run to resume")
        run_id, repeat = run.id, run.repeat
        done_keys = library.result_keys(run_id)
        briefs = [ResultBrief.from_row(r) for r in library.result_briefs(run_id)]
        plan = [(name, idx) for name, idx in run.planned if (name, idx) not in done_keys]
        library.reopen_run(run_id)
        library.audit("run.resume", str(run_id), {"remaining": len(plan)})
        total = len(run.planned)
    else:
        names = _chosen_names(library, simulations, given)
        repeat = max(1, int(repeat))
        plan = [(name, idx) for name in names for idx in range(repeat)]
        total = len(plan)
        revisions = keep_project_revisions(library, project)    # content kept for review
        run_id = library.start_run(engine=_engine(project, options), model=options.model,
                                   revisions=revisions,
                                   filters=filters or {}, planned=plan, repeat=repeat,
                                   concurrency=concurrency)

    summary = RunSummary(run_id=run_id, status="running", total=total, repeat=repeat,
                         briefs=briefs, source=library.path)
    progress.report(summary.done, total, f"run {run_id}: {len(plan)} to run")
    pool: Any = None
    status = "complete"
    try:
        model = _uses_model(project, options)
        workers = run_pool.suits(model=model, size=len(plan))
        if runner is None and load_default_runner is _DEFAULT_LOADER and workers:
            pool = ProcessPool(project, options, concurrency, model=model,   # engine not loaded here
                               size=len(plan))
        else:
            runner = runner or load_default_runner()
            pool = (ProcessPool(project, options, concurrency, model=model, size=len(plan))
                    if workers and _is_engine(runner) else
                    ThreadPool(runner, project, options, concurrency))
        tasks = _tasks(library, plan, given)
        _store(pool.run(tasks, progress), library, summary, progress, on_result)
        if progress.cancelled and summary.done < total:
            status = "cancelled"
    except BaseException:
        progress.cancel()
        status = "interrupted"
        raise
    finally:
        if pool is not None:
            pool.close()
        summary.status = status
        summary.duration_s = time.perf_counter() - started
        library.finish_run(run_id, status)
    return summary


def _store(batches: Iterator[list[Outcome]], library: Library, summary: RunSummary,
           progress: Progress, on_result: Callable[[ResultBrief], None] | None) -> None:
    """Rows to the writer as they come, a batch per transaction; each is counted (and
    reported) once committed, so a result the summary shows survives a kill -9."""
    committing: deque[tuple[Future, list[ResultBrief]]] = deque()
    label_repeat = summary.repeat > 1

    def settle(block: bool) -> None:
        while committing and (block or committing[0][0].done()):
            future, briefs = committing.popleft()
            future.result()                # a failed write ends the run (the library is damaged)
            for brief in briefs:
                summary.briefs.append(brief)
                label = brief.simulation + (f" #{brief.repeat_index + 1}" if label_repeat else "")
                progress.report(summary.done, summary.total, f"{brief.status}: {label}")
                if on_result is not None:
                    on_result(brief)

    for batch in batches:
        rows, briefs = [], []
        for name, _idx, row in batch:
            if row is None:
                continue                   # cut short by a cancel: run it on resume
            row["simulation"] = name
            rows.append(row)
            briefs.append(ResultBrief.from_row(row | {"run_id": summary.run_id}))
        if rows:
            committing.append((library.add_result_rows(summary.run_id, rows, wait=False), briefs))
        settle(block=False)
    settle(block=True)


def _chosen_names(library: Library, items: Iterable[Any] | None, given: dict[str, Any]) -> list[str]:
    """Names to run, in order; specs handed over as objects are kept in `given`."""
    if items is None:
        return library.names()
    names, unknown = [], []
    for item in items:
        if isinstance(item, SimulationRecord):
            names.append(item.name)
            if item.spec is not None:
                given[item.name] = item.spec
        elif isinstance(item, Simulation):
            names.append(item.name)
            given[item.name] = item
        else:
            names.append(str(item))
            unknown.append(str(item))
    if unknown:
        known = set(library.names(unknown))
        missing = next((n for n in unknown if n not in known), None)
        if missing is not None:
            raise LibraryError(f"no simulation named {missing!r} in the library")
    return names


def _tasks(library: Library, plan: list[tuple[str, int]], given: dict[str, Any]) -> Iterator[Task]:
    """(name, repeat, spec) in plan order, specs read from the library a chunk at a time."""
    for start in range(0, len(plan), SPEC_CHUNK):
        chunk = plan[start:start + SPEC_CHUNK]
        wanted = sorted({name for name, _ in chunk if name not in given})
        specs = library.specs(wanted) if wanted else {}
        for name, idx in chunk:
            yield name, idx, given.get(name, specs.get(name))


class ThreadPool:
    """A runner passed in by the caller, on threads of this process."""

    def __init__(self, runner: Runner, project: Project, options: RunOptions, concurrency: int):
        self.runner, self.project, self.options = runner, project, options
        self.concurrency = concurrency
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="run-all")

    def run(self, tasks: Iterator[Task], progress: Progress) -> Iterator[list[Outcome]]:
        in_flight: set[Future] = set()

        def fill() -> None:
            while len(in_flight) < self.concurrency * 2 and not progress.cancelled:
                task = next(tasks, None)
                if task is None:
                    return
                in_flight.add(self._pool.submit(
                    run_task, self.runner, self.project, self.options, task, progress))
        fill()
        while in_flight:
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            failure, done = None, []
            for future in finished:      # every finished result first, then a raised one
                in_flight.discard(future)
                if future.exception() is not None:
                    failure = failure or future.exception()
                    continue
                done.append(future.result())
            if done:
                yield done
            if failure is not None:
                raise failure
            fill()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
