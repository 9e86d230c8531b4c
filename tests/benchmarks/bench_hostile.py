"""Benchmark: hostile inputs against every door a project file, a customer or a model
has into Studio (issue 11). Prints how many were tried, how many ended in a clear
error, tracebacks (0), hangs (0), the peak memory of the worst input, and the false
fails under malformed model answers at a 33% rate (tests/benchmarks/bench_malformed_answers.py).

    python tests/benchmarks/bench_hostile.py [--examples 300] [--skip-model]

Inputs: the issue's own reproductions (a 1,000-term snippet, a 500-deep file, an
alias bomb, 10 GB expressions, "%2000000000d", 5,000-digit numbers, ...), deep JSON
conversations and connector responses, and the fuzz suite's generators
(tests/fuzz_kit.py) drawn --examples times per door.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

from hypothesis import Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import fuzz_kit as fk  # noqa: E402
from studio.core.expressions import ExpressionError, evaluate  # noqa: E402
from studio.core.procedure import Procedure, Variable  # noqa: E402
from studio.core.project import model_from_text  # noqa: E402
from studio.core.simulation import Simulation  # noqa: E402
from studio.core.snippets import analyze_snippet  # noqa: E402
from studio.runtime.render import render  # noqa: E402
from studio.llm.structured import MalformedOutput, model_for_variables, parse_reply  # noqa: E402
from studio.runtime.extraction import extract_value  # noqa: E402
from studio.runtime.http_calls import _read as read_response  # noqa: E402
from studio.runtime.sandbox import Sandbox  # noqa: E402

HUGE = '["a"*100000]*100000'
ISSUE_INPUTS: list[tuple[str, str, Any]] = [
    ("snippet", "x = " + "+".join(["1"] * 1000), None),
    ("yaml", "steps:\n  - " + "[" * 500 + "]" * 500, Procedure),
    ("yaml", "".join([f"l0: &l0 [{', '.join(['x'] * 9)}]\n"]
             + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9)]), Simulation),
    ("yaml", "a: &a [*a]\n", Simulation),
    ("expression", f"len(lower({HUGE})) > 0", None),
    ("expression", f'matches({HUGE}, "a")', None),
    ("expression", '"%2000000000d" % 1', None),
    ("expression", "len(lower([big.note]*100000)) > 0", None),
    ("template", "Hi {{ lower([big.note]*100000) }}", None),
    ("template", '{{ "%2000000000d" % 1 }}', None),
    ("number", "7" * 5000, None),
    ("number", "9" * 400 + ".5", None),
    ("answer", '{"amount": 1e999}', None),
    ("sandbox", "import re\ntry:\n    s = re.enum\nexcept:\n    s = 'x'", None),
    ("sandbox", "blob = 'x' * 7000000", None),
    ("conversation", '{"id": "c", "messages": ' + "[" * 100_000 + "]" * 100_000 + "}", None),
    ("conversation", '{"id": "c", "messages": [], "customer": ' + '{"a": ' * 900 + "1" + "}" * 901, None),
    ("response", "[" * 100_000 + "]" * 100_000, None),
]

_ANSWER = model_for_variables({"amount": Variable(type="number"), "size": Variable(type="enum", options=["a"])},
                              reasoning="why")


class Tally:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.by_door: Counter[str] = Counter()
        self.tracebacks: list[str] = []
        self.hangs: list[str] = []
        self.worst = (0, "")

    def add(self, door: str, text: str, outcome: fk.Outcome) -> None:
        self.counts["tried"] += 1
        self.by_door[door] += 1
        label = f"{door}: {text[:70]!r}"
        if outcome.traceback is not None:
            self.tracebacks.append(f"{label} -> {type(outcome.traceback).__name__}: {outcome.traceback}")
        elif outcome.seconds >= fk.SECONDS:
            self.hangs.append(f"{label} ({outcome.seconds:.1f} s)")
        elif outcome.error is not None or _is_refusal(outcome.value):
            self.counts["clear errors"] += 1
        else:
            self.counts["valid results"] += 1
        if outcome.peak > self.worst[0]:
            self.worst = (outcome.peak, label)


def _is_refusal(value: Any) -> bool:
    """A load with problems, a snippet the sandbox blocked or stopped, a number left unread,
    a conversation record refused, a connector response refused."""
    if isinstance(value, list) and value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
        return any(why != "ok" for _line, why in value)                                 # conversations
    if isinstance(value, tuple) and len(value) == 2 and value[1] is not None and value[0] is None:
        return True                                                                     # a response
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[2], list):     # model_from_text
        return value[0] is None
    status = getattr(value, "status", None)
    if status is not None:
        return status in ("blocked", "error", "timeout")
    if isinstance(value, tuple) and len(value) == 2 and value[0] is None:               # extract_value
        return True
    info = value[0] if isinstance(value, tuple) and value else None
    return getattr(info, "error", None) is not None


def doors(sandbox: Sandbox) -> dict[str, tuple[Any, Callable[[Any], Callable[[], Any]], tuple]]:
    names = fk.NAMES
    return {
        "yaml": (st.tuples(fk.hostile_yaml, st.sampled_from([Procedure, Simulation])),
                 lambda item: lambda: model_from_text(item[1], item[0], "bench.yaml"), ()),
        "expression": (fk.hostile_expression, lambda text: lambda: evaluate(text, names), (ExpressionError,)),
        "template": (fk.template(), lambda text: lambda: render(text, names), (ExpressionError,)),
        "snippet": (fk.hostile_snippet, lambda code: lambda: (analyze_snippet(code),), ()),
        "number": (st.from_regex(r"[-+]?\d{1,6000}(\.\d{1,400})?", fullmatch=True),
                   lambda text: lambda: extract_value(text, Variable(type="number"), is_answer=True), ()),
        "answer": (st.text(max_size=60), lambda text: lambda: parse_reply(text, _ANSWER), (MalformedOutput,)),
        "sandbox": (fk.hostile_snippet.filter(lambda c: "while True" not in c),
                    lambda code: lambda: sandbox.run(code, {}, timeout=1.0), ()),
        "conversation": (fk.hostile_json, lambda text: lambda: fk.read_conversations(text), ()),
        "response": (fk.hostile_json, lambda text: lambda: read_response(text.encode("utf-8", "surrogatepass")),
                     ()),
    }


def run_issue_inputs(tally: Tally, sandbox: Sandbox) -> None:
    table = doors(sandbox)
    for door, text, kind in ISSUE_INPUTS:
        if door == "yaml":
            run = (lambda t=text, k=kind: model_from_text(k, t, "bench.yaml"))
        else:
            run = table[door][1](text)
        tally.add(door, text, fk.bounded(run, table[door][2] if door in table else ()))


def run_generated(tally: Tally, sandbox: Sandbox, examples: int) -> None:
    for door, (strategy, make, clear) in doors(sandbox).items():
        count = examples if door != "sandbox" else max(10, examples // 10)
        _draw(tally, door, strategy, make, clear, count)


def _draw(tally: Tally, door: str, strategy: Any, make: Callable, clear: tuple, count: int) -> None:
    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(fk.HealthCheck))
    @given(item=strategy)
    def one(item):
        tally.add(door, str(item), fk.bounded(make(item), clear))

    one()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300, help="generated inputs per door")
    parser.add_argument("--skip-model", action="store_true", help="leave out the malformed-answers run")
    args = parser.parse_args()
    tally = Tally()
    started = time.perf_counter()
    with Sandbox() as sandbox:
        run_issue_inputs(tally, sandbox)
        run_generated(tally, sandbox, args.examples)
    seconds = time.perf_counter() - started
    print(f"hostile inputs tried: {tally.counts['tried']} ("
          + ", ".join(f"{door} {n}" for door, n in tally.by_door.items()) + f") in {seconds:.1f} s")
    print(f"clear errors: {tally.counts['clear errors']}, valid results: {tally.counts['valid results']}")
    print(f"tracebacks: {len(tally.tracebacks)}")
    for line in tally.tracebacks[:10]:
        print(f"  {line}")
    print(f"hangs (over {fk.SECONDS:g} s): {len(tally.hangs)}")
    for line in tally.hangs[:10]:
        print(f"  {line}")
    print(f"peak memory of the worst input: {tally.worst[0] / 1e6:.1f} MB ({tally.worst[1]})")
    false_fails = None
    if not args.skip_model:
        from bench_malformed_answers import false_fails as malformed_run   # edgerules' benchmark
        found = malformed_run(every=3, retries=2)
        false_fails = len(found["false_fails"])
        print(f"false fails under malformed model answers at a 33% rate: {false_fails} "
              f"({found['simulations']} simulations, {found['malformed']} malformed answers, "
              f"{found['errors']} errors after retries)")
    return 1 if tally.tracebacks or tally.hangs or false_fails else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
