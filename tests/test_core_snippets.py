"""Static analysis of code snippets: what they read, what they assign, where they are broken."""
from __future__ import annotations

from studio.core.snippets import analyze_snippet, snippet_assigns, snippet_reads


def test_design_example():
    info = analyze_snippet("refund = round(order.total * (1.0 if has_photo else 0.5), 2)")
    assert info.ok
    assert info.reads == {"order", "has_photo"}
    assert info.assigns == ("refund",)
    assert "order.total" in info.paths


def test_names_assigned_before_use_are_not_read():
    info = analyze_snippet("x = 1\ny = x + base\nx += y")
    assert info.reads == {"base"}
    assert info.assigns == ("x", "y")


def test_augmented_assignment_reads_first():
    assert analyze_snippet("total += 1").reads == {"total"}


def test_local_scopes_and_builtins():
    code = (
        "import math\n"
        "from datetime import date as d\n"
        "def fee(amount, rate=0.1):\n"
        "    return math.ceil(amount * rate + extra)\n"
        "squares = [i * i for i in items if i > limit]\n"
        "pairs = {k: v for k, v in mapping.items()}\n"
        "f = lambda q: q + offset\n"
        "for a, (b, c) in rows:\n"
        "    s = a + b + c\n"
        "try:\n"
        "    n = int(text)\n"
        "except ValueError as err:\n"
        "    n = len(str(err))\n"
        "with ctx as handle:\n"
        "    pass\n"
        "if (w := weight) > 3:\n"
        "    heavy = True\n"
        "today = d.today()\n"
    )
    info = analyze_snippet(code)
    assert info.ok
    assert info.reads == {"extra", "items", "limit", "mapping", "offset", "rows", "text", "ctx", "weight"}
    assert info.assigns == ("squares", "pairs", "f", "a", "b", "c", "s", "n", "handle", "w", "heavy", "today")
    assert info.defines == {"math", "d", "fee"}
    assert info.imports == {"math", "datetime"}


def test_changing_a_dict_counts_as_assigning_it():
    info = analyze_snippet("order['total'] = 5\nnote.text = 'x'")
    assert info.reads == {"order", "note"}
    assert set(info.assigns) == {"order", "note"}


def test_syntax_error_has_line_and_column():
    info = analyze_snippet("x = 1\ny = (2 +\n")
    assert not info.ok
    assert info.error.startswith("syntax error")
    assert info.line == 2 and info.column == 5


def test_indentation_error_is_reported():
    info = analyze_snippet("if x:\ny = 1")
    assert info.error and info.line == 2


def test_null_bytes_do_not_raise():
    assert analyze_snippet("x = 1\x00").error


def test_helpers():
    assert snippet_reads("a = b") == {"b"}
    assert snippet_assigns("a = b\nc, d = 1, 2") == ["a", "c", "d"]
    assert analyze_snippet("").ok and analyze_snippet("").reads == frozenset()
