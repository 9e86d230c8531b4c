"""Ordinary snippets a designer writes: values in, assigned values out, clear errors."""

import datetime
import decimal

import pytest

from studio.runtime.sandbox import Sandbox, SnippetResult


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


def ok(sandbox: Sandbox, code: str, variables: dict | None = None) -> dict:
    result = sandbox.run(code, variables or {})
    assert isinstance(result, SnippetResult)
    assert result.status == "ok", result.error
    assert result.error is None
    return result.assigned


def test_arithmetic(sandbox):
    assert ok(sandbox, "total = price * qty + 2", {"price": 2.5, "qty": 4}) == {"total": 12.0}


@pytest.mark.parametrize("has_photo, refund", [(True, 85.0), (False, 42.5)])
def test_design_refund_example_with_order_as_dict(sandbox, has_photo, refund):
    code = "refund = round(order.total * (1.0 if has_photo else 0.5), 2)"
    variables = {"order": {"total": 85.0, "status": "delivered"}, "has_photo": has_photo}
    assert ok(sandbox, code, variables) == {"refund": refund}


def test_nested_dicts_and_lists_of_dicts_read_like_attributes(sandbox):
    variables = {"order": {"customer": {"name": "Ana"}, "lines": [{"price": 3}, {"price": 4.5}]}}
    code = "name = order.customer.name\nsubtotal = sum(line.price for line in order.lines)"
    assert ok(sandbox, code, variables) == {"name": "Ana", "subtotal": 7.5}


def test_fields_named_like_dict_methods_are_the_fields(sandbox):
    variables = {"order": {"items": [{"sku": "A"}, {"sku": "B"}], "keys": 2}}
    code = "skus = [item.sku for item in order.items]\nkey_count = order.keys\nsame = order['items'][0].sku"
    assert ok(sandbox, code, variables) == {"skus": ["A", "B"], "key_count": 2, "same": "A"}


def test_dict_variables_still_behave_as_dicts(sandbox):
    code = "n = len(order)\nhas = 'total' in order\nt = order.get('missing', 0)\nis_dict = isinstance(order, dict)"
    assert ok(sandbox, code, {"order": {"total": 1}}) == {"n": 1, "has": True, "t": 0, "is_dict": True}


def test_loops_conditions_and_comprehensions(sandbox):
    code = (
        "evens = [n for n in numbers if n % 2 == 0]\n"
        "squares = {n: n * n for n in numbers}\n"
        "count = 0\n"
        "for n in numbers:\n"
        "    if n > 2:\n"
        "        count += 1\n"
        "    else:\n"
        "        continue\n"
        "label = 'many' if count > 1 else 'few'"
    )
    assigned = ok(sandbox, code, {"numbers": [1, 2, 3, 4]})
    assert assigned["evens"] == [2, 4]
    assert assigned["squares"] == {"1": 1, "2": 4, "3": 9, "4": 16}
    assert assigned["count"] == 2
    assert assigned["label"] == "many"


def test_helper_functions_are_used_but_not_returned(sandbox):
    code = "def fee(amount):\n    return round(amount * 0.03, 2)\ncharge = fee(total)\nf = lambda v: v"
    assert ok(sandbox, code, {"total": 100}) == {"charge": 3.0}


def test_allowed_imports(sandbox):
    code = (
        "import math\n"
        "import re\n"
        "from decimal import Decimal, ROUND_HALF_UP\n"
        "from datetime import date, datetime, timedelta\n"
        "root = math.sqrt(16)\n"
        "code = re.search(r'FD-(\\d+)', text).group(1)\n"
        "amount = Decimal('10.005').quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)\n"
        "due = date(2024, 1, 30) + timedelta(days=3)\n"
        "stamp = datetime(2024, 5, 1, 12, 30)\n"
        "parsed = datetime.strptime('2024-02-29', '%Y-%m-%d').date()"
    )
    assigned = ok(sandbox, code, {"text": "Order FD-123456 arrived"})
    assert assigned == {
        "root": 4.0,
        "code": "123456",
        "amount": 10.01,
        "due": "2024-02-02",
        "stamp": "2024-05-01T12:30:00",
        "parsed": "2024-02-29",
    }


def test_only_assigned_names_are_returned(sandbox):
    variables = {"a": 1, "b": [1, 2], "order": {"total": 5}}
    assert ok(sandbox, "c = a + 1", variables) == {"c": 2}


def test_unchanged_inputs_are_not_returned_unless_reassigned(sandbox):
    variables = {"a": 1, "b": [1, 2]}
    assert ok(sandbox, "x = a", variables) == {"x": 1}
    assert ok(sandbox, "a = 1", variables) == {"a": 1}  # reassigned, even to the same value
    assert ok(sandbox, "b.append(3)", variables) == {"b": [1, 2, 3]}  # changed in place


def test_attribute_assignment_changes_the_dict(sandbox):
    assert ok(sandbox, "order.total = order.total * 2", {"order": {"total": 5}}) == {"order": {"total": 10}}


def test_values_out_are_json(sandbox):
    code = (
        "import decimal, datetime\n"
        "d = decimal.Decimal('2.50')\n"
        "s = {3, 1, 2}\n"
        "t = (1, 'a')\n"
        "gap = datetime.timedelta(minutes=1)\n"
        "copy = dict(order)\n"
        "nothing = None"
    )
    assigned = ok(sandbox, code, {"order": {"total": 5}})
    assert assigned == {"d": 2.5, "s": [1, 2, 3], "t": [1, "a"], "gap": 60.0,
                        "copy": {"total": 5}, "nothing": None}


def test_input_values_that_are_not_json_are_converted(sandbox):
    variables = {"when": datetime.date(2024, 1, 2), "amount": decimal.Decimal("1.5")}
    assert ok(sandbox, "w = when\na = amount * 2", variables) == {"w": "2024-01-02", "a": 3.0}


def test_unstorable_assigned_value_is_a_clear_error(sandbox):
    result = sandbox.run("raw = 'abc'.encode()", {})
    assert result.status == "error"
    assert "'raw'" in result.error and "bytes" in result.error


def test_python_error_names_the_line(sandbox):
    result = sandbox.run("a = 1\nb = a / 0", {})
    assert result.status == "error"
    assert result.error == "line 2: ZeroDivisionError: division by zero"
    assert result.assigned == {}


def test_missing_field_reads_as_none_like_in_expressions(sandbox):
    code = "credit = txn.amount - txn.expected_amount if txn.expected_amount is not None else txn.amount"
    assert ok(sandbox, code, {"txn": {"amount": 45.2}}) == {"credit": 45.2}
    result = sandbox.run("x = order.totl * 2", {"order": {"total": 5}})
    assert result.status == "error"
    assert result.error.startswith("line 1: TypeError: unsupported operand")


def test_unknown_name_is_a_name_error(sandbox):
    result = sandbox.run("x = refund_amount * 2", {})
    assert result.error == "line 1: NameError: name 'refund_amount' is not defined"


def test_syntax_error_names_the_line(sandbox):
    result = sandbox.run("x = 1\ny = (2 +", {})
    assert result.status == "error"
    assert result.error.startswith("line 2: SyntaxError")


def test_nul_character_is_a_syntax_error(sandbox):
    result = sandbox.run("x = 1\x00", {})
    assert result.status == "error" and result.error.startswith("SyntaxError")


def test_raise_in_snippet(sandbox):
    result = sandbox.run("raise ValueError('refund too large')", {})
    assert result.error == "line 1: ValueError: refund too large"


def test_print_is_captured_not_mixed_into_the_protocol(sandbox):
    result = sandbox.run("print('total is', 3)\nx = 1", {})
    assert result.status == "ok"
    assert result.printed == "total is 3\n"
    assert result.assigned == {"x": 1}


def test_printed_text_is_capped(sandbox):
    result = sandbox.run("for i in range(5000):\n    print('line', i)", {})
    assert result.status == "ok"
    assert len(result.printed) == 10_000


def test_non_ascii_names_and_text(sandbox):
    assert ok(sandbox, "café = nom.upper() + ' ✓'", {"nom": "zoé"}) == {"café": "ZOÉ ✓"}


def test_decimal_precision_does_not_leak_between_snippets(sandbox):
    ok(sandbox, "import decimal\ndecimal.getcontext().prec = 2", {})
    assert ok(sandbox, "import decimal\nx = str(decimal.Decimal(1) / 3)", {}) == {"x": "0." + "3" * 28}


def test_variables_do_not_leak_between_snippets(sandbox):
    ok(sandbox, "secret = 42", {})
    result = sandbox.run("y = secret", {})
    assert result.status == "error" and "NameError" in result.error


def test_duration_is_reported(sandbox):
    assert sandbox.run("x = 1", {}).duration_ms > 0
