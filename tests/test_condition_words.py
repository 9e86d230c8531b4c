"""Conditions in plain words (read back on cards) and words turned into a
validated expression by a model (against the fake server)."""
from __future__ import annotations

import json

import pytest

from llm_kit import fake, isolated, llm_settings, server  # noqa: F401  (fixtures)
from lost_parcel import lost_parcel_project
from studio.core.condition_names import condition_names
from studio.core.plain_words import describe_condition
from studio.core.procedure import Variable
from studio.llm.condition import condition_from_words

PHOTO = {"has_photo": Variable(type="boolean", description="The customer sent a photo of the damage")}


@pytest.mark.parametrize("expression, words", [
    ("order.hours_since_delivery > 7 * 24", "the order's hours since delivery is more than 168 (7 days)"),
    ('order.status == "delivered" and order.total <= 50',
     "the order's status is “delivered” and the order's total is at most 50"),
    ("has_photo", "the customer sent a photo of the damage"),
    ("not has_photo", "it is not the case that the customer sent a photo of the damage"),
    ('customer.plan in ["pro", "vip"]', "the customer's plan is one of “pro” or “vip”"),
    ("is_set(order)", "the order is known"),
    ("order.total == None", "the order's total is not set"),
    ("len(order.items) >= 2", "the number of the order's items is at least 2"),
    ("refund > 50 or customer.lifetime_value >= 1000",
     "either the refund is more than 50 or the customer's lifetime value is at least 1000"),
    ("else", "otherwise"),
])
def test_conditions_read_as_plain_words(expression, words):
    assert describe_condition(expression, PHOTO) == words


def test_an_expression_that_does_not_parse_reads_as_itself():
    assert describe_condition("order.total >", PHOTO) == "order.total >"


def test_condition_names_list_connector_fields_and_variables(tmp_path):
    project = lost_parcel_project(tmp_path / "p")
    names = condition_names(project, project.procedures["lost-parcel"])
    assert names["order.hours_since_delivery"] == "from connector get_order, e.g. 3"
    assert names["order_id"].startswith("string: Order number")
    assert names["refund"] == "computed by code step compute"
    assert "customer.plan" in names


def _answer(expression: str) -> str:
    return json.dumps({"reasoning": "delivered more than a week ago", "expression": expression})


def test_words_become_a_checked_expression(fake, tmp_path):
    project = lost_parcel_project(tmp_path / "p")
    names = condition_names(project, project.procedures["lost-parcel"])
    fake.push(_answer("order.hours_since_delivery > 7 * 24"))
    draft = condition_from_words("delivered more than 7 days ago", names, settings=llm_settings(fake))
    assert draft.expression == "order.hours_since_delivery > 7 * 24"
    assert draft.words == "the order's hours since delivery is more than 168 (7 days)"
    system = fake.requests[0]["messages"][0]["content"]
    assert "order.hours_since_delivery: from connector get_order" in system


def test_an_unknown_name_gets_one_repair_round_then_a_reason(fake, tmp_path):
    project = lost_parcel_project(tmp_path / "p")
    names = condition_names(project, project.procedures["lost-parcel"])
    fake.push(_answer("parcel.days_late > 7"), _answer("order.hours_since_delivery > 168"))
    draft = condition_from_words("more than a week late", names, settings=llm_settings(fake))
    assert draft.expression == "order.hours_since_delivery > 168"
    assert "unknown names: parcel" in fake.requests[1]["messages"][-1]["content"]
    fake.push(_answer("order.total >"), _answer("order.total >"))
    draft = condition_from_words("broken", names, settings=llm_settings(fake))
    assert draft.expression is None and "does not parse" in draft.problem
