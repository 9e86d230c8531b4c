"""Round-trip cost of one code snippet through the sandbox worker.

Run: python tests/benchmarks/bench_sandbox.py [N]
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))   # the checkout this file is in, installed or not

from studio.runtime.sandbox import Sandbox  # noqa: E402

SNIPPETS = {
    "refund (DESIGN.md)": (
        "refund = round(order.total * (1.0 if has_photo else 0.5), 2)",
        {"order": {"total": 85.0, "status": "delivered", "hours_since_delivery": 3}, "has_photo": True},
    ),
    "loop + comprehension": (
        "skus = [line.sku for line in order.lines]\ntotal = 0\nfor line in order.lines:\n    total += line.price",
        {"order": {"lines": [{"sku": f"S{i}", "price": i * 1.5} for i in range(20)]}},
    ),
    "regex + datetime": (
        "import re, datetime\nm = re.search(r'FD-(\\d+)', text)\ncode = m.group(1) if m else None\n"
        "due = datetime.date(2024, 1, 1) + datetime.timedelta(days=3)",
        {"text": "It's FD-123456, photo attached"},
    ),
    "blocked (import os)": ("import os", {}),
}


def measure(box: Sandbox, code: str, variables: dict, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        result = box.run(code, variables)
        times.append((time.perf_counter() - start) * 1000.0)
        assert result.status in ("ok", "blocked"), result
    return times


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with Sandbox() as box:
        start = time.perf_counter()
        box.run("x = 1", {})
        print(f"worker start + first snippet: {(time.perf_counter() - start) * 1000:.1f} ms")
        for name, (code, variables) in SNIPPETS.items():
            times = sorted(measure(box, code, variables, n))
            print(
                f"{name:24s} mean {statistics.fmean(times):.3f} ms  "
                f"p50 {times[len(times) // 2]:.3f} ms  p99 {times[int(len(times) * 0.99)]:.3f} ms  (n={n})"
            )
        start = time.perf_counter()
        box.run("while True:\n    pass", {}, timeout=0.2)
        box.run("x = 1", {})
        print(f"timeout 0.2 s + restart + next snippet: {(time.perf_counter() - start) * 1000:.1f} ms")

    with Sandbox(max_workers=2) as box:
        code, variables = SNIPPETS["refund (DESIGN.md)"]
        box.run(code, variables)
        threads = [threading.Thread(target=measure, args=(box, code, variables, n // 4)) for _ in range(4)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        print(f"4 threads, 2 workers: {n / elapsed:,.0f} snippets/s")


if __name__ == "__main__":
    main()
