"""`studio run-all` starts its workers' fork server before it imports the engine, the
models and the library, so the server's imports run on the other core meanwhile (start-up
is most of a 1,000-simulation run's wall time); a project that names a model does not get
an offline server."""
from __future__ import annotations

import subprocess
import sys

SPY = """
import sys
from studio.library import run_pool
seen = []
real = run_pool.warm_up

def spy(**kwargs):
    seen.append((kwargs.get("model"), sorted(m for m in ("pydantic", "sqlite_utils", "ruamel",
        "studio.core.project", "studio.library.library") if m in sys.modules)))
    return real(**kwargs)

run_pool.warm_up = spy
from studio.cli import main
code = main(sys.argv[1:])
print(seen[0] if seen else "not started")
run_pool.stop_server()
"""


def _first_warm_up(*argv: str) -> str:
    done = subprocess.run([sys.executable, "-c", SPY, *argv], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_the_fork_server_starts_before_the_engine_and_library_are_imported(sample_copy):
    root = sample_copy("food-delivery")
    # studio.yaml is read (ruamel) to learn the engine; nothing else is loaded yet
    assert _first_warm_up("run-all", str(root), "-q") == "(False, ['ruamel'])"
    assert _first_warm_up("run-all", str(root), "-q", "--model", "offline") == "(False, [])"


def test_a_project_that_names_a_model_gets_no_offline_server_first(sample_copy):
    root = sample_copy("food-delivery")
    settings = root / "studio.yaml"
    settings.write_text(settings.read_text().replace("name: offline", "name: ollama_chat/x"))
    assert "name: ollama_chat/x" in settings.read_text()
    # the model's server (with its client imported) starts once the project is loaded;
    # --tag nothing ends the command right after that, before any model call
    model, _loaded = eval(_first_warm_up("run-all", str(root), "-q", "--tag", "nothing"))
    assert model is True
    assert _first_warm_up("run-all", str(root), "-q", "--model", "offline") == "(False, [])"


def test_a_warmed_up_sandbox_runs_the_first_snippet_in_the_worker_it_started():
    """Run-all's workers start the snippet sandbox beside their first simulations
    (run_pool.uses_snippets), so the first code step does not wait for a process start."""
    from studio.runtime.sandbox import Sandbox
    sandbox = Sandbox(max_workers=1)
    try:
        sandbox.warm_up()
        started = sandbox.worker_pids()
        assert len(started) == 1
        result = sandbox.run("x = 1 + 1", {})
        assert result.status == "ok" and result.assigned == {"x": 2}
        assert sandbox.worker_pids() == started
    finally:
        sandbox.close()


def test_only_projects_with_code_steps_warm_up_a_sandbox(tmp_path):
    from library_fakes import make_project
    from studio.core.project import load_project
    from studio.library.run_pool import uses_snippets
    from conftest import SAMPLES
    assert uses_snippets(load_project(SAMPLES / "food-delivery", simulations=False))
    assert not uses_snippets(load_project(make_project(tmp_path / "proj", 1),
                                          simulations=False))
