"""Benchmark: validating a 300-step procedure as the user types (target well under 100 ms).

Run: /work/venv/bin/python tests/benchmarks/bench_validate.py
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))   # the checkout this file is in, installed or not

from studio.core.project import load_project  # noqa: E402
from studio.core.validate import validate_procedure, validate_project  # noqa: E402


def big_procedure(steps: int = 300) -> str:
    lines = ["schema: procedure/v1", "id: big", "title: Big", "variables:",
             "  order_id: {type: string, pattern: 'FD-\\d{6}'}", "  has_photo: {type: boolean}",
             "steps:"]
    for i in range(0, steps, 6):
        lines += [
            f"  - {{id: ask-{i}, kind: instruction, text: 'Ask {{{{ order_id }}}}', collect: [order_id]}}",
            f"  - {{id: code-{i}, kind: code, code: 'refund_{i} = round(order.total * (1.0 if has_photo else 0.5), 2)'}}",
            f"  - id: cond-{i}",
            "    kind: condition",
            "    branches:",
            f"      - when: order.status == 'delivered' and refund_{i} > 10",
            "        steps:",
            f"          - {{id: note-{i}, kind: checkpoint, mode: approval, when: refund_{i} > 50, note: 'Refund {{{{ refund_{i} }}}}'}}",
            f"          - {{id: look-{i}, kind: instruction, text: 'Say {{{{ upper(order_id) }}}}'}}",
            "      - when: else",
            "        steps:",
            f"          - {{id: other-{i}, kind: instruction, text: 'Other'}}",
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "procedures").mkdir()
        (root / "studio.yaml").write_text("schema: studio/v1\nname: Bench\n")
        (root / "procedures" / "big.yaml").write_text(big_procedure())
        project = load_project(root)
        count = len(project.procedures["big"].all_steps())
        validate_procedure(project, "big")            # warm caches once, as the editor would
        runs = 50
        start = time.perf_counter()
        for _ in range(runs):
            validate_procedure(project, "big")
        per = (time.perf_counter() - start) / runs * 1000
        start = time.perf_counter()
        problems = validate_project(project)
        whole = (time.perf_counter() - start) * 1000
        print(f"validate_procedure: {count} steps, {per:.1f} ms per run (target < 100 ms)")
        print(f"validate_project: {whole:.1f} ms, {len(problems)} problems")
        return 0 if per < 100 else 1


if __name__ == "__main__":
    sys.exit(main())
