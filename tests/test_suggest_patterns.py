"""Suggested simulations answer with values that fit a variable's pattern, and never
call a step "not reachable" that a saved simulation walks through."""
from __future__ import annotations

import re

from lost_parcel import LOST_PARCEL, OTHER_SIMULATION, lost_parcel_project
from studio.simulate.suggest import suggest_simulations
from studio.simulate.suggest_values import Harvest, harvest_expression


def test_answers_match_the_pattern_not_other_simulations_values(tmp_path):
    project = lost_parcel_project(tmp_path / "p", simulations={"other": OTHER_SIMULATION})
    report = suggest_simulations(project, "lost-parcel")
    assert report.suggestions
    for suggestion in report.suggestions:
        answers = [t if isinstance(t, str) else t.text for t in suggestion.simulation.customer.script[1:]]
        assert answers and all(re.fullmatch(r"PK-\d{6}", a) for a in answers), answers
    assert report.branch_coverage == 1.0
    assert not report.unreached


def test_constant_arithmetic_is_folded_into_thresholds():
    harvest = Harvest()
    harvest_expression("order.hours_since_delivery > 7 * 24", harvest)
    assert harvest.values["order.hours_since_delivery"] == [169, 168]


def test_a_step_a_saved_simulation_reaches_is_not_unreached(tmp_path):
    gated = LOST_PARCEL.replace(
        "      - {id: done,",
        "      - {id: vip-note, kind: instruction, text: Thank them., when: 'matches(order_id, \"^PK-9\")'}\n"
        "      - {id: done,")
    saved = """\
        schema: simulation/v1
        name: Nine order
        procedure: lost-parcel
        customer: {script: ["my parcel never arrived", "PK-912345", "thanks"]}
        fixtures: {approvals: {approve: approved}, connectors: {get_order: {total: 9, hours_since_delivery: 200}}}
    """
    project = lost_parcel_project(tmp_path / "p", procedure=gated)
    before = suggest_simulations(project, "lost-parcel")
    assert "vip-note" in [u.target for u in before.unreached]      # the generator alone cannot
    project = lost_parcel_project(tmp_path / "q", procedure=gated, simulations={"nine": saved})
    after = suggest_simulations(project, "lost-parcel")
    assert "vip-note" not in [u.target for u in after.unreached]
    assert after.reached_by_saved["vip-note"] == "Nine order"
