"""The expression language and templates: what works, None semantics, and what is refused."""
from __future__ import annotations

import pytest

from studio.core.expressions import ExpressionError, evaluate, parse, truthy
from studio.core.templates import parse_template, template_names
from studio.runtime.render import render

NAMES = {"order": {"total": 42.5, "status": "delivered", "items": ["pizza", "cola"]},
         "has_photo": True, "order_id": "FD-123456", "count": 3, "customer": {"plan": "pro"}}


@pytest.mark.parametrize("source,expected", [
    ("order.total > 40 and has_photo", True),
    ("order.status == \"delivered\"", True),
    ("order.items[1]", "cola"),
    ("'pizza' in order.items", True),
    ("not has_photo or count >= 3", True),
    ("round(order.total * 0.5, 1)", 21.2),
    ("len(order.items) + count", 5),
    ("lower(order_id)", "fd-123456"),
    ("matches(order_id, 'FD-\\\\d{6}')", True),
    ("max(1, count) - min(4, 2)", 1),
    ("abs(-2)", 2),
    ("is_set('order.total') and not is_set('refund')", True),
    ("customer.plan == 'pro'", True),
    ("order.total > '40'", True),            # numbers that arrived as text compare as numbers
    ("true and not false", True),
])
def test_evaluates(source, expected):
    assert evaluate(source, NAMES) == expected


@pytest.mark.parametrize("source,expected", [
    ("missing", None),
    ("missing.field.deeper", None),
    ("missing > 3", False),
    ("missing + 1", None),
    ("missing == None", True),
    ("order.nothing", None),
    ("order.items[9]", None),
    ("len(missing)", 0),
    ("lower(missing)", None),
    ("'x' in missing", False),
])
def test_unset_names_are_none(source, expected):
    assert evaluate(source, NAMES) == expected


@pytest.mark.parametrize("source,words", [
    ("order.__class__", "_"),
    ("__import__('os')", "_"),
    ("order._secret", "_"),
    ("open('x')", "unknown function 'open'"),
    ("eval('1')", "unknown function"),
    ("order.items.pop()", "unknown function"),
    ("(lambda: 1)()", "lambda"),
    ("[x for x in order.items]", "comprehension"),
    ("x if y else z", "if/else"),
    ("2 ** 100000", "**"),
    ("(x := 1)", ":="),
    ("f'{order}'", "f-string"),
    ("len(x, key=1)", "keyword"),
    ("order.total >", "syntax error"),
    ("", "empty"),
    ("a" * 3000, "longer"),
    (" + ".join(["1"] * 400), "complex"),
])
def test_rejects_unsafe_or_broken(source, words):
    with pytest.raises(ExpressionError) as info:
        parse(source)
    assert words in info.value.message


def test_error_column_points_at_the_problem():
    with pytest.raises(ExpressionError) as info:
        parse("has_photo and order.__class__")
    assert info.value.column == len("has_photo and ") + 1


def test_names_and_paths():
    expr = parse("order.total > 5 and is_set('refund') and len(order_id) > 0 and True")
    assert expr.names() == {"order", "refund", "order_id"}
    assert "order.total" in expr.paths()


def test_runtime_errors_are_expression_errors():
    with pytest.raises(ExpressionError):
        evaluate("count / 0", NAMES)
    with pytest.raises(ExpressionError):
        evaluate("'ab' * 1000000", NAMES)
    assert truthy("count", NAMES) is True


def test_one_expression_template_returns_typed_value():
    assert render("{{ order.total }}", NAMES) == 42.5
    assert render("{{ has_photo }}", NAMES) is True
    assert render("{{ order.items }}", NAMES) == ["pizza", "cola"]
    assert render("{{ missing }}", NAMES) is None
    assert render({"amount": "{{ order.total }}", "n": [1, "{{ count }}"]}, NAMES) == \
        {"amount": 42.5, "n": [1, 3]}


def test_mixed_template_is_text():
    assert render("Refund {{ order.total }} for {{ order_id }}", NAMES) == "Refund 42.5 for FD-123456"
    assert render("Total: {{ 10.0 }} photo: {{ has_photo }} {{ missing }}!", NAMES) == "Total: 10 photo: yes !"
    assert render(" {{ count }}", NAMES) == " 3"
    assert render("no placeholders", NAMES) == "no placeholders"


def test_template_errors_have_columns():
    with pytest.raises(ExpressionError) as info:
        parse_template("Hi {{ name ) }}")
    assert info.value.column >= 7
    with pytest.raises(ExpressionError) as info:
        parse_template("Hi {{ name")
    assert info.value.column == 4 and "closing" in info.value.message
    with pytest.raises(ExpressionError):
        parse_template("{{ order.__class__ }}")


def test_template_names():
    assert template_names("{{ a }} and {{ b.c + d }}") == {"a", "b", "d"}
