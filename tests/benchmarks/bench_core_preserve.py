"""Benchmark: saving a 300-step procedure onto its hand-written file (target: well
under 100 ms per save), against the plain dump it replaces.

Run: /work/venv/bin/python tests/benchmarks/bench_core_preserve.py
"""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from studio.core.procedure import Procedure
from studio.core.project import load_project
from studio.core.yaml_io import dump_yaml, model_to_yaml, save_model


def _long_procedure_text(blocks: int) -> str:
    """About 10 steps per block, conditions included, with comments and flow style."""
    out = ["# A long hand-written procedure\nschema: procedure/v1\nid: long\ntitle: Long procedure\nsteps:\n"]
    for b in range(blocks):
        out.append(
            f"  # block {b}\n"
            f"  - id: ask-{b}\n    kind: instruction\n"
            f"    text: Ask the customer about detail number {b} and note it down carefully.\n"
            f"    collect: [order_id]\n"
            f"  - id: look-{b}\n    kind: connector\n    connector: get_order\n"
            f"    inputs: {{order_id: \"{{{{ order_id }}}}\"}}\n    save_as: order\n"
            f"  - {{id: calc-{b}, kind: code, code: \"x{b} = {b} * 2\"}}\n"
            f"  - id: cond-{b}\n    kind: condition\n    branches:\n"
            f"      - when: order.total > {b}\n        steps:\n"
            f"          - {{id: in-{b}, kind: instruction, text: Explain the total.}}\n"
            f"          - {{id: kb-{b}, kind: knowledge, article: refund-policy}}\n"
            f"          - {{id: ok-{b}, kind: checkpoint, mode: approval, note: \"ok?\"}}   # ask first\n"
            f"      - when: else\n        steps:\n"
            f"          - {{id: sub-{b}, kind: subprocedure, procedure: complaints}}\n"
            f"          - {{id: say-{b}, kind: instruction, text: Say thanks.}}\n"
            f"  - id: next-{b}\n    kind: instruction\n    text: Continue.\n")
    out.append("  - id: finish\n    kind: end\n    outcome: resolved   # explicit default\n    say: Bye!\n")
    return "".join(out)


def _timed(fn, repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    root = Path(tempfile.mkdtemp()) / "p"
    (root / "procedures").mkdir(parents=True)
    (root / "studio.yaml").write_text("schema: studio/v1\nname: Bench\n", encoding="utf-8")
    text = _long_procedure_text(30)
    path = root / "procedures" / "long.yaml"
    path.write_text(text, encoding="utf-8")
    project = load_project(root)
    procedure: Procedure = project.procedures["long"]
    print(f"{len(procedure.all_steps())} steps, {len(text.splitlines())} lines")
    model_to_yaml(procedure, text)                       # warm up (imports ruamel)

    edited = procedure.model_copy(deep=True)
    edited.find_step("in-15").text = "Explain the total, slowly."
    moved = procedure.model_copy(deep=True)
    moved.steps.insert(3, moved.steps.pop(40))
    deleted = procedure.model_copy(deep=True)
    del deleted.steps[10:20]
    figures = {
        "plain dump (what saving did before)": lambda: dump_yaml(procedure.to_data()),
        "save unchanged": lambda: model_to_yaml(procedure, text),
        "save with one nested step edited": lambda: model_to_yaml(edited, text),
        "save with one step moved": lambda: model_to_yaml(moved, text),
        "save with ten steps deleted": lambda: model_to_yaml(deleted, text),
        "save_model to disk (one step edited)": lambda: (path.write_text(text, encoding="utf-8"),
                                                         save_model(edited, path)),
    }
    for name, fn in figures.items():
        print(f"{name:40s} {_timed(fn):7.1f} ms (median)   target < 100 ms")


if __name__ == "__main__":
    main()
