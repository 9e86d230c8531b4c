"""Importing production conversations: JSONL, CSV, Intercom; idempotent by id; bad
records named by file and line; personal data redacted and never stored."""
from __future__ import annotations

import json
import sqlite3

import pytest

from studio.cli import main
from studio.flywheel.importer import import_files
from studio.flywheel.store import get
from studio.library import Library

CONV = {"id": "c-1842", "started_at": "2026-11-30T09:12:00Z", "channel": "chat",
        "customer": {"segment": "vip", "attributes": {"plan": "pro"}},
        "messages": [{"role": "customer", "text": "My pizza came crushed", "at": "2026-11-30T09:12:00Z"},
                     {"role": "agent", "text": "Sorry about that! What's the order number?"},
                     {"role": "human", "text": "Hi, Sam from support here.", "at": "2026-11-30T09:20:00Z"}],
        "procedure": "damaged-order", "outcome": "handoff", "csat": 4}


@pytest.fixture
def project(sample_copy):
    return sample_copy("food-delivery")


def write_jsonl(path, convs):
    path.write_text("".join(json.dumps(c) + "\n" for c in convs), encoding="utf-8")
    return path


def test_design_example_imports_and_a_second_import_adds_nothing(project, tmp_path, capsys):
    data = write_jsonl(tmp_path / "prod.jsonl", [CONV, CONV | {"id": "c-2"}])
    assert main(["conversations", "import", str(project), str(data), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["schema"] == "conversations-import/v1"
    assert (first["read"], first["added"], first["skipped"]) == (2, 2, 0)
    assert main(["conversations", "import", str(project), str(data), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["added"], again["skipped"]) == (0, 2)
    with Library.open(project) as library:
        conv = get(library, "c-1842")
        assert library.query("SELECT count(*) AS n FROM conversations")[0]["n"] == 2
    assert [m.role for m in conv.messages] == ["customer", "agent", "human"]
    assert (conv.procedure, conv.outcome, conv.csat, conv.minutes()) == ("damaged-order", "handoff", 4, 8.0)
    assert conv.customer.segment == "vip" and conv.customer.attributes == {"plan": "pro"}


def test_bad_records_are_named_by_file_and_line_and_the_rest_is_kept(project, tmp_path, capsys):
    data = tmp_path / "prod.jsonl"
    data.write_text(json.dumps(CONV) + "\n{broken\n" + json.dumps({"id": "c-3", "messages": [
        {"role": "robot", "text": "?"}]}) + "\n" + json.dumps(CONV | {"id": "c-4"}) + "\n")
    assert main(["conversations", "import", str(project), str(data)]) == 1
    err = capsys.readouterr().err
    assert f"{data}:2: not valid JSON" in err
    assert f"{data}:3: messages.0.role" in err
    with Library.open(project) as library:
        ids = [r["id"] for r in library.query("SELECT id FROM conversations ORDER BY id")]
    assert ids == ["c-1842", "c-4"]


def test_a_missing_file_or_a_folder_that_is_no_project_is_exit_2(project, tmp_path, capsys):
    assert main(["conversations", "import", str(project), str(tmp_path / "nope.jsonl")]) == 2
    data = write_jsonl(tmp_path / "prod.jsonl", [CONV])
    assert main(["conversations", "import", str(tmp_path), str(data)]) == 2
    assert "not a Procedure Studio project" in capsys.readouterr().err


PERSONAL = {
    "email": ("write to jo.smith+x@example.co.uk please", "jo.smith+x@example.co.uk"),
    "phone": ("call me on +44 7700 900123 after six", "+44 7700 900123"),
    "card": ("my card is 4111 1111 1111 1111 thanks", "4111 1111 1111 1111"),
    "iban": ("refund to GB82 WEST 1234 5698 7654 32 please", "GB82 WEST 1234 5698 7654 32"),
}


@pytest.mark.parametrize("kind", sorted(PERSONAL))
def test_each_kind_of_personal_data_is_redacted_counted_and_never_stored(kind, project, tmp_path, capsys):
    text, secret = PERSONAL[kind]
    conv = {"id": "c-pii", "customer": {"attributes": {"contact": secret}},
            "messages": [{"role": "customer", "text": text},
                         {"role": "agent", "text": f"Noted: {secret}"}],
            "connector_calls": [{"connector": "get_order", "inputs": {"q": secret},
                                 "output": {"echo": secret}}]}
    data = write_jsonl(tmp_path / "pii.jsonl", [conv])
    assert main(["conversations", "import", str(project), str(data), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    # two messages, the attribute, the connector's input and its output
    assert summary["redacted"][kind] == 5
    assert sum(summary["redacted"].values()) == 5
    with Library.open(project) as library:
        stored = get(library, "c-pii")
    assert stored.messages[0].text == text.replace(secret, f"[{kind}]")
    raw = b"".join(p.read_bytes() for p in project.glob("library.sqlite*"))
    assert secret.encode() not in raw
    assert secret.replace(" ", "").encode() not in raw


def test_numbers_that_are_not_personal_data_are_kept(project, tmp_path):
    text = ("order FD-123456 on 2026-11-30 cost 64.90; ref 4111 1111 1111 1112 "
            "and GB82 WEST 1234 5698 7654 33 is no IBAN")
    data = write_jsonl(tmp_path / "ok.jsonl", [{"id": "c-ok", "messages": [
        {"role": "customer", "text": text}]}])
    with Library.open(project) as library:
        summary = import_files(library, [data])
        stored = get(library, "c-ok")
    assert summary.redacted["card"] == 0 and summary.redacted["iban"] == 0
    assert "FD-123456" in stored.messages[0].text and "2026-11-30" in stored.messages[0].text
    assert "64.90" in stored.messages[0].text and "4111 1111 1111 1112" in stored.messages[0].text


def test_no_redact_keeps_the_text(project, tmp_path, capsys):
    data = write_jsonl(tmp_path / "pii.jsonl", [{"id": "c-1", "messages": [
        {"role": "customer", "text": PERSONAL["email"][0]}]}])
    assert main(["conversations", "import", str(project), str(data), "--no-redact"]) == 0
    assert "redaction off" in capsys.readouterr().out
    with Library.open(project) as library:
        assert get(library, "c-1").messages[0].text == PERSONAL["email"][0]


def test_csv_one_message_a_row_with_mapped_columns(project, tmp_path, capsys):
    data = tmp_path / "export.csv"
    data.write_text("ticket,who,body,sent,procedure,outcome,csat\n"
                    "t1,user,my food is late,2026-11-30T10:00:00Z,late-delivery,resolved,5\n"
                    "t1,bot,What's your order number?,2026-11-30T10:00:05Z,,,\n"
                    "t1,user,\"FD-123456, thanks\",2026-11-30T10:03:00Z,,,\n"
                    "t2,customer,I want to cancel,1764496800,,,\n"
                    "t2,admin,Sam here,1764497100,,handoff,\n", encoding="utf-8")
    assert main(["conversations", "import", str(project), str(data), "--format", "csv",
                 "--id-column", "ticket", "--role-column", "who", "--text-column", "body",
                 "--time-column", "sent"]) == 0
    with Library.open(project) as library:
        t1, t2 = get(library, "t1"), get(library, "t2")
    assert [m.role for m in t1.messages] == ["customer", "agent", "customer"]
    assert t1.messages[2].text == "FD-123456, thanks"
    assert (t1.procedure, t1.outcome, t1.csat, t1.minutes()) == ("late-delivery", "resolved", 5, 3.0)
    assert [m.role for m in t2.messages] == ["customer", "human"] and t2.outcome == "handoff"
    assert t2.minutes() == 5.0


def test_csv_without_the_columns_says_which_flag_names_them(project, tmp_path, capsys):
    data = tmp_path / "export.csv"
    data.write_text("ticket,role,text\nt1,user,hi\n")
    assert main(["conversations", "import", str(project), str(data)]) == 2
    assert "--id-column" in capsys.readouterr().err


def intercom(conv_id, parts, rating=None):
    return {"type": "conversation", "id": conv_id, "created_at": 1764496800,
            "source": {"type": "conversation", "body": "<p>My pizza came <b>crushed</b></p>",
                       "author": {"type": "user", "id": "u1", "email": "jo@example.com"}},
            "conversation_rating": {"rating": rating} if rating else None,
            "conversation_parts": {"type": "conversation_part.list", "conversation_parts": parts,
                                   "total_count": len(parts)}}


PARTS = [
    {"part_type": "comment", "body": "<p>Sorry! What&#39;s the order number?</p>",
     "created_at": 1764496810, "author": {"type": "bot", "id": "b1"}},
    {"part_type": "comment", "body": "<p>FD-123456</p>", "created_at": 1764496870,
     "author": {"type": "user", "id": "u1"}},
    {"part_type": "note", "body": "<p>internal: VIP</p>", "created_at": 1764496880,
     "author": {"type": "admin", "id": "a1"}},
    {"part_type": "assignment", "body": None, "created_at": 1764496890,
     "author": {"type": "admin", "id": "a1"}},
    {"part_type": "comment", "body": "<p>Hi, Sam here.</p>", "created_at": 1764497100,
     "author": {"type": "admin", "id": "a1"}},
]


@pytest.mark.parametrize("layout", ["jsonl", "array"])
def test_intercom_export_authors_user_bot_admin(layout, project, tmp_path, capsys):
    convs = [intercom("123", PARTS, rating=4), intercom("124", PARTS[:2])]
    data = tmp_path / "intercom.json"
    data.write_text("\n".join(json.dumps(c) for c in convs) if layout == "jsonl"
                    else json.dumps(convs, indent=2))
    assert main(["conversations", "import", str(project), str(data), "--format", "intercom"]) == 0
    with Library.open(project) as library:
        conv, other = get(library, "123"), get(library, "124")
    assert [(m.role, m.text) for m in conv.messages] == [
        ("customer", "My pizza came crushed"), ("agent", "Sorry! What's the order number?"),
        ("customer", "FD-123456"), ("human", "Hi, Sam here.")]
    assert conv.outcome == "handoff" and conv.csat == 4 and conv.minutes() == 5.0
    assert other.outcome is None and len(other.messages) == 3


def test_library_schema_upgrades_with_the_conversations_tables(project):
    with Library.open(project) as library:
        tables = set(library.db.table_names())
    assert {"conversations", "conversation_replays", "conversation_imports"} <= tables
    conn = sqlite3.connect(project / "library.sqlite")
    assert conn.execute("SELECT count(*) FROM conversation_imports").fetchone()[0] == 0
    conn.close()


def test_import_streams_with_flat_memory_and_reports_progress(project, tmp_path, monkeypatch):
    """Ten times the conversations, about the same peak memory: one batch is held at a
    time (the benchmark does 100,000: tests/benchmarks/bench_conversations_import.py)."""
    from conversation_kit import fast_line, traced_import
    from studio.flywheel import importer
    monkeypatch.setattr(importer, "BATCH", 100)
    peaks, reports = [], []
    for count in (300, 3000):
        data = tmp_path / f"{count}.jsonl"
        data.write_text("".join(fast_line(i) + "\n" for i in range(count)))
        summary, peak = traced_import(project, data, reports)
        peaks.append(peak)
        assert summary.read == count
    assert peaks[1] < peaks[0] * 1.5, peaks
    assert reports[-1][0] == reports[-1][1] and len(reports) > 30
