"""The runner panel: a sample simulation runs off the GUI thread and passes
with its reasoning; a hand-tried conversation becomes a simulation that passes."""
import pytest

from studio.core.project import load_project  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402

from studio.ui.panels.runner.runner import RunnerPanel  # noqa: E402

pytestmark = pytest.mark.gui
SIM = "damaged-photo-full-refund"
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def project(sample_copy):
    return load_project(sample_copy("food-delivery"))


@pytest.fixture
def runner(qtbot, project):
    panel = RunnerPanel(project)
    qtbot.addWidget(panel)
    panel.resize(1200, 800)
    panel.show()
    return panel


def test_sample_simulation_passes_with_its_reasoning(qtbot, runner, project):
    runner.open_simulation(project.simulations[SIM], SIM)
    marked = []
    runner.steps_marked.connect(lambda proc, marks: marked.append((proc, marks)))
    with qtbot.waitSignal(runner.run_finished, timeout=20000) as blocker:
        qtbot.mouseClick(runner.run_button, LEFT)
        assert runner.stop_button.isEnabled()     # the GUI thread is free while it runs
    result = blocker.args[0]
    assert result.status == "passed"
    assert "PASSED" in runner.status.text()

    # customer and agent bubbles, with the photo attachment shown
    roles = [b.role for b in runner.transcript.bubbles]
    assert roles.count("customer") == 3 and roles.count("agent") == 3
    assert any("crushed-pizza.png" in b.findChildren(QLabel)[-1].text()
               for b in runner.transcript.bubbles if b.role == "customer" and b.entry.attachments)

    # the second agent turn unfolds into its decisions: connector, condition with values
    agent = runner.transcript.agent_bubbles()
    assert not agent[1].details.isVisibleTo(agent[1])
    agent[1].toggle.click()
    assert agent[1].details.isVisibleTo(agent[1])
    text = agent[1].reasoning_text
    assert "get_order" in text and "FD-123456" in text and "delivered" in text
    assert "order.status" in text                        # the condition and the values it saw
    assert "chose <b>damaged-order</b>" in agent[0].reasoning_text
    assert "refund" in agent[2].reasoning_text and "issue_refund" in agent[2].reasoning_text

    # expectations: failures first, none here; rubric skipped offline
    statuses = runner.expectations.statuses()
    assert {s for _, s in statuses} == {"pass", "skipped"}
    assert ("rubric", "skipped") in statuses

    # the procedure editor is told which steps passed
    assert marked and marked[-1][0] == "damaged-order"
    assert marked[-1][1]["pay"] == "passed" and "late" not in marked[-1][1]


def test_a_failing_run_marks_where_it_failed(qtbot, runner, project):
    sim = project.simulations[SIM]
    broken = sim.model_copy(update={"expect": sim.expect.model_copy(update={"outcome": "handoff"})})
    runner.open_simulation(broken)
    marked = {}
    runner.steps_marked.connect(lambda proc, marks: marked.update({proc: marks}))
    with qtbot.waitSignal(runner.run_finished, timeout=20000) as blocker:
        runner.run()
    assert blocker.args[0].status == "failed"
    assert runner.expectations.statuses()[0] == ("outcome", "fail")   # failures listed first
    assert "failed" in marked["damaged-order"].values()


def test_hand_tried_run_saved_as_simulation_then_passes(qtbot, runner, project):
    runner.open_simulation(project.simulations[SIM], SIM)   # its fixtures are reused
    qtbot.mouseClick(runner.try_button, LEFT)
    assert runner.input_row.isVisibleTo(runner)
    for text in ("Hi, my pizza arrived completely crushed", "It's FD-123456", "no"):
        with qtbot.waitSignal(runner.run_finished, timeout=20000):
            runner.input.setText(text)
            qtbot.keyClick(runner.input, "\r")
    transcript = runner.last_result.transcript
    assert [e.text for e in transcript if e.role == "customer"][-1] == "no"
    assert runner.save_button.isEnabled()

    key, sim = runner.save_try_run("Crushed pizza without a photo")
    assert (project.root / "simulations" / f"{key}.yaml").is_file()
    assert sim.expect.procedure == "damaged-order"
    assert sim.expect.outcome == runner.last_result.outcome and sim.expect.outcome
    assert "lookup" in sim.expect.visited
    assert sim.expect.variables.get("order_id") == "FD-123456"
    assert any(c.connector == "get_order" for c in sim.expect.connector_calls)

    reloaded = load_project(project.root)
    saved = reloaded.simulations[key]
    runner.set_project(reloaded)
    runner.open_simulation(saved, key)
    assert not runner.try_mode
    with qtbot.waitSignal(runner.run_finished, timeout=20000) as blocker:
        runner.run()
    result = blocker.args[0]
    assert result.status == "passed", [e.message for e in result.failed_expectations]


def test_steps_light_up_while_the_run_goes(qtbot, project):
    """Step events stream in while the run goes: the current step is `active`,
    steps left are `passed`; the final marks replace them. The run waits at
    each step until the editor has been told, like a slow model would."""
    import threading
    from studio.simulate.runner import run_simulation
    shown, current = threading.Event(), {}

    def slow_run(project, simulation, *, options=None, cancel=None, on_event=None):
        def watch(event):
            if event["type"] == "step_entered":
                shown.clear()
                current["step"] = event["step"]
            on_event(event)
            if event["type"] == "step_entered":
                assert shown.wait(10)
        return run_simulation(project, simulation, options=options, cancel=cancel, on_event=watch)

    runner = RunnerPanel(project, slow_run)
    qtbot.addWidget(runner)
    calls = []

    def seen(proc, marks):
        calls.append((proc, dict(marks)))
        if marks.get(current.get("step")) == "active":
            shown.set()
    runner.steps_marked.connect(seen)
    runner.open_simulation(project.simulations[SIM], SIM)
    with qtbot.waitSignal(runner.run_finished, timeout=20000):
        runner.run()
    live = [marks for proc, marks in calls if proc == "damaged-order"]
    assert live[0] == {"ask-order": "active"}            # the first step entered, at once
    assert {"ask-order": "passed", "lookup": "passed", "policy": "passed",
            "eligible": "active"} in live                 # and each later one in turn
    final = live[-1]
    assert "active" not in final.values()
    assert final["ask-order"] == final["pay"] == final["done"] == "passed"
    assert "late" not in final

    # the next run starts from a clean editor, then fails where the expectation points
    sim = project.simulations[SIM]
    broken = sim.model_copy(update={"expect": sim.expect.model_copy(update={"visited": ["late"]})})
    runner.open_simulation(broken)
    calls.clear()
    with qtbot.waitSignal(runner.run_finished, timeout=20000):
        runner.run()
    assert calls[0] == ("damaged-order", {})
    assert any("active" in marks.values() for _, marks in calls[1:-1])
    # an expected step the run never got to reads "not reached" (issue 16), not "failed"
    assert calls[-1][1]["late"] == "unreached" and calls[-1][1]["pay"] == "passed"


def test_watching_a_run_does_not_change_it(project):
    from studio.simulate.runner import run_simulation
    sim = project.simulations[SIM]
    seen = []
    watched = run_simulation(project, sim, on_event=seen.append)
    plain = run_simulation(project, sim)
    assert watched.trace == plain.trace == seen
    assert watched.status == plain.status == "passed"
    broken = run_simulation(project, sim, on_event=lambda event: 1 / 0)   # a broken watcher
    assert broken.trace == plain.trace


def test_an_unreachable_model_is_an_error_with_what_to_do(qtbot, sample_copy):
    """Model at a closed local port: the runner says `error`, why and what to do;
    no crash, nothing marked as a failed expectation."""
    root = sample_copy("food-delivery")
    settings = root / "studio.yaml"
    settings.write_text(settings.read_text().replace(
        "model: {name: offline}",
        'model: {name: openai/gpt-x, api_base: "http://127.0.0.1:9", retries: 0, timeout: 5}'))
    project = load_project(root)
    runner = RunnerPanel(project)
    qtbot.addWidget(runner)
    runner.engine.setCurrentIndex(runner.engine.findData("openai/gpt-x"))
    runner.open_simulation(project.simulations[SIM], SIM)
    with qtbot.waitSignal(runner.run_finished, timeout=60000) as blocker:
        runner.run()
    result = blocker.args[0]
    assert result.status == "error"
    assert "ERROR" in runner.status.text() and "FAILED" not in runner.status.text()
    assert runner.banner.isVisibleTo(runner)
    banner = runner.banner.text()
    assert "cannot connect to http://127.0.0.1:9" in banner
    assert "What to do:" in banner and "api_base" in banner and "Offline engine" in banner
    assert all(status != "fail" for _, status in runner.expectations.statuses())
    assert runner.run_button.isEnabled()

    # back to the offline engine: the banner goes, the run passes
    runner.engine.setCurrentIndex(runner.engine.findData("offline"))
    with qtbot.waitSignal(runner.run_finished, timeout=20000) as blocker:
        runner.run()
    assert blocker.args[0].status == "passed"
    assert not runner.banner.isVisibleTo(runner)


def test_run_needs_a_simulation_or_a_tried_turn(qtbot, runner, project):
    assert not runner.run_button.isEnabled()
    assert "No simulation open" in runner.transcript.bubbles[0].text.text()
    runner.open_simulation(project.simulations[SIM], SIM)
    assert runner.run_button.isEnabled()
    runner.set_try_mode(True)
    assert not runner.run_button.isEnabled()        # nothing typed yet


def test_the_run_status_shows_cost_as_known_at_least_or_unknown(qtbot, runner, project):
    runner.open_simulation(project.simulations[SIM], SIM)
    with qtbot.waitSignal(runner.run_finished, timeout=20000) as blocker:
        runner.run()
    offline = blocker.args[0]
    assert "cost" not in runner.status.text()                 # the offline engine pays nothing
    model = offline.model_copy(update={"engine": "openai/x", "tokens": 1200})
    runner.show_result(model.model_copy(update={"cost": 0.0123}))
    assert "1200 tokens" in runner.status.text() and "cost $0.0123" in runner.status.text()
    runner.show_result(model.model_copy(update={"cost": None, "cost_known": 0.002}))
    assert "cost ≥ $0.0020 (some prices unknown)" in runner.status.text()
    runner.show_result(model.model_copy(update={"cost": None, "cost_known": None}))
    assert "cost unknown" in runner.status.text() and "$0" not in runner.status.text()
