"""The sample projects validate clean, and a copy with seeded mistakes reports each one
with the right file, line and a useful hint."""
from __future__ import annotations

from pathlib import Path

import pytest

from studio.core.problems import Severity
from studio.core.project import load_project
from studio.core.samples import sample_names, samples_root
from studio.core.validate import validate_project

SAMPLES = ["food-delivery", "card-payments", "subscriptions"]


def test_all_three_samples_are_there():
    assert set(SAMPLES) <= set(sample_names())


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_has_no_errors(name):
    problems = validate_project(load_project(samples_root() / name))
    errors = [p.format() for p in problems if p.severity == Severity.error]
    assert errors == []


def seed(root: Path, rel: str, old: str, new: str) -> tuple[str, int]:
    """Replace the first `old` in a file; return (rel, line of the change)."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}: the sample changed, update this test"
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
    return rel, text[:at].count("\n") + 1 + new[:len(new) - len(new.lstrip("\n"))].count("\n")


def test_seeded_mistakes_are_each_reported_where_they_are(sample_copy):
    root = sample_copy("food-delivery")
    proc = "procedures/damaged-order.yaml"
    sim = "simulations/damaged-photo-full-refund.yaml"
    seeds = {
        "unknown-connector": (seed(root, proc, "connector: get_order", "connector: get_ordr"), "get_order"),
        "unknown-article": (seed(root, proc, "article: refund-policy", "article: refund-polcy"),
                            "refund-policy"),
        "expression": (seed(root, proc, "when: refund > 50", "when: refund >> 50"), "allow"),
        "unknown-variable": (seed(root, proc, "collect: [order_id]", "collect: [order_no]"), "order_id"),
        "unknown-step": (seed(root, sim, "visited: [ask-order,", "visited: [ask-ordr,"), "ask-order"),
        "unknown-segment": (seed(root, sim, "segment: regular", "segment: regulr"), "regular"),
        "yaml": (seed(root, "procedures/complaints.yaml", "\nid: complaints", "\n\tid: complaints"), "tabs"),
    }
    problems = validate_project(load_project(root))
    for code, ((rel, line), hint) in seeds.items():
        found = [p for p in problems if p.code == code]
        assert len(found) == 1, (code, [p.format() for p in problems])
        problem = found[0]
        assert (problem.file, problem.line) == (rel, line), problem.format()
        assert problem.column and problem.severity == Severity.error
        assert hint in (problem.hint or ""), problem.format()
    # nothing else broke: every error is one we seeded
    assert sorted(p.code for p in problems if p.severity == Severity.error) == sorted(seeds)


def test_seeded_schema_typo_in_sample(sample_copy):
    root = sample_copy("subscriptions")
    procedures = sorted((root / "procedures").glob("*.yaml"))
    rel = f"procedures/{procedures[0].name}"
    rel, line = seed(root, rel, "\nsteps:\n", "\nstepz:\n")
    problems = [p for p in validate_project(load_project(root)) if p.severity == Severity.error]
    typo = next(p for p in problems if p.file == rel)
    assert typo.line == line and typo.message == "unknown field 'stepz'"
    assert typo.hint == "did you mean 'steps'?"
