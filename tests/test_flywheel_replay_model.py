"""`studio conversations replay --model M`: the reply divergence is judged by the model
(on a fake OpenAI-compatible server on 127.0.0.1), not counted from stated facts; a
judge that cannot answer makes the replay an error, never a divergence."""
from __future__ import annotations

import copy
import json
import re

import pytest

from conversation_kit import scenario, with_production
from fake_openai_agent import agent_responder
from llm_kit import isolated, run_cli, server  # noqa: F401  (fixtures)
from llm_kit import reset_fake
from studio.core.project import load_project
from studio.flywheel.reply_judge import INSTRUCTIONS
from studio.library import Library
from studio.flywheel.replay_store import latest_replay

REFUSAL = "we cannot refund this order"


def judge_by_meaning(system: str, user: str) -> str:
    """A stand-in for a model's reading: a turn diverges when production refused and
    today does not; numbers alone decide nothing."""
    for block in user.split("\n\n"):
        number = int(re.match(r"Turn (\d+)", block).group(1))
        production = block.split("PRODUCTION: ", 1)[1].split("\nTODAY: ", 1)[0]
        today = block.split("\nTODAY: ", 1)[1]
        if (REFUSAL in production) != (REFUSAL in today):
            return json.dumps({"reasoning": f"turn {number}: production refused, today does not",
                               "first_divergent_turn": number,
                               "difference": "production refused the refund; today grants it"})
    return json.dumps({"reasoning": "same substance throughout", "first_divergent_turn": None,
                       "difference": ""})


def responder(judge):
    def answer(body: dict) -> str:
        system = body["messages"][0]["content"]
        if system.startswith(INSTRUCTIONS[:40]):
            return judge(system, body["messages"][1]["content"])
        return agent_responder(body)
    return answer


def judge_requests(fake) -> list[dict]:
    return [r for r in fake.requests if r["messages"][0]["content"].startswith(INSTRUCTIONS[:40])]


@pytest.fixture
def production(sample_copy, tmp_path, capsys):
    """Three damaged-order conversations production handled like today's procedures, then:
    `said-other-numbers` states an extra amount (facts differ, substance does not, for this
    judge), `refused` refused the refund in words (no fact differs)."""
    root = sample_copy("food-delivery")
    project = load_project(root)
    convs = [with_production(project, scenario(i)) for i in (0, 5, 10)]
    for conv in convs:
        conv.pop("meta")
    last = lambda c: max(i for i, m in enumerate(c["messages"]) if m["role"] == "agent")  # noqa: E731
    same, numbers, refused = convs
    same["id"], numbers["id"], refused["id"] = "same", "said-other-numbers", "refused"
    numbers["messages"][last(numbers)]["text"] += " Ticket 4417."
    refused = copy.deepcopy(refused)
    refused["messages"][last(refused)]["text"] += f" But sorry, {REFUSAL}."   # same numbers
    data = tmp_path / "prod.jsonl"
    data.write_text("".join(json.dumps(c) + "\n" for c in (same, numbers, refused)))
    code, out = run_cli(capsys, "conversations", "import", str(root), str(data), "-q")
    assert code == 0, out
    return root


def replay_json(capsys, root, fake) -> tuple[int, dict]:
    code, out = run_cli(capsys, "conversations", "replay", str(root), "--json", "--model",
                        "openai/fake-model", "--api-base", fake.url)
    return code, json.loads(out)


def test_offline_replay_counts_facts(production, capsys):
    code, out = run_cli(capsys, "conversations", "replay", str(production), "--json")
    report = json.loads(out)
    assert code == 1 and report["engine"] == "offline"
    found = {c["conversation"]: [d["kind"] for d in c["divergences"]] for c in report["conversations"]}
    assert found == {"said-other-numbers": ["reply"]}      # "refused" states no other fact


def test_with_a_model_the_reply_divergence_is_judged_by_it(production, capsys, server):
    fake = reset_fake(server, responder(judge_by_meaning))
    code, report = replay_json(capsys, production, fake)
    assert code == 1, report
    assert report["engine"] == "openai/fake-model" and report["errors"] == 0
    found = {c["conversation"]: c["divergences"] for c in report["conversations"]}
    assert list(found) == ["refused"]                      # the extra number is no divergence
    (d,) = found["refused"]
    assert d["kind"] == "reply" and "refused the refund" in d["message"]
    assert "judged by openai/fake-model" in d["message"]
    assert REFUSAL in d["production"] and REFUSAL not in d["today"]
    assert d["reasoning"].startswith(f"turn {d['turn']}")
    # one judge call per conversation, showing the judge both replies of each turn
    calls = judge_requests(fake)
    assert len(calls) == 3
    prompt = next(c["messages"][1]["content"] for c in calls if REFUSAL in json.dumps(c))
    assert f"sorry, {REFUSAL}." in prompt and "TODAY: " in prompt
    with Library.open(production) as library:
        replay = latest_replay(library, "refused")
    (stored,) = replay.divergences
    assert replay.trace[stored.trace_index]["type"] == "reply"
    assert replay.trace[stored.trace_index]["turn"] == stored.turn


def test_the_judges_answer_is_schema_strict_reasoning_first(production, capsys, server):
    fake = reset_fake(server, responder(judge_by_meaning))
    replay_json(capsys, production, fake)
    fmt = judge_requests(fake)[0]["response_format"]["json_schema"]["schema"]
    assert list(fmt["properties"])[0] == "reasoning"
    assert "first_divergent_turn" in fmt["required"]


@pytest.mark.parametrize("answer", ["{}", "not json at all",
                                    '{"reasoning": "x", "first_divergent_turn": 99, "difference": ""}'])
def test_a_judge_that_answers_malformed_is_retried_then_an_error_not_a_divergence(
        production, capsys, server, tmp_path, answer):
    (tmp_path / "user-config" / "settings.yaml").write_text(
        "model: {vision: true, retries: 1}\n")
    fake = reset_fake(server, responder(lambda system, user: answer))
    code, report = replay_json(capsys, production, fake)
    assert code == 2
    assert report["errors"] == 3 and report["diverged"] == 0
    assert report["by_kind"]["reply"] == 0
    assert len(judge_requests(fake)) >= 6                 # each conversation asked twice
    for conv in report["conversations"]:
        assert conv["status"] == "error" and not conv["diverged"]
        assert "reply judge" in conv["error"] and "malformed" in conv["error"]
        assert [d["kind"] for d in conv["divergences"]] == ["error"]
