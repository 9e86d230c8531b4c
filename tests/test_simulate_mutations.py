"""Mutating a sample procedure makes the right simulations fail, pointing at the cause."""
import yaml

from studio.core.project import load_project
from studio.simulate.runner import run_simulation

PROCEDURE = "procedures/damaged-order.yaml"


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
