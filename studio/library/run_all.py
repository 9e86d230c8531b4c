"""Run many simulations in parallel, storing each result the moment it finishes.

The same API serves the CLI and the GUI: progress goes through
`studio.core.progress.Progress` (done, total, message) and `progress.cancel()`
stops scheduling new simulations; the ones already running finish and are
kept, and the run is marked `cancelled`. A run row lists what it planned, so a
run cut short (crash, kill, Ctrl-C) is finished with `resume=True`.
"""
from __future__ import annotations

import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from studio.core.progress import Cancelled, Progress
from studio.core.project import Project
from studio.core.simulation import Simulation
from studio.simulate.result import SimulationResult

from .library import Library
from .records import (NOT_FAILING, LibraryError, ResultRecord, SimulationRecord, aggregate_status,
                      now)
from .revision_store import keep_project_revisions

try:
    from studio.simulate.options import RunOptions
except ImportError:  # the engine's public re-export not there yet
    from studio.runtime.options import RunOptions

Runner = Callable[..., SimulationResult]
"""`runner(project, simulation, options=RunOptions, cancel=Progress) -> SimulationResult`."""


def load_default_runner() -> Runner:
    """The engine's runner, imported here in the calling thread (imports racing in
    worker threads can see a half-initialised module)."""
    try:
        from studio.simulate.runner import run_simulation
    except Exception as exc:  # noqa: BLE001 - every simulation reports it as an error
        message = f"the simulation engine cannot be loaded: {type(exc).__name__}: {exc}"

        def broken(project, simulation, *, options=None, cancel=None) -> SimulationResult:
            return SimulationResult(simulation=simulation.name, procedure=simulation.procedure,
                                    status="error", error=message)
        return broken
    return run_simulation


@dataclass
class RunSummary:
    run_id: int
    status: str                          # complete / cancelled / interrupted
    total: int                           # planned executions (simulations x repeats)
    repeat: int = 1
    duration_s: float = 0.0
    records: list[ResultRecord] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.records)

    passed = property(lambda self: self.count("passed"))
    failed = property(lambda self: self.count("failed"))
    errors = property(lambda self: self.count("error"))
    skipped = property(lambda self: self.count("skipped"))

    @property
    def done(self) -> int:
        return len(self.records)

    def by_simulation(self) -> dict[str, list[ResultRecord]]:
        grouped: dict[str, list[ResultRecord]] = {}
        for record in sorted(self.records, key=lambda r: (r.simulation, r.repeat_index)):
            grouped.setdefault(record.simulation, []).append(record)
        return grouped

    def verdicts(self) -> dict[str, str]:
        """passed / failed / error per simulation, over all its repeats."""
        return {name: aggregate_status([r.status for r in recs])
                for name, recs in self.by_simulation().items()}

    @property
    def pass_k(self) -> float | None:
        """Share of simulations that passed every one of their repeats (pass^k)."""
        grouped = self.by_simulation()
        if not grouped:
            return None
        return sum(all(r.status == "passed" for r in recs) for recs in grouped.values()) / len(grouped)

    @property
    def flaky(self) -> list[str]:
        """Simulations with mixed verdicts across repeats."""
        return sorted(name for name, recs in self.by_simulation().items()
                      if len({r.status for r in recs}) > 1)

    @property
    def exit_code(self) -> int:
        if self.errors or self.status == "interrupted":
            return 2
        if self.failed or self.status == "cancelled":
            return 1
        return 0

    def to_dict(self, *, details: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "run_id": self.run_id, "status": self.status, "total": self.total,
            "done": self.done, "passed": self.passed, "failed": self.failed,
            "errors": self.errors, "skipped": self.skipped, "repeat": self.repeat, "duration_s": round(self.duration_s, 3),
            "pass_k": self.pass_k, "flaky": self.flaky, "verdicts": self.verdicts(),
        }
        if details:
            data["results"] = [{"repeat_index": r.repeat_index, "finished": r.finished}
                               | r.result.model_dump(mode="json")
                               for r in sorted(self.records, key=lambda r: (r.simulation, r.repeat_index))]
        return data


# -- choosing what to run ------------------------------------------------------
def select_simulations(library: Library, *, tags: Iterable[str] = (),
                       procedures: Iterable[str] = (), failed: bool = False,
                       names: Iterable[str] = ()) -> list[SimulationRecord]:
    """Filters combine with AND; several tags (or procedures) combine with OR."""
    tags, procedures, names = set(tags), set(procedures), set(names)
    records = library.simulations()
    if tags:
        records = [r for r in records if tags & set(r.tags)]
    if procedures:
        records = [r for r in records if r.procedure in procedures]
    if names:
        records = [r for r in records if r.name in names]
    if failed:
        not_passed = failed_in_last_run(library)
        records = [r for r in records if r.name in not_passed]
    return records


def failed_in_last_run(library: Library) -> set[str]:
    """Simulations of the library whose latest result (all repeats of the latest run that ran
    them, whichever run that was) did not pass: a run of one tag in between does not hide
    failures that other runs found."""
    statuses: dict[str, list[str]] = {}
    for row in library._latest("r.simulation, r.status", in_library=True):
        statuses.setdefault(row["simulation"], []).append(row["status"])
    return {name for name, found in statuses.items() if aggregate_status(found) not in NOT_FAILING}


def _engine(project: Project, options: RunOptions) -> str:
    if options.model:
        return options.model
    return getattr(getattr(project.settings, "model", None), "name", None) or "offline"


# -- running -------------------------------------------------------------------
def run_all(project: Project, library: Library, *,
            simulations: Iterable[Simulation | SimulationRecord | str] | None = None,
            concurrency: int = 4, repeat: int = 1, options: RunOptions | None = None,
            progress: Progress | None = None, runner: Runner | None = None,
            filters: dict[str, Any] | None = None, resume: bool = False,
            on_result: Callable[[ResultRecord], None] | None = None) -> RunSummary:
    """Run simulations (default: the whole library) and store every result as it finishes.

    `resume=True` finishes the latest interrupted or cancelled run instead:
    only the planned (simulation, repeat) pairs without a result are run.
    `on_result` is called (from the calling thread) with each stored result.
    """
    options = options or RunOptions()
    progress = progress or Progress()
    runner = runner or load_default_runner()
    concurrency = max(1, int(concurrency))
    started = time.perf_counter()
    specs = {r.name: r.simulation for r in library.simulations()}
    previous: list[ResultRecord] = []

    if resume:
        run = library.latest_run(statuses=("interrupted", "cancelled"))
        if run is None:
            raise LibraryError("there is no interrupted run to resume")
        run_id, repeat = run.id, run.repeat
        done_keys = library.result_keys(run_id)
        previous = library.results(run_id)
        plan = [(name, idx) for name, idx in run.planned if (name, idx) not in done_keys]
        library.reopen_run(run_id)
        library.audit("run.resume", str(run_id), {"remaining": len(plan)})
        total = len(run.planned)
    else:
        chosen = _resolve(simulations, specs) if simulations is not None else list(specs.values())
        for sim in chosen:
            specs.setdefault(sim.name, sim)
        repeat = max(1, int(repeat))
        plan = [(sim.name, idx) for sim in chosen for idx in range(repeat)]
        total = len(plan)
        revisions = keep_project_revisions(library, project)    # content kept for review
        run_id = library.start_run(engine=_engine(project, options), model=options.model,
                                   revisions=revisions,
                                   filters=filters or {}, planned=plan, repeat=repeat,
                                   concurrency=concurrency)

    summary = RunSummary(run_id=run_id, status="running", total=total, repeat=repeat,
                         records=list(previous))

    def task(name: str, idx: int) -> ResultRecord | None:
        if progress.cancelled:
            return None
        result = _run_one(runner, project, specs.get(name), name, idx, options, progress)
        if result is None:
            return None
        library.add_result(run_id, result, idx)      # returns once committed
        return ResultRecord(run_id=run_id, repeat_index=idx, finished=now(), result=result)

    progress.report(summary.done, total, f"run {run_id}: {len(plan)} to run")
    status = "complete"
    pending = iter(plan)
    in_flight: set[Future] = set()
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="run-all")
    try:
        def fill() -> None:
            while len(in_flight) < concurrency * 2 and not progress.cancelled:
                item = next(pending, None)
                if item is None:
                    return
                in_flight.add(pool.submit(task, *item))

        fill()
        while in_flight:
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in finished:
                in_flight.discard(future)
                record = future.result()
                if record is None:
                    continue
                summary.records.append(record)
                label = record.simulation + (f" #{record.repeat_index + 1}" if repeat > 1 else "")
                progress.report(summary.done, total, f"{record.status}: {label}")
                if on_result is not None:
                    on_result(record)
            fill()
        if progress.cancelled and summary.done < total:
            status = "cancelled"
    except BaseException:
        progress.cancel()
        status = "interrupted"
        raise
    finally:
        pool.shutdown(wait=True)
        summary.status = status
        summary.duration_s = time.perf_counter() - started
        library.finish_run(run_id, status)
    return summary


def _resolve(items: Iterable[Simulation | SimulationRecord | str],
             specs: dict[str, Simulation]) -> list[Simulation]:
    chosen = []
    for item in items:
        if isinstance(item, SimulationRecord):
            chosen.append(item.simulation)
        elif isinstance(item, Simulation):
            chosen.append(item)
        elif item in specs:
            chosen.append(specs[item])
        else:
            raise LibraryError(f"no simulation named {item!r} in the library")
    return chosen


def _run_one(runner: Runner, project: Project, sim: Simulation | None, name: str, idx: int,
             options: RunOptions, progress: Progress) -> SimulationResult | None:
    if sim is None:
        return SimulationResult(simulation=name, status="error",
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
                                duration_ms=(time.perf_counter() - t0) * 1000)
    if progress.cancelled and result.status == "error":
        return None           # cut short by the cancel: not a verdict, run it on resume
    if result.simulation != name:
        result = result.model_copy(update={"simulation": name})
    return result
