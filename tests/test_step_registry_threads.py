"""The step-kind registry fills itself once, also when threads ask at the same moment
(run-all's threads did, and some simulations ended in `error`: KeyError 'instruction')."""
from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json, threading
from studio.core import step_registry
barrier = threading.Barrier(8)
errors = []
def ask():
    barrier.wait()
    try:
        step_registry.spec_of("instruction")
    except Exception as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=ask) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps(errors))
"""


def test_threads_asking_a_fresh_registry_at_once_all_find_the_builtin_kinds():
    for _ in range(2):          # a fresh interpreter each time: the registry is not filled yet
        done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                              timeout=120, check=True)
        assert json.loads(done.stdout) == []
