"""The runner: segments, concurrency, coverage, and every sample simulation."""
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from engine_kit import HAPPY, damaged_project, events, failures, run, sim
from studio.core.progress import Progress
from studio.core.project import load_project
from studio.simulate.coverage import coverage_universe, uncovered
from studio.simulate.customer import ScriptedCustomer, make_customer
from studio.runtime.options import RunOptions
from studio.simulate.runner import run_simulation

SAMPLES = Path(__file__).resolve().parent.parent / "sample_projects"
SAMPLE_NAMES = sorted(p.name for p in SAMPLES.iterdir() if (p / "studio.yaml").is_file()) if SAMPLES.is_dir() else []


def test_segment_attributes_become_customer_names(tmp_path):
    project = damaged_project(tmp_path, settings={"segments": {"vip": {"plan": "pro", "ltv": 2400}}})
    result = run(project, HAPPY | {"customer": HAPPY["customer"] | {"segment": "vip", "attributes": {"ltv": 1}}})
    assert events(result, "conversation_started")[0]["customer"] == {"plan": "pro", "ltv": 1}


def test_coverage_universe_and_uncovered(tmp_path):
    project = damaged_project(tmp_path)
    steps, branches = coverage_universe(project.procedures["damaged-order"])
    assert steps == ["ask-order", "lookup", "eligible", "amount", "approve", "pay", "done", "late"]
    assert branches == ["eligible#0", "eligible#1"]           # has else: no "#none"
    result = run(project, HAPPY)
    missing_steps, missing_branches = uncovered(project.procedures["damaged-order"],
                                                result.coverage["damaged-order"])
    assert missing_steps == ["approve", "late"] and missing_branches == ["eligible#1"]


def test_concurrent_runs_with_one_project_match_serial_runs(tmp_path):
    project = damaged_project(tmp_path)
    variants = [HAPPY | {"fixtures": {"connectors": {"get_order": {"status": "delivered", "total": t,
                                                                    "hours_since_delivery": h}}}}
                for t in (10, 42.5, 80, 600) for h in (1, 30)]
    serial = [run(project, v).model_dump(exclude={"duration_ms"}) for v in variants]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(lambda v: run(project, v).model_dump(exclude={"duration_ms"}), variants * 3))
    assert parallel == serial * 3


def test_cancel_ends_the_run_as_error(tmp_path):
    progress = Progress()
    progress.cancel()
    result = run(damaged_project(tmp_path), HAPPY, cancel=progress)
    assert result.status == "error" and result.error == "cancelled"


def test_model_engine_without_a_model_brain_is_an_error_not_a_crash(tmp_path, monkeypatch):
    import sys
    project = damaged_project(tmp_path)
    monkeypatch.setitem(sys.modules, "studio.runtime.model_brain", None)   # import fails
    result = run(project, HAPPY, options=RunOptions(model="gpt-test"))
    assert result.status == "error" and "model_brain" in result.error    # named, not hidden
    assert result.engine == "gpt-test"


def test_scripted_customer_is_used_offline_even_with_persona(tmp_path):
    project = damaged_project(tmp_path)
    simulation = sim(HAPPY | {"customer": HAPPY["customer"] | {"persona": "Polite", "goal": "Refund"}})
    assert isinstance(make_customer(project, simulation, RunOptions()), ScriptedCustomer)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_every_sample_simulation_passes_offline(name):
    project = load_project(SAMPLES / name)
    assert project.simulations, f"{name} has no simulations"
    bad = {}
    for key, simulation in project.simulations.items():
        result = run_simulation(project, simulation)
        if result.status != "passed":
            bad[key] = result.error or failures(result)
    assert not bad, bad
