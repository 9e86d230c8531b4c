"""A flaky model provider for tests and benchmarks: a FakeOpenAI responder that
answers like the offline engine (fake_openai_agent) except that one structured
answer in `every` parses as JSON but does not fit its schema: `{}`, a wrong
type, a missing field, an id that does not exist.

DESIGN.md section 4: such an answer is retried, then the simulation is
`error`; it is never read as "no procedure fits" or "not extracted", so it
never turns a passing simulation into a failed one.
"""
from __future__ import annotations

import itertools
import json
import threading
from pathlib import Path
from typing import Any, Callable

from fake_openai_agent import agent_responder

SAMPLES = Path(__file__).resolve().parent.parent / "sample_projects"

# Answers that parse but fit no schema of the engine (route, switch, extract, reply),
# the customer or the judge. Each is checked by test_llm_strict_answers.py.
MALFORMED = (
    "{}",
    json.dumps({"reasoning": "looks fine", "procedure": "no-such-procedure", "rule": 99,
                "reply": ["not", "text"], "message": 5, "results": "all good"}),
    json.dumps({"reasoning": 42}),
    json.dumps({"reasoning": "typed wrong", "procedure": 7, "rule": "first", "reply": None,
                "has_photo": "maybe", "order_id": 12, "message": None, "results": None}),
)


class Flaky:
    """`agent_responder`, but every `every`-th request gets a malformed answer."""

    def __init__(self, every: int = 3, base: Callable[[dict], Any] = agent_responder):
        self.every = every
        self.base = base
        self.calls = 0
        self.malformed = 0
        self._lock = threading.Lock()
        self._variants = itertools.cycle(MALFORMED)

    def __call__(self, body: dict) -> Any:
        with self._lock:
            self.calls += 1
            bad = self.every and self.calls % self.every == 0
            if bad:
                self.malformed += 1
                return next(self._variants)
        return self.base(body)


def sample_simulations() -> list[tuple[str, str]]:
    """(sample project, simulation file stem) of every bundled sample simulation."""
    return sorted((p.parent.parent.name, p.stem) for p in SAMPLES.glob("*/simulations/*.yaml"))


def run_samples(api_base: str, workdir: Path, *, retries: int = 2,
                samples: list[str] | None = None) -> dict[str, list[tuple[str, str]]]:
    """Run every sample simulation on the model engine at `api_base`; results by status.

    Each sample is copied into `workdir` first (the model cache lives beside the
    library). Returns {"passed": [(sample, name)], "failed": [...], "error": [...]}."""
    import shutil

    from studio.core.project import load_project
    from studio.runtime.options import RunOptions
    from studio.simulate.runner import run_simulation

    by_status: dict[str, list[tuple[str, str]]] = {}
    for sample in samples or sorted({s for s, _ in sample_simulations()}):
        target = workdir / sample
        if not target.exists():
            shutil.copytree(SAMPLES / sample, target, ignore=shutil.ignore_patterns("library.sqlite*"))
        project = load_project(target)
        project.settings.model.retries = retries
        options = RunOptions(model="openai/fake-model", api_base=api_base, no_cache=True)
        for simulation in project.simulations.values():
            result = run_simulation(project, simulation, options=options)
            by_status.setdefault(result.status, []).append((sample, simulation.name))
    return by_status
