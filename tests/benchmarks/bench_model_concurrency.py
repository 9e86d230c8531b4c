"""Benchmark: model run-all through the CLI against a local OpenAI-compatible server with
100 ms latency, start-up and exit included.

The fake server (tests/fake_openai.py, answering like the offline engine so the
simulations pass) runs in its own process, as a local model server would, and
records when each request arrived and was answered. From that timeline:
requests in flight on average (concurrency 16: goal at least 14.4), time from
starting `studio run-all` to its first request and from the last answer to its
exit, model calls per agent turn, identical requests that were in flight together,
and what a cached re-run sends (nothing).

    python tests/benchmarks/bench_model_concurrency.py [--count 96] [--latency 0.1]
        [--concurrency 16]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("PROCEDURE_STUDIO_CONFIG_DIR", tempfile.mkdtemp(prefix="bench-user-"))

from bench_kit import copies_library, fresh_project, machine_note, row, save_library, studio  # noqa: E402


def _serve(latency: float, conn) -> None:
    """Child process: the fake server, recording (arrived, answered, request key)."""
    from fake_openai import FakeOpenAI
    from fake_openai_agent import agent_responder

    class Timeline(FakeOpenAI):
        def _handle(self, handler) -> None:
            arrived = time.time()
            before = len(self.requests)
            super()._handle(handler)
            with self._lock:
                body = self.requests[before] if len(self.requests) > before else {}
                timeline.append((arrived, time.time(), json.dumps(body, sort_keys=True)))

    timeline: list = []
    with Timeline(responder=agent_responder, latency=latency) as server:
        conn.send(server.port)
        while True:
            try:
                message = conn.recv()
            except EOFError:
                return
            if message == "timeline":
                conn.send((list(timeline), time.process_time()))
                timeline.clear()
            else:
                return


def analyse(timeline: list, started: float, ended: float) -> dict:
    if not timeline:
        return {"requests": 0}
    first = min(a for a, _, _ in timeline)
    last = max(b for _, b, _ in timeline)
    busy = sum(b - a for a, b, _ in timeline)
    doubles = 0
    by_key: dict[str, list] = {}
    for a, b, key in timeline:
        by_key.setdefault(key, []).append((a, b))
    for spans in by_key.values():
        spans.sort()
        for (a1, b1), (a2, _b2) in zip(spans, spans[1:]):
            doubles += a2 < b1            # sent while an identical request was in flight
    return {"requests": len(timeline), "distinct": len(by_key), "in_flight": busy / (last - first),
            "to_first": first - started, "exit_after_last": ended - last,
            "identical_in_flight": doubles, "span": last - first}


AGENT_PROMPTS = ("You route", "You watch", "You read", "You are a customer-service agent")


def agent_calls(timeline: list) -> int:
    """Requests the agent made (routing, switch check and extraction, reply), not the
    model-played customer's or the judge's."""
    return sum(1 for _, _, body in timeline
               if json.loads(body).get("messages", [{}])[0].get("content", "").startswith(AGENT_PROMPTS))


def agent_turns(report: Path) -> tuple[int, int]:
    """(agent turns, conversations) in a run's --json report."""
    data = json.loads(report.read_text())
    turns = sum(1 for r in data["results"] for t in r["transcript"] if t["role"] == "agent")
    return turns, len(data["results"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=96)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    conn, child = context.Pipe()
    server = context.Process(target=_serve, args=(args.latency, child), daemon=True)
    server.start()
    url = f"http://127.0.0.1:{conn.recv()}/v1"
    lines = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = fresh_project(Path(tmp))
            save_library(root, copies_library(args.count))
            report = Path(tmp) / "run.json"
            flags = ["--model", "openai/fake-model", "--api-base", url, "-q", "--json", str(report)]
            conn.send("timeline")
            _, server_cpu = conn.recv()
            started = time.time()
            timed = studio("run-all", str(root), "--concurrency", str(args.concurrency),
                           "--no-cache", *flags, every=0.1)
            ended = time.time()
            conn.send("timeline")
            timeline, server_cpu_after = conn.recv()
            got = analyse(timeline, started, ended)
            turns, conversations = agent_turns(report)
            calls = agent_calls(timeline)
            per_turn = calls / max(turns, 1)
            print(f"run-all: {timed.stdout.strip().splitlines()[-1]} (exit {timed.code}) in "
                  f"{timed.wall:.2f} s wall; CPU {timed.cpu_s:.1f} s for studio and its workers "
                  f"(>=, read every 0.1 s), {server_cpu_after - server_cpu:.1f} s for the server; "
                  f"{1000 * timed.cpu_s / max(got['requests'], 1):.1f} ms of studio CPU per "
                  "request")
            if timed.code not in (0, 1):
                print(timed.stderr[-2000:])
            print(f"server: {got['requests']} requests ({got['distinct']} distinct) over "
                  f"{got['span']:.2f} s, {got['in_flight']:.1f} in flight on average; first "
                  f"{got['to_first']:.2f} s after start, exit {got['exit_after_last']:.2f} s "
                  f"after the last answer; {calls} agent calls for {turns} agent turns in "
                  f"{conversations} conversations ({per_turn:.2f} per turn; the first turn also "
                  f"routes: {(calls - conversations) / max(turns, 1):.2f} per turn without "
                  f"routing), {got['requests'] - calls} calls of the model-played customer and "
                  f"the judge; {got['identical_in_flight']} sent while an identical one was in "
                  "flight")
            cached_start = time.time()
            cached = studio("run-all", str(root), "--concurrency", str(args.concurrency), *flags,
                            sample_memory=False)
            conn.send("timeline")
            again = analyse(conn.recv()[0], cached_start, time.time())
            print(f"cached re-run: {cached.stdout.strip()} in {cached.wall:.2f} s, "
                  f"{again['requests']} requests")
            goal = 0.9 * args.concurrency
            lines += [
                row(f"model run-all at concurrency {args.concurrency}, {args.latency * 1000:.0f} ms "
                    "server: requests in flight", f"{got['in_flight']:.1f} on average",
                    f">= {goal:.1f}", got["in_flight"] >= goal),
                row("model run: time to first request / exit after last",
                    f"{got['to_first']:.2f} s / {got['exit_after_last']:.2f} s", "< 2 s / < 0.3 s",
                    got["to_first"] < 2 and got["exit_after_last"] < 0.3),
                row("model calls per agent turn", f"{per_turn:.2f} ({(calls - conversations) / max(turns, 1):.2f} "
                    "besides routing the first message)", "at most 2", per_turn <= 2),
                row("identical requests in flight together",
                    f"{got['identical_in_flight']} sent ({got['requests']} requests for "
                    f"{got['distinct']} distinct)", "one sent, the rest wait for it",
                    got["identical_in_flight"] == 0),
                row("cached re-run", f"{again['requests']} requests", "none",
                    again["requests"] == 0)]
    finally:
        conn.send("stop")
        server.join(timeout=5)
    print()
    print("| what | now | goal (DESIGN.md §7) |")
    print("|---|---|---|")
    print("\n".join(lines))
    print(machine_note())
    return 0


if __name__ == "__main__":
    sys.exit(main())
