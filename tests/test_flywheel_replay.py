"""Replaying production conversations through today's procedures: what diverges, where
(turn and trace event), and shadow replay of a change."""
from __future__ import annotations

import copy
import json

import pytest

from conversation_kit import scenario, with_production
from studio.cli import main
from studio.core.project import load_project
from studio.flywheel.compare import count_changes
from studio.flywheel.replay_store import latest_replay, replay_summaries
from studio.library import Library


def write(path, convs):
    path.write_text("".join(json.dumps({k: v for k, v in c.items() if k != "meta"}) + "\n"
                            for c in convs))
    return path


def perturb(conv: dict, how: str) -> dict:
    conv = copy.deepcopy(conv)
    if how == "routing":
        conv["procedure"] = "complaints"
    elif how == "now_resolved":
        conv["outcome"] = "handoff"
        conv["messages"].append({"role": "human", "text": "Sam here."})
    elif how == "now_handoff":
        conv["outcome"] = "resolved"
    elif how == "reply":
        last = max(i for i, m in enumerate(conv["messages"]) if m["role"] == "agent")
        conv["messages"][last]["text"] += " We also added £7.77 credit."
    return conv


@pytest.fixture(scope="module")
def thousand(tmp_path_factory):
    """1,000 conversations where production did what today's procedures do, but for a
    known few changed on purpose."""
    from pathlib import Path
    import shutil
    root = tmp_path_factory.mktemp("replay") / "food"
    shutil.copytree(Path(__file__).resolve().parents[1] / "sample_projects" / "food-delivery", root,
                    ignore=shutil.ignore_patterns("library.sqlite*"))
    project = load_project(root)
    convs, expected = [], {}
    for i in range(1000):
        conv = with_production(project, scenario(i))
        how = None
        if i % 97 == 3:
            how = "routing"
        elif i % 89 == 5 and conv["outcome"] == "resolved" and conv["procedure"] == "damaged-order":
            how = "now_resolved"
        elif i % 83 == 7 and conv["outcome"] == "handoff" and conv["procedure"]:
            how = "now_handoff"
        elif i % 79 == 11 and conv["outcome"] == "resolved":
            how = "reply"
        if how:
            conv = perturb(conv, how)
            expected[conv["id"]] = how
        convs.append(conv)
    data = write(root.parent / "prod.jsonl", convs)
    assert main(["conversations", "import", str(root), str(data), "-q"]) == 0
    return root, expected


@pytest.mark.timeout(900)        # 1,000 generated and replayed: minutes on a loaded 2-core machine
def test_replay_of_1000_conversations_lists_exactly_the_divergences(thousand, capsys):
    root, expected = thousand
    assert len(expected) >= 20 and set(expected.values()) == {"routing", "now_resolved",
                                                              "now_handoff", "reply"}
    assert main(["conversations", "replay", str(root), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["schema"] == "conversations-replay/v1"
    assert (report["replayed"], report["engine"], report["errors"]) == (1000, "offline", 0)
    found = {c["conversation"]: {d["kind"] for d in c["divergences"]}
             for c in report["conversations"]}
    assert {k: sorted(v) for k, v in found.items()} == {k: [v] for k, v in expected.items()}


@pytest.mark.timeout(900)
def test_each_divergence_points_at_its_turn_and_trace_event(thousand, capsys):
    root, expected = thousand
    main(["conversations", "replay", str(root), "--json", "--limit", "300"])
    capsys.readouterr()
    wanted_event = {"routing": "procedure_chosen", "now_resolved": "end", "now_handoff": "end",
                    "reply": "reply"}
    with Library.open(root) as library:
        summaries = replay_summaries(library)
        checked = 0
        for conv_id, how in expected.items():
            if conv_id not in summaries:
                continue
            replay = latest_replay(library, conv_id)
            (d,) = replay.divergences
            event = replay.trace[d.trace_index]
            assert event["type"] == wanted_event[how]
            assert d.turn == event["turn"]
            checked += 1
    assert checked >= 4


@pytest.mark.timeout(900)
def test_reply_divergence_names_the_facts_and_the_first_turn(thousand, capsys):
    root, expected = thousand
    conv_id = next(k for k, v in expected.items() if v == "reply")
    with Library.open(root) as library:
        replay = latest_replay(library, conv_id)
    (d,) = replay.divergences
    assert "7.77" in d.production and "7.77" not in d.today
    assert d.message.startswith(f"turn {d.turn}: production stated")


@pytest.mark.timeout(900)
def test_human_text_lists_divergences_and_a_summary(thousand, capsys):
    root, expected = thousand
    assert main(["conversations", "replay", str(root), "--since", "2026-11-20", "-q"]) in (0, 1)
    out = capsys.readouterr().out
    assert "conversations replayed (offline)" in out
    assert main(["conversations", "replay", str(root), "--procedure", "nope"]) == 0
    assert "0 conversations replayed" in capsys.readouterr().out


@pytest.fixture
def two_versions(sample_copy, tmp_path):
    """A: the sample; B: the same with damaged-order's 24 h window cut to 12 h."""
    a = sample_copy("food-delivery")
    project = load_project(a)
    convs = [with_production(project, scenario(i)) for i in range(80)]
    write(tmp_path / "prod.jsonl", convs)
    assert main(["conversations", "import", str(a), str(tmp_path / "prod.jsonl"), "-q"]) == 0
    import shutil
    b = tmp_path / "changed"
    shutil.copytree(a, b, ignore=shutil.ignore_patterns("library.sqlite*"))
    path = b / "procedures" / "damaged-order.yaml"
    text = path.read_text()
    assert text.count("order.hours_since_delivery <= 24") == 1
    path.write_text(text.replace("order.hours_since_delivery <= 24", "order.hours_since_delivery <= 12"))
    decided = {c["id"] for c in convs if c["meta"].get("hours") in (15, 20)}
    return a, b, decided


def test_compare_after_changing_one_condition_lists_exactly_what_it_decides(two_versions, capsys):
    a, b, decided = two_versions
    assert decided
    assert main(["conversations", "replay", str(a), "--compare", "working", str(b), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["schema"] == "conversations-compare/v1" and report["compared"] == 80
    assert {c["conversation"] for c in report["conversations"]} == decided
    whats = {c["what"] for conv in report["conversations"] for c in conv["changes"]}
    assert {"outcome", "handoff"} <= whats
    handoffs = {c["text"] for conv in report["conversations"] for c in conv["changes"]
                if c["what"] == "handoff"}
    assert handoffs == {"now hands off"}              # the 12 h window hands these off
    assert main(["conversations", "replay", str(a), "--compare", "working", "working"]) == 0
    assert "0 would change" in capsys.readouterr().out


def test_count_changes_for_a_review_screen(two_versions):
    a, b, decided = two_versions
    with Library.open(a) as library:
        assert count_changes(load_project(a), load_project(b), library) == len(decided)
        assert count_changes(load_project(a), load_project(a), library) == 0
        assert count_changes(load_project(a), load_project(b), library, limit=5) <= 5


def test_compare_needs_two_versions_and_says_which_it_cannot_read(two_versions, capsys):
    a, _, _ = two_versions
    assert main(["conversations", "replay", str(a), "--compare", "working"]) == 2
    assert main(["conversations", "replay", str(a), "--compare", "working", "no-such-rev"]) == 2
    assert "no-such-rev" in capsys.readouterr().err


def test_compare_with_nothing_approved_says_so(two_versions, capsys):
    """`approved` with no approval recorded is the working files: 0 changes, and a note why."""
    a, _, _ = two_versions
    capsys.readouterr()
    assert main(["conversations", "replay", str(a), "--compare"]) == 0
    captured = capsys.readouterr()
    assert "0 would change" in captured.out
    assert "no procedure is approved for" in captured.err and "studio approve" in captured.err

def test_compare_defaults_to_the_approved_revision_against_the_working_files(sample_copy, tmp_path, capsys):
    from studio.govern.approvals import Approval, write_approval
    from studio.library.revision_store import keep_project_revisions
    root = sample_copy("food-delivery")
    project = load_project(root)
    convs = [with_production(project, scenario(i)) for i in range(60)]
    write(tmp_path / "prod.jsonl", convs)
    assert main(["conversations", "import", str(root), str(tmp_path / "prod.jsonl"), "-q"]) == 0
    capsys.readouterr()
    with Library.open(root) as library:
        revisions = keep_project_revisions(library, project, "approval")
    write_approval(project, Approval(procedure="damaged-order", revision=revisions["damaged-order"],
                                     environment=project.settings.environments[-1]))
    path = root / "procedures" / "damaged-order.yaml"
    path.write_text(path.read_text().replace("order.hours_since_delivery <= 24",
                                             "order.hours_since_delivery <= 12"))
    assert main(["conversations", "replay", str(root), "--compare", "--json"]) == 1
    captured = capsys.readouterr()
    assert "no procedure is approved" not in captured.err
    report = json.loads(captured.out)
    assert (report["a"], report["b"]) == ("approved", "working")
    assert {c["conversation"] for c in report["conversations"]} == \
        {c["id"] for c in convs if c["meta"].get("hours") in (15, 20)}
    assert main(["conversations", "replay", str(root), "--procedure", "damaged-order",
                 "--compare", revisions["damaged-order"][:8], "working"]) == 1


def test_a_conversation_that_opens_with_hi_is_routed_again_after_the_fallback(sample_copy, tmp_path, capsys):
    """Real conversations often open with just "Hi!": today's engine answers fallback.say and
    routes the next message, so the replay matches production's procedure."""
    from studio.flywheel.conversation import ProductionConversation
    from studio.flywheel.replay import replay_one
    root = sample_copy("food-delivery")
    project = load_project(root)
    base = with_production(project, scenario(0))
    customer = [m for m in base["messages"] if m["role"] == "customer"]
    hi = {"id": "hi-1", "procedure": "damaged-order", "outcome": base["outcome"],
          "connector_calls": base["connector_calls"],
          "messages": [{"role": "customer", "text": "Hi!"},
                       {"role": "agent", "text": project.settings.fallback.say}] + customer}
    replay = replay_one(project, ProductionConversation.model_validate(hi))
    assert replay.transcript[1]["text"] == project.settings.fallback.say
    assert replay.triggered == "damaged-order" and replay.outcome == base["outcome"]
    assert not [d for d in replay.divergences if d.kind in ("routing", "outcome")]
