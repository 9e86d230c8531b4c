"""Each sample tells the story the issue promised a new user: the procedures,
connectors and checkpoints it names are there, and simulations walk both the
happy path and the edge cases of each story."""
from __future__ import annotations

import pytest

from studio.core.project import load_project
from studio.core.samples import samples_root


@pytest.fixture(scope="module")
def samples():
    return {name: load_project(samples_root() / name)
            for name in ("food-delivery", "card-payments", "subscriptions")}


def _uses(proc, kind, **fields):
    return any(step.kind == kind and all(getattr(step, k) == v for k, v in fields.items())
               for step in proc.all_steps())


def _sims_of(project, procedure_id):
    return [s for s in project.simulations.values()
            if s.procedure == procedure_id or s.expect.procedure == procedure_id]


def test_food_delivery_damaged_late_and_cancelled_orders(samples):
    project = samples["food-delivery"]
    damaged = project.procedures["damaged-order"]
    assert _uses(damaged, "checkpoint", mode="approval") and _uses(damaged, "connector", connector="issue_refund")
    assert "has_photo" in damaged.variables
    photo_sims = [s for s in _sims_of(project, "damaged-order")
                  if any(a.extracted.get("has_photo") for t in s.customer.turns() for a in t.attachments)]
    assert photo_sims, "a damaged order with a photo attached"
    assert {"late-delivery", "cancel-order"} <= set(project.procedures)
    for pid in ("damaged-order", "late-delivery", "cancel-order"):
        assert _sims_of(project, pid), pid


def test_card_payments_dispute_freezes_the_card_and_needs_approval(samples):
    project = samples["card-payments"]
    dispute = project.procedures["dispute-transaction"]
    assert _uses(dispute, "connector", connector="freeze_card")
    assert _uses(dispute, "checkpoint", mode="approval")
    decided = {d for s in _sims_of(project, "dispute-transaction") for d in s.fixtures.approvals.values()}
    assert decided == {"approved", "rejected"}


def test_subscriptions_billing_switches_to_cancellation_and_shares_the_identity_check(samples):
    project = samples["subscriptions"]
    billing = project.procedures["billing-question"]
    assert _uses(billing, "switch", to="cancel-subscription")
    assert "cancel-subscription" in {r.to for r in billing.switch_rules}
    callers = [p.id for p in project.procedures.values() if _uses(p, "subprocedure", procedure="identity-check")]
    assert len(callers) >= 2
    switched = [s for s in _sims_of(project, "billing-question")
                if any(ref.startswith("cancel-subscription.") for ref in s.expect.visited)]
    assert switched, "a simulation that follows the switch into the cancellation"


@pytest.mark.parametrize("name", ["food-delivery", "card-payments", "subscriptions"])
def test_each_sample_has_happy_paths_and_edge_cases(samples, name):
    tags = {t for s in samples[name].simulations.values() for t in s.tags}
    assert "happy-path" in tags and "edge-case" in tags
    outcomes = {s.expect.outcome for s in samples[name].simulations.values()}
    assert {"resolved", "handoff"} <= outcomes
