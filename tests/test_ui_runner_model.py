"""The runner on the configured model (a local fake OpenAI-compatible server that
answers like the offline engine): each agent turn's reasoning includes what the
model said about its choices, and rubric expectations are judged, not skipped."""
import pytest

from fake_openai_agent import agent_responder  # noqa: E402
from llm_kit import isolated, reset_fake, server  # noqa: E402,F401  (fixtures)
from studio.core.project import load_project  # noqa: E402
from studio.ui.panels.runner.runner import RunnerPanel  # noqa: E402

pytestmark = pytest.mark.gui
SIM = "damaged-photo-full-refund"
MODEL = "openai/fake-model"


@pytest.fixture
def fake(server):
    yield reset_fake(server, agent_responder)


def test_a_model_run_shows_the_model_reasoning(qtbot, sample_copy, fake):
    project = load_project(sample_copy("food-delivery"))
    project.settings.model.name = MODEL
    project.settings.model.api_base = fake.url
    project.settings.model.retries = 1
    runner = RunnerPanel(project)
    qtbot.addWidget(runner)
    runner.resize(1200, 800)
    runner.show()
    runner.engine.setCurrentIndex(runner.engine.findData(MODEL))
    runner.open_simulation(project.simulations[SIM], SIM)
    with qtbot.waitSignal(runner.run_finished, timeout=60000) as blocker:
        runner.run()
    result = blocker.args[0]
    assert result.status == "passed", (result.error, result.failed_expectations)
    assert MODEL in runner.status.text() and "tokens" in runner.status.text()
    assert "cost " in runner.status.text() and "cost $0.0000" not in runner.status.text()
    agent = runner.transcript.agent_bubbles()
    first, last = agent[0].reasoning_text, agent[-1].reasoning_text
    assert "model: closest trigger scored" in first         # why the model chose the procedure
    assert "followed the steps" in last                     # the model's own reasoning for a reply
    assert ("rubric", "pass") in runner.expectations.statuses()
    assert ("rubric", "skipped") not in runner.expectations.statuses()
    runner._pool.waitForDone(10000)
