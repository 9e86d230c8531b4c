"""Benchmark: model run-all through the CLI against a local OpenAI-compatible server with
100 ms latency, start-up and exit included.

The fake server (tests/fake_openai.py, answering like the offline engine so the
simulations pass) runs in its own process, as a local model server would, and
records when each request arrived and was answered. From that timeline, on a library
of distinct conversations (first messages included: bench_kit.opening): requests in
flight on average (concurrency 16: goal at least 14.4), time from starting `studio
run-all` to its first request and from the last answer to its exit, the agent's model
calls per agent turn, what a cached re-run sends (nothing); on a library of renamed
copies: identical requests that were sent while one was in flight (--no-cache). CPU
of studio, its workers and the server too.

    python tests/benchmarks/bench_model_concurrency.py [--count 320] [--latency 0.1]
        [--concurrency 16] [--shared-openings]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("PROCEDURE_STUDIO_CONFIG_DIR", tempfile.mkdtemp(prefix="bench-user-"))

from bench_kit import (base_simulations, copies_library, distinct_library, fresh_project,  # noqa: E402
                       print_table, row, save_library, studio)


def _serve(latency: float, conn) -> None:
    """Child process: the fake server, recording (arrived, answered, request key)."""
    from fake_openai import FakeOpenAI
    from fake_openai_agent import agent_responder

    class Timeline(FakeOpenAI):
        """Stamps a request's answer when it starts going out (the thread that sends it
        may be descheduled before it could stamp it afterwards, and a request sent once
        the client had the answer would then look as if sent while it was in flight)."""
        answering = threading.local()

        def _handle(self, handler) -> None:
            arrived = time.time()
            Timeline.answering.at, Timeline.answering.body = None, {}
            super()._handle(handler)
            answered = Timeline.answering.at or time.time()
            with self._lock:
                timeline.append((arrived, answered,
                                 json.dumps(Timeline.answering.body, sort_keys=True)))

        def _next_reply(self, body):
            Timeline.answering.body = body      # this thread's request (others run meanwhile)
            return super()._next_reply(body)

        @staticmethod
        def _send(handler, status, text, headers) -> None:
            Timeline.answering.at = time.time()
            FakeOpenAI._send(handler, status, text, headers)

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
    edges = sorted([(a, 1) for a, _, _ in timeline] + [(b, -1) for _, b, _ in timeline],
                   key=lambda edge: (edge[0], edge[1]))      # an answer before a new arrival
    most = now = 0
    for _, step in edges:
        now += step
        most = max(most, now)
    return {"requests": len(timeline), "distinct": len(by_key), "in_flight": busy / (last - first),
            "most_in_flight": most,
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
    parser.add_argument("--count", type=int, default=320)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--shared-openings", action="store_true",
                        help="the distinct conversations of a scenario keep its first message "
                        "(as before the openings were made distinct: their first requests are "
                        "then identical, and sent once)")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    conn, child = context.Pipe()
    server = context.Process(target=_serve, args=(args.latency, child), daemon=True)
    server.start()
    url = f"http://127.0.0.1:{conn.recv()}/v1"
    lines = []

    def run(root: Path, report: Path, *extra: str):
        """One `studio run-all` against the server: its timing and the server's timeline."""
        flags = ["--model", "openai/fake-model", "--api-base", url, "-q", "--json", str(report)]
        conn.send("timeline")
        _, server_cpu = conn.recv()
        started = time.time()
        timed = studio("run-all", str(root), "--concurrency", str(args.concurrency), *flags,
                       *extra, every=0.1)
        ended = time.time()
        conn.send("timeline")
        timeline, server_cpu_after = conn.recv()
        if timed.code not in (0, 1):
            print(timed.stderr[-2000:])
        return timed, timeline, analyse(timeline, started, ended), server_cpu_after - server_cpu

    try:
        with tempfile.TemporaryDirectory() as tmp:
            # distinct conversations: what a team's library is, and no request to share
            root = fresh_project(Path(tmp) / "distinct")
            save_library(root, distinct_library(args.count, failing=0,
                                               openings=not args.shared_openings)[0])
            report = Path(tmp) / "run.json"
            timed, timeline, got, server_cpu = run(root, report, "--no-cache")
            turns, conversations = agent_turns(report)
            calls = agent_calls(timeline)
            per_turn = calls / max(turns, 1)
            per_turn_own = (calls - conversations) / max(turns, 1)      # routing aside
            print(f"run-all, {args.count} distinct conversations: "
                  f"{timed.stdout.strip().splitlines()[-1]} (exit {timed.code}) in "
                  f"{timed.wall:.2f} s wall; CPU {timed.cpu_s:.1f} s for studio and its workers "
                  f"(>=, read every 0.1 s), {server_cpu:.1f} s for the server; "
                  f"{1000 * timed.cpu_s / max(got['requests'], 1):.1f} ms of studio CPU per "
                  "request, start-up included")
            print(f"server: {got['requests']} requests ({got['distinct']} distinct, "
                  f"{got['identical_in_flight']} sent while an identical one was in flight) "
                  f"over {got['span']:.2f} s, "
                  f"{got['in_flight']:.1f} in flight on average (at most {got['most_in_flight']} "
                  f"at once); first {got['to_first']:.2f} s "
                  f"after start, exit {got['exit_after_last']:.2f} s after the last answer; "
                  f"{calls} agent calls for {turns} agent turns in {conversations} "
                  f"conversations ({per_turn:.2f} per turn; the first turn also routes: "
                  f"{per_turn_own:.2f} per turn besides routing), "
                  f"{got['requests'] - calls} calls of the model-played customer and the judge")
            cached_timed, _, again, _ = run(root, report)
            print(f"cached re-run: {cached_timed.stdout.strip().splitlines()[-1]} in "
                  f"{cached_timed.wall:.2f} s, {again['requests']} requests")
            # renamed copies: the same conversations many times over, all at once
            copies = fresh_project(Path(tmp) / "copies")
            save_library(copies, copies_library(args.count))
            _, _, shared, _ = run(copies, report, "--no-cache")
            print(f"copies: {shared['requests']} requests ({shared['distinct']} distinct) for "
                  f"{args.count} renamed copies of {len(base_simulations()[1])} conversations; "
                  f"{shared['identical_in_flight']} sent while an identical one was in flight")
            goal = 0.9 * args.concurrency
            lines += [
                row(f"model run-all at concurrency {args.concurrency}, {args.latency * 1000:.0f} ms "
                    "server: requests in flight", f"{got['in_flight']:.1f} on average, "
                    f"{got['most_in_flight']} at most",
                    f">= {goal:.1f}", got["in_flight"] >= goal),
                row("model run: time to first request / exit after last",
                    f"{got['to_first']:.2f} s / {got['exit_after_last']:.2f} s", "< 2 s / < 0.3 s",
                    got["to_first"] < 2 and got["exit_after_last"] < 0.3),
                # the "3, sequential (switch check, extraction, reply)" counts a
                # turn's own calls; routing is one call more per conversation, on its first
                # message (before the openings were distinct, identical first turns were
                # sent once and hid part of the turns' calls: 1.54 per turn with routing)
                row("model calls per agent turn (a conversation's first message is also "
                    "routed: one call more)", f"{per_turn_own:.2f} ({per_turn:.2f} with "
                    "routing)", "at most 2", per_turn_own <= 2),
                row("identical requests in flight together",
                    f"{shared['identical_in_flight']} sent ({shared['requests']} requests for "
                    f"{shared['distinct']} distinct, --no-cache)",
                    "one sent, the rest wait for it", shared["identical_in_flight"] == 0),
                row("cached re-run", f"{again['requests']} requests", "none",
                    again["requests"] == 0)]
    finally:
        conn.send("stop")
        server.join(timeout=5)
    print_table(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
