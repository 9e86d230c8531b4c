"""`studio simulate` and `studio run-all` on a model: --model / --api-base override
studio.yaml, unchanged re-runs come from the cache for free, --no-cache and the
repeats of --repeat always ask the model, tokens and cost are reported."""
from __future__ import annotations

import json

import pytest

from llm_kit import SAMPLE, agent_fake, isolated, server  # noqa: F401  (fixtures)
from studio.cli import main

SIM = "damaged-no-photo-half-refund"


@pytest.fixture
def root(sample_copy):
    """food-delivery whose studio.yaml names a model on a server that is not running."""
    root = sample_copy(SAMPLE)
    settings = root / "studio.yaml"
    settings.write_text(settings.read_text().replace(
        "model: {name: offline}",
        "model: {name: openai/project-model, api_base: 'http://127.0.0.1:9/v1', retries: 0}"))
    return root


def _json_out(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_simulate_flags_override_the_project_model(fake, root, capsys):
    p = str(root)
    assert main(["simulate", p, SIM, "--json"]) == 2             # studio.yaml's server is down
    down = _json_out(capsys)
    assert down["status"] == "error" and "127.0.0.1:9" in down["error"]
    assert main(["simulate", p, SIM, "--api-base", fake.url, "--json"]) == 0
    result = _json_out(capsys)
    assert result["engine"] == "openai/project-model" and result["status"] == "passed"
    assert {r["model"] for r in fake.requests} == {"project-model"}
    assert main(["simulate", p, SIM, "--model", "openai/fake-model", "--api-base", fake.url,
                 "--json"]) == 0
    result = _json_out(capsys)
    assert result["engine"] == "openai/fake-model" and fake.requests[-1]["model"] == "fake-model"
    assert result["tokens"] > 0 and result["cost"] is None         # unknown price: not 0
    calls = fake.calls
    assert main(["simulate", p, SIM, "--model", "offline", "--json"]) == 0
    assert _json_out(capsys)["engine"] == "offline" and fake.calls == calls


def test_run_all_uses_the_cache_unless_told_not_to(fake, root, tmp_path, capsys):
    # simulations that ask the same thing at the same moment share one call (single_flight.py),
    # which timing decides: so what is checked is which requests were asked, and who paid
    p, flags = str(root), ["--model", "openai/fake-model", "--api-base", fake.url,
                           "--procedure", "damaged-order", "-q", "--concurrency", "1"]
    report = tmp_path / "run.json"

    def run(*extra: str) -> dict:
        assert main(["run-all", p, *flags, "--json", str(report), *extra]) == 0
        capsys.readouterr()
        return json.loads(report.read_text())

    def asked(since: int) -> set[str]:
        return {json.dumps(body, sort_keys=True) for body in fake.requests[since:]}

    fresh = run("--no-cache")
    calls, every_request = fake.calls, asked(0)
    assert fresh["passed"] == fresh["total"] > 0 and calls > 0
    assert all(r["engine"] == "openai/fake-model" for r in fresh["results"])
    assert all(r["tokens"] > 0 and r["cost"] is None for r in fresh["results"])
    assert main(["stats", p, "--json"]) == 0     # the run's tokens: the sum over its simulations
    total = json.loads(capsys.readouterr().out)["run"]["total"]
    assert total["tokens"] == sum(r["tokens"] for r in fresh["results"])
    assert total["cost"] is None                 # unknown prices stay unknown
    cached = run()
    assert fake.calls == calls                   # an unchanged re-run is served from the cache
    assert cached["passed"] == cached["total"]
    assert all(r["tokens"] == 0 and r["cost"] == 0.0 for r in cached["results"])   # and free
    before = fake.calls
    repeated = run("--repeat", "3")
    assert repeated["total"] == 3 * fresh["total"] and repeated["passed"] == repeated["total"]
    first = [r for r in repeated["results"] if r["repeat_index"] == 0]
    assert len(first) == fresh["total"] and all(r["tokens"] == 0 for r in first)   # the cache's
    # repeats never: each of the other two asks every request again
    assert asked(before) == every_request and fake.calls - before >= 2 * len(every_request)
    before = fake.calls
    run("--no-cache")
    assert asked(before) == every_request


def test_known_prices_are_summed_and_one_unknown_price_makes_the_total_unknown(fake, root, capsys):
    p, flags = str(root), ["--model", "openai/gpt-4o-mini", "--api-base", fake.url, "--no-cache",
                           "--json"]
    assert main(["simulate", p, "damaged-photo-full-refund", *flags]) == 0
    priced = _json_out(capsys)
    assert priced["status"] == "passed" and priced["cost"] > 0      # litellm knows this price
    settings = root / "studio.yaml"
    settings.write_text(settings.read_text().replace("retries: 0", "retries: 0, judge: openai/judge-x"))
    assert main(["simulate", p, "damaged-photo-full-refund", *flags]) == 0
    mixed = _json_out(capsys)
    assert mixed["status"] == "passed" and mixed["cost"] is None    # the judge's price is unknown
    assert mixed["tokens"] == priced["tokens"]


def test_human_output_shows_tokens_and_cost_when_a_model_ran(fake, root, capsys):
    p = str(root)
    flags = ["--api-base", fake.url, "--no-cache"]
    assert main(["simulate", p, "damaged-photo-full-refund", "--model", "offline"]) == 0
    assert "tokens" not in capsys.readouterr().out.splitlines()[1]     # no model, no tokens
    assert main(["simulate", p, "damaged-photo-full-refund", "--model", "openai/fake-model",
                 *flags]) == 0
    head = capsys.readouterr().out.splitlines()[1]
    assert " tokens · cost unknown" in head                            # no price: not $0
    assert main(["simulate", p, "damaged-photo-full-refund", "--model", "openai/gpt-4o-mini",
                 *flags]) == 0
    head = capsys.readouterr().out.splitlines()[1]
    assert " tokens · cost $0.0" in head and "≥" not in head           # every price known
    settings = root / "studio.yaml"
    settings.write_text(settings.read_text().replace("retries: 0", "retries: 0, judge: openai/judge-x"))
    assert main(["simulate", p, "damaged-photo-full-refund", "--model", "openai/gpt-4o-mini",
                 *flags]) == 0
    head = capsys.readouterr().out.splitlines()[1]
    assert "cost ≥ $0.0" in head and "(some prices unknown)" in head   # the judge's price is not
    assert main(["run-all", p, "--procedure", "damaged-order", "--model", "openai/gpt-4o-mini",
                 *flags, "-q"]) == 0
    summary = [line for line in capsys.readouterr().out.splitlines() if line.startswith("run ")][-1]
    assert " tokens, cost ≥ $0.0" in summary and "(some prices unknown)" in summary
    assert main(["run-all", p, "--procedure", "damaged-order", "--model", "offline", "-q"]) == 0
    summary = [line for line in capsys.readouterr().out.splitlines() if line.startswith("run ")][-1]
    assert "tokens" not in summary and "cost" not in summary
