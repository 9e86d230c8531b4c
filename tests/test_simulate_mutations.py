"""Mutating a sample procedure makes the right simulations fail, pointing at the cause."""
from pathlib import Path

import pytest
import yaml

from studio.core.project import load_project
from studio.simulate.runner import run_simulation

PROCEDURE = "procedures/damaged-order.yaml"
SAMPLES = Path(__file__).resolve().parent.parent / "sample_projects"


def run_all(root):
    project = load_project(root)
    assert not [p for p in project.load_problems if p.severity == "error"]
    return {key: run_simulation(project, s) for key, s in project.simulations.items()}


def messages(result):
    return [e.message for e in result.expectations if e.status == "fail"]


def test_flipping_a_condition_fails_the_simulations_that_depend_on_it(sample_copy):
    root = sample_copy("food-delivery")
    path = root / PROCEDURE
    text = path.read_text()
    assert "order.hours_since_delivery <= 24" in text
    path.write_text(text.replace("order.hours_since_delivery <= 24", "order.hours_since_delivery > 24"))
    results = run_all(root)
    for key in ("damaged-photo-full-refund", "damaged-past-24h-handoff"):
        assert results[key].status == "failed", key
        assert any("condition 'eligible'" in m for m in messages(results[key])), messages(results[key])
    full = messages(results["damaged-photo-full-refund"])
    assert any("order.hours_since_delivery = 3" in m for m in full), full
    untouched = [k for k in results if k.startswith(("late-", "cancel-"))]
    assert untouched and all(results[k].status == "passed" for k in untouched)


def test_deleting_a_step_fails_the_simulations_that_need_it(sample_copy):
    root = sample_copy("food-delivery")
    path = root / PROCEDURE
    data = yaml.safe_load(path.read_text())
    eligible = next(s for s in data["steps"] if s["id"] == "eligible")
    branch = eligible["branches"][0]
    branch["steps"] = [s for s in branch["steps"] if s["id"] != "pay"]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    results = run_all(root)
    full = results["damaged-photo-full-refund"]
    assert full.status == "failed"
    text = " | ".join(messages(full))
    assert "there is no step 'pay'" in text and "issue_refund was never called" in text
    assert results["damaged-past-24h-handoff"].status == "passed"     # never needed 'pay'


def _without(steps, step_id):
    """`steps` with `step_id` removed wherever it is nested."""
    out = []
    for step in steps:
        if step.id == step_id:
            continue
        if step.kind == "condition":
            step = step.model_copy(update={"branches": [
                b.model_copy(update={"steps": _without(b.steps, step_id)}) for b in step.branches]})
        out.append(step)
    return out


def _flipped(steps, step_id):
    """`steps` with every non-else branch of condition `step_id` negated."""
    out = []
    for step in steps:
        if step.kind == "condition":
            branches = [b.model_copy(update={"steps": _flipped(b.steps, step_id)}) for b in step.branches]
            if step.id == step_id:
                branches = [b if b.is_else else b.model_copy(update={"when": f"not ({b.when})"})
                            for b in branches]
            step = step.model_copy(update={"branches": branches})
        out.append(step)
    return out


def _owner(project, simulation, ref):
    if "." in ref:
        return ref.split(".", 1)
    if any(s.id == ref for s in project.procedures[simulation.procedure].all_steps()):
        return simulation.procedure, ref
    return next(pid for pid, p in project.procedures.items() if any(s.id == ref for s in p.all_steps())), ref


@pytest.mark.parametrize("name", ["food-delivery", "card-payments", "subscriptions"])
def test_every_expected_step_deleted_or_condition_flipped_fails_naming_the_step(name):
    """For each sample simulation and each step it expects to visit: delete that step
    (and, for a condition, negate its branches instead); the simulation must fail,
    not error, and a failure message must name the step."""
    project = load_project(SAMPLES / name)
    wrong = []
    tried = 0
    for key, simulation in sorted(project.simulations.items()):
        for ref in simulation.expect.visited:
            pid, step_id = _owner(project, simulation, ref)
            original = project.procedures[pid]
            step = next(s for s in original.all_steps() if s.id == step_id)
            mutants = [_without(original.steps, step_id)]
            if step.kind == "condition":
                mutants.append(_flipped(original.steps, step_id))
            for steps in mutants:
                project.procedures[pid] = original.model_copy(update={"steps": steps})
                try:
                    result = run_simulation(project, simulation)
                finally:
                    project.procedures[pid] = original
                tried += 1
                named = any(step_id in m for m in messages(result))
                if result.status != "failed" or not named:
                    wrong.append((key, ref, result.status, result.error, messages(result)[:2]))
    assert tried >= 20, tried
    assert not wrong, wrong
