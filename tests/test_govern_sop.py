"""procedures.md reads as an SOP: a code step with an if/else keeps its lines as a code block
inside its numbered step (joined with "; " it read `if …:; credit = …; else:; …`), a one-line
computation stays inline."""
from __future__ import annotations

from conftest import SAMPLES
from studio.core.project import load_project
from studio.govern.sop import render_sop


def sop_of(sample: str) -> str:
    project = load_project(SAMPLES / sample)
    return render_sop(project.name, "production", project.procedures, project.connectors,
                      project.knowledge)


def test_a_multi_line_code_step_is_a_code_block_inside_its_step():
    sop = sop_of("card-payments")
    start = sop.index("10. Work out (Overcharges are credited by the difference")
    block = sop[start:sop.index("\n11. ", start)].splitlines()
    assert block[1:] == [
        "    ```python",
        '    if reason == "overcharged" and txn.expected_amount is not None:',
        "        credit = round(txn.amount - txn.expected_amount, 2)",
        "    else:",
        "        credit = round(txn.amount, 2)",
        "    ```"]
    assert ":;" not in sop


def test_a_one_line_code_step_stays_inline():
    sop = sop_of("food-delivery")
    assert "Work out: `refund = round(order.total * (1.0 if has_photo else 0.5), 2)`" in sop
