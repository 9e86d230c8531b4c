"""Benchmark: the model engine against a local OpenAI-compatible server with 200 ms latency.

Runs a sample project's simulations (renamed copies up to --count) through the
real litellm HTTP path against tests/fake_openai.py (answering like the offline
engine, so the simulations pass), with the library's run_all (else a thread pool
over run_simulation). Prints the speed-up of concurrency 8 and 16 over serial
(target, DESIGN.md section 5: at least 0.8 x N) and the time of a fully cached
re-run, which should make no model call at all.

The fake server runs in its own process, as a local model server would: in the
benchmark's process its request handling would compete with the client for the
GIL and understate the speed-up (--in-process measures it that way anyway).

    /work/venv/bin/python tests/benchmarks/bench_model_concurrency.py [--sample food-delivery]
        [--count 48] [--latency 0.2] [--levels 1,8,16] [--in-process]
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("PROCEDURE_STUDIO_CONFIG_DIR", tempfile.mkdtemp(prefix="bench-user-"))

from fake_openai import FakeOpenAI  # noqa: E402
from fake_openai_agent import agent_responder  # noqa: E402
from studio.core.project import load_project  # noqa: E402
from studio.core.simulation import Simulation  # noqa: E402
from studio.simulate.options import RunOptions  # noqa: E402
from studio.simulate.runner import run_simulation  # noqa: E402


def _serve(latency: float, conn) -> None:
    """Child process: the fake server until the parent says stop (or goes away)."""
    with FakeOpenAI(responder=agent_responder, latency=latency) as server:
        conn.send(server.port)
        try:
            conn.recv()
        except EOFError:
            pass


class ServerProcess:
    """FakeOpenAI(agent_responder) in a child process, with the same url/reset/calls."""

    def __init__(self, latency: float):
        self.latency = latency
        self.port = 0
        self._base = 0

    def __enter__(self) -> "ServerProcess":
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(self.latency, child), daemon=True)
        self._process.start()
        self.port = self._conn.recv()
        return self

    def __exit__(self, *exc) -> None:
        self._conn.send("stop")
        self._process.join(timeout=5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _total(self) -> int:
        import httpx
        return httpx.get(f"{self.url}/_stats", timeout=5).json()["calls"]

    def reset(self) -> None:
        self._base = self._total()

    @property
    def calls(self) -> int:
        return self._total() - self._base


def copies(project, count: int) -> list[Simulation]:
    base = list(project.simulations.values())
    out = []
    for i in range(count):
        data = base[i % len(base)].to_data()
        data["name"] = f"{data['name']} #{i}"
        out.append(Simulation.model_validate(data))
    return out


def make_runner(root: Path, project, simulations: list[Simulation]):
    """run(concurrency, options) -> (seconds, statuses): run_all when the library has it."""
    try:
        from studio.library import Library
        from studio.library.run_all import run_all
    except ImportError:
        Library = None
    if Library is not None:
        for key in list(project.simulations):
            (root / "simulations" / f"{key}.yaml").unlink()
        for i, sim in enumerate(simulations):
            project.save_simulation(f"bench-{i:04d}", sim)
        library = Library.open(root)      # imports the simulations/ folder when new

        def run(concurrency: int, options: RunOptions):
            started = time.perf_counter()
            summary = run_all(project, library, concurrency=concurrency, options=options)
            statuses = [r.status for r in summary.records]
            return time.perf_counter() - started, statuses
        return run, "library run_all"

    def run(concurrency: int, options: RunOptions):
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            results = list(pool.map(lambda s: run_simulation(project, s, options=options), simulations))
        return time.perf_counter() - started, [r.status for r in results]
    return run, "thread pool over run_simulation"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", default="food-delivery")
    parser.add_argument("--count", type=int, default=48)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--levels", default="1,8,16")
    parser.add_argument("--in-process", action="store_true",
                        help="run the fake server in this process (it then competes for the GIL)")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]

    tmp = Path(tempfile.mkdtemp(prefix="bench-model-"))
    root = tmp / args.sample
    shutil.copytree(ROOT / "sample_projects" / args.sample, root,
                    ignore=shutil.ignore_patterns("library.sqlite*"))
    project = load_project(root)
    simulations = copies(project, args.count)
    from studio.llm.client import import_litellm
    t0 = time.perf_counter()
    import_litellm()
    print(f"litellm import: {time.perf_counter() - t0:.2f} s (once per process, off the GUI thread)")
    server_cm = (FakeOpenAI(responder=agent_responder, latency=args.latency) if args.in_process
                 else ServerProcess(args.latency))
    with server_cm as server:
        run, how = make_runner(root, project, simulations)
        project = load_project(root)
        where = "in this process" if args.in_process else "in its own process"
        print(f"{len(simulations)} simulations of '{args.sample}' via {how}; "
              f"server latency {args.latency * 1000:.0f} ms, {where}")
        fresh = RunOptions(model="openai/fake-model", api_base=server.url, no_cache=True)
        times: dict[int, float] = {}
        for level in levels:
            server.reset()
            seconds, statuses = run(level, fresh)
            times[level] = seconds
            calls = server.calls
            bad = len(statuses) - statuses.count("passed")
            print(f"concurrency {level:>2}: {seconds:7.2f} s  {calls} model calls  "
                  f"{calls / seconds:6.1f} calls/s  not passed: {bad}")
        serial = times.get(1)
        if serial:
            for level in levels:
                if level > 1:
                    speedup = serial / times[level]
                    verdict = "ok" if speedup >= 0.8 * level else "BELOW TARGET"
                    print(f"speed-up at {level:>2}: {speedup:5.2f} x  (target >= {0.8 * level:.1f} x) {verdict}")
        cached = RunOptions(model="openai/fake-model", api_base=server.url)
        for label in ("cached re-run", "fully cached re-run"):
            server.reset()
            seconds, statuses = run(max(levels), cached)
            print(f"{label}: {seconds:.2f} s, {server.calls} model calls, "
                  f"passed {statuses.count('passed')}/{len(statuses)}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
