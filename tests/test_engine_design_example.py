"""DESIGN.md's example simulation, run on its example procedure offline: every
deterministic expectation holds (the 64.9 refund is over 50, so the approval
fires and leaves its note); only the rubric is skipped, as offline always does.
A change in either the engine or the document shows up here.
"""
from design_examples import CONNECTOR, PROCEDURE, SIMULATION, STUDIO, write_files
from studio.core.project import load_project
from studio.simulate.runner import run_simulation


def _project(root):
    files = {
        "studio.yaml": STUDIO,
        "connectors/get_order.yaml": CONNECTOR,
        "procedures/damaged-order.yaml": PROCEDURE,
        "connectors/issue_refund.yaml": "schema: connector/v1\nid: issue_refund\n"
                                        "inputs: {order_id: {type: string}, amount: {type: number}}\n"
                                        "sample: {ok: true}\n",
        "connectors/cancel_order.yaml": "schema: connector/v1\nid: cancel_order\nsample: {ok: true}\n",
        "procedures/complaints.yaml": "schema: procedure/v1\nid: complaints\n"
                                      "steps: [{id: c, kind: end, outcome: handoff}]\n",
        "procedures/high-value-claims.yaml": "schema: procedure/v1\nid: high-value-claims\n"
                                             "steps: [{id: h, kind: end, outcome: handoff}]\n",
        "simulations/design.yaml": SIMULATION,
        "attachments/crushed.jpg": "not really a photo",
    }
    write_files(root, files)
    project = load_project(root)
    assert not project.load_problems
    return project


def test_design_example_meets_every_expectation_offline(tmp_path):
    project = _project(tmp_path / "design")
    result = run_simulation(project, project.simulation("design"))
    verdicts = {(e.type, e.status) for e in result.expectations}
    assert result.error is None
    assert ("rubric", "skipped") in verdicts
    failing = [e for e in result.expectations if e.status == "fail"]
    assert failing == [], [e.message for e in failing]
    assert ("note_contains", "pass") in verdicts and ("visited", "pass") in verdicts
    assert result.status == "passed"
    assert result.variables["refund"] == 64.9 and result.outcome == "resolved"
