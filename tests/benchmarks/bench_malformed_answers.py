"""Benchmark: a flaky model provider, one structured answer in three malformed.

Runs every bundled sample simulation on the model engine against
tests/fake_openai.py answering like the offline engine, except that every
third answer parses as JSON but fits no schema (`{}`, wrong types, missing
fields, an unknown procedure id). DESIGN.md section 4: such an answer is
retried, then the simulation is `error`; it is never a `fail`. A false fail is
a simulation that passes with a well-behaved model and fails with the flaky one.
The well-behaved run is printed too: one card-payments simulation fails there, since
the fake model reads no amount from a statement screenshot (only photo yes/no).

    python tests/benchmarks/bench_malformed_answers.py [--every 3] [--retries 2]

`false_fails()` is importable (tests/benchmarks/bench_hostile.py reports it too).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("PROCEDURE_STUDIO_CONFIG_DIR", tempfile.mkdtemp(prefix="bench-user-"))
# the fake model sees the samples' photos, as tests/llm_kit.py declares for the tests
_SETTINGS = Path(os.environ["PROCEDURE_STUDIO_CONFIG_DIR"]) / "settings.yaml"
if not _SETTINGS.exists():
    _SETTINGS.write_text("model: {vision: true}\n")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

from fake_openai import FakeOpenAI  # noqa: E402
from malformed_kit import Flaky, run_samples  # noqa: E402


def false_fails(every: int = 3, retries: int = 2) -> dict:
    """Run the samples with a clean and a flaky model; count what the flaky one broke."""
    with FakeOpenAI(responder=Flaky(every=0)) as server:
        clean = run_samples(server.url, Path(tempfile.mkdtemp(prefix="bench-clean-")), retries=retries)
    flaky = Flaky(every=every)
    started = time.perf_counter()
    with FakeOpenAI(responder=flaky) as server:
        hostile = run_samples(server.url, Path(tempfile.mkdtemp(prefix="bench-flaky-")), retries=retries)
    passed = set(clean.get("passed", []))
    return {
        "simulations": sum(len(v) for v in hostile.values()),
        "calls": flaky.calls, "malformed": flaky.malformed,
        "false_fails": sorted(set(hostile.get("failed", [])) & passed),
        "errors": len(hostile.get("error", [])),
        "passed": len(hostile.get("passed", [])),
        "seconds": time.perf_counter() - started,
        # the baseline: what fails with the well-behaved model is not the flaky one's doing
        "clean_passed": len(passed), "clean_not_passed": sorted(
            (status, sample, name) for status, found in clean.items() if status != "passed"
            for sample, name in found),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=3, help="one answer in N is malformed")
    parser.add_argument("--retries", type=int, default=2, help="the model's retries")
    args = parser.parse_args()
    found = false_fails(args.every, args.retries)
    rate = round(100 / args.every)
    print(f"simulations: {found['simulations']}, model calls: {found['calls']}, "
          f"malformed answers: {found['malformed']}, passed: {found['passed']}, "
          f"errors (retries exhausted): {found['errors']}, {found['seconds']:.1f} s")
    print(f"with a well-behaved model: {found['clean_passed']} passed"
          + "".join(f"; {status}: {sample}: {name}" for status, sample, name in found["clean_not_passed"]))
    for sample, name in found["false_fails"]:
        print(f"  false fail: {sample}: {name}")
    print(f"false fails under malformed model answers at a {rate}% rate: {len(found['false_fails'])}")
    return 1 if found["false_fails"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
