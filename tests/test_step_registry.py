"""Every step kind is one complete registry entry that the rest of the app reads."""
from __future__ import annotations

import re
import typing
from importlib.resources import files
from pathlib import Path

from studio.core.step_registry import resolve, spec_of, step_kinds
from studio.core.steps import STEP_KINDS
from studio.document.tree_ops import new_step

ICONS = Path(str(files("studio") / "resources" / "icons"))
WIDGETS = {"text", "template", "expression", "line", "choice", "names", "count", "code",
           "branches", "inputs"}


def test_every_kind_of_the_format_is_registered_in_order():
    assert step_kinds()[: len(STEP_KINDS)] == STEP_KINDS


def test_every_registered_kind_is_complete():
    for kind in step_kinds():
        spec = spec_of(kind)
        assert typing.get_args(spec.model.model_fields["kind"].annotation) == (kind,), kind
        assert spec.label and spec.short_label and spec.guide, kind
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", spec.color), kind
        assert (ICONS / f"{spec.icon}.svg").is_file(), kind
        step = new_step(kind, [])                      # the defaults make a valid step
        assert step.kind == kind and isinstance(spec.summary(step), str)
        for f in spec.inspector:
            assert f.name in spec.model.model_fields, (kind, f.name)
            assert f.widget in WIDGETS, (kind, f.widget)
            assert f.choices_from in (None, "connectors", "knowledge", "other-procedures")
        assert callable(resolve(spec.handler)), kind
        if spec.check is not None:
            assert callable(resolve(spec.check)), kind


def test_threads_asking_for_the_kinds_at_once_all_see_every_kind():
    """Run-all's threads reach the registry together on their first step: none may see it
    half-filled (that ended simulations in a false `KeyError: 'instruction'`)."""
    import subprocess
    import sys
    script = """
import sys, threading
sys.setswitchinterval(1e-6)
from studio.core import step_registry
barrier, seen = threading.Barrier(8), []
def ask():
    barrier.wait()
    try:
        seen.append(step_registry.spec_of("instruction").kind)
    except KeyError as exc:
        seen.append(f"missing {exc}")
threads = [threading.Thread(target=ask) for _ in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
print(",".join(seen))
"""
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             check=True).stdout.strip()
        assert out.split(",") == ["instruction"] * 8
