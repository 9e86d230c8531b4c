"""Benchmark: import a generated file of 100,000 production conversations.

Writes the JSONL (plausible conversations with an email and a phone number each, so
redaction works on every one), imports it into a fresh copy of the food-delivery
sample in a child process, and prints the time and that process's peak memory
(ru_maxrss). Then imports a tenth of the file the same way: memory is flat when the
two peaks are close (the importer holds one batch, never the file).

    python tests/benchmarks/bench_conversations_import.py [--count 100000]
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from conversation_kit import fast_line  # noqa: E402

CHILD = """
import json, resource, sys, time
from studio.flywheel.importer import import_files
from studio.library import Library
started = time.perf_counter()
with Library.open(sys.argv[1]) as library:
    summary = import_files(library, [sys.argv[2]])
print(json.dumps({"seconds": time.perf_counter() - started, "added": summary.added,
                  "redacted": summary.redacted,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(count: int, workdir: Path) -> dict:
    project = workdir / f"project-{count}"
    shutil.copytree(ROOT / "sample_projects" / "food-delivery", project,
                    ignore=shutil.ignore_patterns("library.sqlite*"))
    data = workdir / f"conversations-{count}.jsonl"
    with open(data, "w", encoding="utf-8") as handle:
        for i in range(count):
            handle.write(fast_line(i) + "\n")
    out = subprocess.run([sys.executable, "-c", CHILD, str(project), str(data)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    figures = json.loads(out.stdout)
    figures["file_mb"] = data.stat().st_size / 1e6
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small = run(max(args.count // 10, 1), Path(tmp))
        big = run(args.count, Path(tmp))
    for name, fig in (("tenth", small), ("full", big)):
        print(f"{name:>5}: {fig['added']:>7} conversations ({fig['file_mb']:.0f} MB) imported in "
              f"{fig['seconds']:.1f} s, peak memory {fig['peak_mb']:.0f} MB, "
              f"redacted {fig['redacted']}")
    print(f"peak memory ratio full/tenth: {big['peak_mb'] / small['peak_mb']:.2f} "
          "(flat: close to 1)")


if __name__ == "__main__":
    main()
