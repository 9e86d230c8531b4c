"""Helpers for the library tests: a tiny project on disk and a deterministic fake runner.

The fake runner decides from the simulation's tags, so tests control outcomes
without depending on the engine: tag `fail` fails (a failed `outcome`
expectation), `error` errors, `flaky` fails on odd repeat indexes, `slow`
sleeps a little (for kill and cancel tests).
"""
from __future__ import annotations

import textwrap
import threading
import time
from pathlib import Path

from studio.simulate.result import ExpectationResult, SimulationResult, StepCoverage

PROCEDURE = """\
schema: procedure/v1
id: refund
title: Refund
trigger: {description: refund, examples: ["i want a refund"]}
steps:
  - {id: ask, kind: instruction, text: Ask for the order.}
  - id: check
    kind: condition
    branches:
      - when: "1 == 1"
        steps:
          - {id: pay, kind: end, outcome: resolved}
      - when: "2 == 2"
        steps:
          - {id: late, kind: end, outcome: handoff}
"""


def make_project(root: Path, simulations: dict[str, list[str]] | int = 6) -> Path:
    """A project with one procedure and simulations named sim-XX (tags per name)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "studio.yaml").write_text("schema: studio/v1\nname: Test\n")
    (root / "procedures").mkdir(exist_ok=True)
    (root / "procedures" / "refund.yaml").write_text(PROCEDURE)
    (root / "simulations").mkdir(exist_ok=True)
    if isinstance(simulations, int):
        simulations = {f"sim-{i:02d}": [] for i in range(simulations)}
    for name, tags in simulations.items():
        write_simulation(root, name, tags)
    return root


def write_simulation(root: Path, name: str, tags: list[str], text: str = "I want a refund") -> Path:
    path = root / "simulations" / f"{name}.yaml"
    path.write_text(textwrap.dedent(f"""\
        schema: simulation/v1
        name: {name}
        procedure: refund
        tags: [{", ".join(tags)}]
        customer:
          script: ["{text}"]
        expect:
          outcome: resolved
        """))
    return path


class FakeRunner:
    def __init__(self, delay: float = 0.0):
        self.calls: list[tuple[str, int]] = []
        self.delay = delay
        self._lock = threading.Lock()

    def __call__(self, project, simulation, *, options, cancel=None) -> SimulationResult:
        with self._lock:
            self.calls.append((simulation.name, options.repeat_index))
        if self.delay or "slow" in simulation.tags:
            time.sleep(self.delay or 0.05)
        return fake_result(simulation.name, simulation.tags, options.repeat_index)


def fake_result(name: str, tags: list[str], repeat_index: int = 0) -> SimulationResult:
    fails = "fail" in tags or ("flaky" in tags and repeat_index % 2 == 1)
    if "error" in tags:
        return SimulationResult(simulation=name, procedure="refund", status="error",
                                error="connector get_order crashed", duration_ms=3.0)
    outcome = "handoff" if fails else "resolved"
    expectation = ExpectationResult(
        type="outcome", status="fail" if fails else "pass", expected="resolved", actual=outcome,
        message=f"expected outcome resolved, got {outcome}" if fails else "outcome is resolved")
    return SimulationResult(
        simulation=name, procedure="refund", triggered="refund",
        status="failed" if fails else "passed", outcome=outcome, turns=2,
        duration_ms=10.0 + repeat_index, expectations=[expectation],
        transcript=[{"role": "customer", "text": "I want a refund", "turn": 1}],
        trace=[{"type": "step_entered", "procedure": "refund", "step": "ask"}],
        coverage={"refund": StepCoverage(steps=["ask", "check", "late" if fails else "pay"],
                                         branches=["check#1" if fails else "check#0"])})
