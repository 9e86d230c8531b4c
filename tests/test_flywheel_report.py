"""The conversations report against a hand count on a small file."""
from __future__ import annotations

import json

import pytest

from studio.cli import main


def conv(cid, start, procedure, outcome, csat=None, minutes=4, turns=2, opener="my pizza arrived crushed"):
    h, m = divmod(minutes, 60)
    messages = [{"role": "customer", "text": opener, "at": f"{start}T10:00:00Z"}]
    messages += [{"role": "customer", "text": "FD-123456", "at": f"{start}T10:01:00Z"}
                 for _ in range(turns - 1)]
    messages.append({"role": "agent", "text": "ok", "at": f"{start}T{10 + h:02d}:{m:02d}:00Z"})
    return {"id": cid, "started_at": f"{start}T10:00:00Z", "procedure": procedure,
            "outcome": outcome, "csat": csat, "messages": messages}


# Week of Mon 2026-11-02: damaged-order 3 (2 resolved, 1 handoff), late-delivery 1 unresolved.
# Week of Mon 2026-11-09: damaged-order 1 resolved; 3 unmatched (2 gift cards, 1 opening hours).
SMALL = [
    conv("a1", "2026-11-02", "damaged-order", "resolved", csat=5, minutes=4, turns=3),
    conv("a2", "2026-11-04", "damaged-order", "resolved", csat=3, minutes=6, turns=3),
    conv("a3", "2026-11-08", "damaged-order", "handoff", csat=1, minutes=20, turns=2),
    conv("a4", "2026-11-05", "late-delivery", "unresolved", minutes=10, turns=1, opener="where is my order"),
    conv("a5", "2026-11-09", "damaged-order", "resolved", minutes=2, turns=2),
    conv("u1", "2026-11-10", None, "handoff", opener="do you sell gift cards?", turns=1),
    conv("u2", "2026-11-11", None, "handoff", opener="do you have gift cards for sale", turns=1),
    conv("u3", "2026-11-12", None, "handoff", opener="what are your opening hours", turns=1),
]


@pytest.fixture
def imported(sample_copy, tmp_path, capsys):
    root = sample_copy("food-delivery")
    data = tmp_path / "small.jsonl"
    data.write_text("".join(json.dumps(c) + "\n" for c in SMALL))
    assert main(["conversations", "import", str(root), str(data), "-q"]) == 0
    capsys.readouterr()
    return root


def report(root, capsys, *flags):
    assert main(["conversations", "report", str(root), "--json", *flags]) == 0
    return json.loads(capsys.readouterr().out)


def test_report_matches_a_hand_count(imported, capsys):
    data = report(imported, capsys)
    assert data["schema"] == "conversations-report/v1" and data["total"] == 8
    procs = {p["procedure"]: p for p in data["procedures"]}
    damaged = procs["damaged-order"]
    assert (damaged["triggered"], damaged["resolved"], damaged["handoff"], damaged["unresolved"]) == (4, 3, 1, 0)
    assert damaged["success_rate"] == 0.75 and damaged["completion_rate"] == 1.0
    assert damaged["avg_turns"] == 2.5                      # (3 + 3 + 2 + 2) / 4
    assert damaged["avg_minutes"] == 8.0                    # (4 + 6 + 20 + 2) / 4
    assert (damaged["csat"], damaged["rated"]) == (3.0, 3)  # (5 + 3 + 1) / 3
    late = procs["late-delivery"]
    assert (late["triggered"], late["unresolved"], late["completion_rate"], late["success_rate"]) == (1, 1, 0.0, 0.0)
    assert procs["(unmatched)"]["triggered"] == 3
    weeks = {(w["week"], w["procedure"]): w for w in data["weeks"]}
    assert weeks[("2026-11-02", "damaged-order")]["triggered"] == 3
    assert weeks[("2026-11-02", "damaged-order")]["handoff"] == 1
    assert weeks[("2026-11-09", "damaged-order")]["triggered"] == 1
    assert weeks[("2026-11-09", "(unmatched)")]["triggered"] == 3
    clusters = data["unmatched"]["clusters"]
    assert data["unmatched"]["total"] == 3
    assert [c["count"] for c in clusters] == [2, 1]
    assert set(clusters[0]["examples"]) == {"do you sell gift cards?", "do you have gift cards for sale"}
    assert sorted(clusters[0]["conversations"]) == ["u1", "u2"]


def test_failure_modes_come_from_the_replay_by_step(imported, capsys):
    assert report(imported, capsys)["failure_modes"] == {"replayed": 0, "steps": []}
    main(["conversations", "replay", str(imported), "-q"])
    capsys.readouterr()
    modes = report(imported, capsys)["failure_modes"]
    assert modes["replayed"] == 8
    by_step = {(m["step"], m["outcome"]): m["count"] for m in modes["steps"]}
    # every script stops after the order number: damaged-order waits at ask-photo,
    # late-delivery's one turn leaves it asking for the number, unmatched ones end at routing
    assert by_step[("damaged-order.ask-photo", "unresolved")] == 4
    assert by_step[("late-delivery.ask-order", "unresolved")] == 1
    assert sum(c for (step, _), c in by_step.items() if step == "(routing)") == 3


def test_since_filter_and_text_and_html_output(imported, capsys, tmp_path):
    data = report(imported, capsys, "--since", "2026-11-09")
    assert data["total"] == 4
    assert main(["conversations", "report", str(imported)]) == 0
    out = capsys.readouterr().out
    assert "damaged-order" in out and "gift cards" in out and "75%" in out
    assert "--draft N" in out                      # how to turn a cluster into a procedure
    html = tmp_path / "report.html"
    assert main(["conversations", "report", str(imported), "--html", str(html)]) == 0
    page = html.read_text()
    assert page.startswith("<!DOCTYPE html>") and "damaged-order" in page and "gift cards" in page
    assert "<script" not in page


def test_draft_from_a_cluster_needs_a_model(imported, capsys):
    assert main(["conversations", "report", str(imported), "--draft", "1"]) == 2
    assert "needs a model" in capsys.readouterr().err
    assert main(["conversations", "report", str(imported), "--draft", "9", "--model", "openai/x"]) == 2
    assert "no cluster 9" in capsys.readouterr().err


def test_draft_a_procedure_from_an_unmatched_cluster(imported, capsys, tmp_path):
    from fake_openai import FakeOpenAI
    draft = ("```yaml\nschema: procedure/v1\nid: gift-cards\ntitle: Gift cards\n"
             "trigger: {description: The customer asks about gift cards., examples: [do you sell gift cards]}\n"
             "steps:\n  - {id: tell, kind: end, outcome: resolved, say: We do not sell gift cards yet.}\n```\n")
    out = tmp_path / "gift-cards.yaml"
    with FakeOpenAI() as fake:
        fake.push(draft)
        code = main(["conversations", "report", str(imported), "--draft", "1", "--out", str(out),
                     "--model", "openai/drafter", "--api-base", fake.url])
        prompt = json.dumps(fake.requests[-1])
    assert code == 0, capsys.readouterr().err
    assert "id: gift-cards" in out.read_text()
    assert "do you sell gift cards?" in prompt and "do you have gift cards for sale" in prompt


def test_with_a_model_each_cluster_is_named(imported, capsys):
    """A model names the clusters; a model that answers nonsense is an error (exit 2) and
    the report is still printed, its clusters unnamed."""
    from fake_openai import FakeOpenAI
    with FakeOpenAI() as fake:
        fake.push(json.dumps({"names": ["Gift cards", "Opening hours"]}))
        code = main(["conversations", "report", str(imported), "--json", "--model", "openai/namer",
                     "--api-base", fake.url])
        data = json.loads(capsys.readouterr().out)
        assert code == 0
        assert [c["name"] for c in data["unmatched"]["clusters"]] == ["Gift cards", "Opening hours"]
        fake.push("not json", "not json", "not json", "not json")
        code = main(["conversations", "report", str(imported), "--model", "openai/other",
                     "--api-base", fake.url])
    captured = capsys.readouterr()
    assert code == 2 and "could not be named" in captured.err and "gift cards" in captured.out
