"""Validation regressions from QA: a snippet the sandbox would block is an error
while typing, and one broken procedure file does not drown the report in
warnings about names it would have set."""
from __future__ import annotations

import pytest

from studio.cli import main
from studio.core.project import load_project
from studio.core.validate import validate_project

HOSTILE = [
    "x = ().__class__.__base__.__subclasses__()",
    "import os\nrefund = 1",
    "refund = open('/etc/passwd').read()",
    "refund = eval('1+1')",
    "refund = '{0.__class__}'.format(1)",
]


@pytest.mark.parametrize("code", HOSTILE)
def test_validate_reports_a_snippet_the_sandbox_would_block(sample_copy, code):
    root = sample_copy("food-delivery")
    path = root / "procedures" / "damaged-order.yaml"
    original = "code: refund = round(order.total * (1.0 if has_photo else 0.5), 2)"
    text = path.read_text()
    assert original in text
    quoted = code.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    path.write_text(text.replace(original, f'code: "{quoted}"'))
    problems = [p for p in validate_project(load_project(root)) if p.code == "snippet-blocked"]
    assert len(problems) == 1
    problem = problems[0]
    assert problem.severity == "error" and problem.step == "amount"
    assert problem.file == "procedures/damaged-order.yaml" and problem.line == 51
    assert "sandbox will refuse" in problem.message


def test_allowed_snippets_are_not_reported(sample_copy):
    for name in ("food-delivery", "card-payments", "subscriptions"):
        problems = validate_project(load_project(sample_copy(name)))
        assert not [p for p in problems if p.code == "snippet-blocked"]


def test_a_broken_procedure_file_gives_one_error_not_a_warning_per_simulation(sample_copy, capsys):
    root = sample_copy("food-delivery")
    (root / "procedures" / "damaged-order.yaml").write_text(
        "schema: procedure/v1\nid: damaged-order\ntitle: x\nsteps:\n  - id: a\n"
        "    kind: instruction\n   text: bad indent\n")
    assert main(["validate", str(root)]) == 1
    out = capsys.readouterr().out
    assert "procedures/damaged-order.yaml:7:4: error: YAML syntax error" in out
    assert "nothing in the project sets" not in out
    assert "1 error, 0 warnings" in out
