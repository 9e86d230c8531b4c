"""Import forms real exports come in: CSV whose conversations' rows are interleaved (an
export sorted by time), and Intercom's list response `{"conversations": [...]}` (also
with `"type": "conversation.list"` and `pages`), both streamed with flat memory."""
from __future__ import annotations

import json
import tracemalloc

import pytest

from studio.cli import main
from studio.core.progress import Progress
from studio.flywheel import importer
from studio.flywheel.importer import import_files
from studio.flywheel.store import get
from studio.library import Library

from conversation_kit import traced_import


@pytest.fixture
def project(sample_copy):
    return sample_copy("food-delivery")


def ids_in_library(project) -> list[str]:
    with Library.open(project) as library:
        return [r["id"] for r in library.query("SELECT id FROM conversations ORDER BY rowid")]


# -- CSV, rows of a conversation anywhere in the file ------------------------------------

INTERLEAVED = ("conversation_id,role,text,timestamp,procedure,outcome,csat\n"
               "a,customer,my pizza arrived crushed,2026-11-30T10:00:00Z,,,\n"
               "b,customer,where is my order,2026-11-30T10:00:30Z,late-delivery,,\n"
               "a,agent,Sorry! What's the order number?,2026-11-30T10:01:00Z,,,\n"
               "c,customer,do you sell gift cards?,2026-11-30T10:01:10Z,,handoff,\n"
               "b,agent,Which order?,2026-11-30T10:01:30Z,,,\n"
               "a,customer,FD-123456,2026-11-30T10:02:00Z,damaged-order,,\n"
               "b,robot,??,2026-11-30T10:02:10Z,,,\n"
               "c,admin,Sam here,2026-11-30T10:03:00Z,,,\n"
               "a,agent,Refund RF-1 of 24.00 done,2026-11-30T10:04:00Z,,resolved,5\n"
               "b,customer,FD-654321,2026-11-30T10:05:00Z,,unresolved,\n")


def test_csv_rows_of_a_conversation_need_not_be_consecutive(project, tmp_path, capsys):
    data = tmp_path / "by-time.csv"
    data.write_text(INTERLEAVED, encoding="utf-8")
    assert main(["conversations", "import", str(project), str(data), "--json"]) == 1   # 1 rejected
    summary = json.loads(capsys.readouterr().out)
    assert (summary["read"], summary["added"], summary["rejected"]) == (4, 3, 1)
    assert summary["problems"] == [f"{data}:8: unknown role 'robot' (use customer, agent or human)"]
    assert ids_in_library(project) == ["a", "b", "c"]          # in order of first appearance
    with Library.open(project) as library:
        a, b, c = (get(library, x) for x in "abc")
    assert [m.text for m in a.messages] == ["my pizza arrived crushed",
                                            "Sorry! What's the order number?", "FD-123456",
                                            "Refund RF-1 of 24.00 done"]
    assert (a.procedure, a.outcome, a.csat, a.minutes()) == ("damaged-order", "resolved", 5, 4.0)
    assert [m.role for m in b.messages] == ["customer", "agent", "customer"]
    assert (b.procedure, b.outcome) == ("late-delivery", "unresolved")
    assert [m.role for m in c.messages] == ["customer", "human"] and c.outcome == "handoff"
    assert main(["conversations", "import", str(project), str(data), "--json"]) == 1
    again = json.loads(capsys.readouterr().out)
    assert (again["added"], again["skipped"]) == (0, 3)


def test_csv_blank_lines_and_short_rows_are_read_as_spreadsheets_write_them(project, tmp_path):
    data = tmp_path / "export.csv"
    data.write_text("conversation_id,role,text,timestamp,outcome\n"
                    "a,customer,\"my order,\nit is late\"\n"          # short row, text over two lines
                    "\n"
                    "a,agent,Which order?,2026-11-30T10:00:20Z,resolved\n", encoding="utf-8")
    with Library.open(project) as library:
        summary = import_files(library, [data])
        conv = get(library, "a")
    assert (summary.added, summary.rejected) == (1, 0)
    assert [m.text for m in conv.messages] == ["my order,\nit is late", "Which order?"]
    assert conv.outcome == "resolved" and conv.messages[0].at is None


def interleaved_csv(path, count: int, per: int = 4) -> None:
    """`count` conversations whose rows are spread over the whole file: row r of every
    conversation comes before row r+1 of any."""
    with open(path, "w", encoding="utf-8") as out:
        out.write("conversation_id,role,text,timestamp\n")
        for r in range(per):
            role = "customer" if r % 2 == 0 else "agent"
            for i in range(count):
                out.write(f"c-{i:06d},{role},message {r} of conversation {i} about FD-{i:06d},"
                          f"2026-11-30T10:{r:02d}:00Z\n")


def test_interleaved_csv_imports_with_flat_memory_and_progress(project, tmp_path, monkeypatch):
    from studio.flywheel import csv_reader
    monkeypatch.setattr(importer, "BATCH", 100)
    monkeypatch.setattr(csv_reader, "SPOOL_BATCH", 200)
    peaks, reports = [], []
    for count in (300, 3000):
        data = tmp_path / f"{count}.csv"
        interleaved_csv(data, count)
        summary, peak = traced_import(project, data, reports)
        peaks.append(peak)
        assert (summary.read, summary.rejected) == (count, 0)
    assert peaks[1] < peaks[0] * 1.5, peaks
    done = [d for d, t in reports if t == reports[-1][1]]
    assert done == sorted(done) and reports[-1][0] == reports[-1][1]
    with Library.open(project) as library:
        conv = get(library, "c-002999")
    assert [m.text for m in conv.messages] == [f"message {r} of conversation 2999 about FD-002999"
                                               for r in range(4)]


def test_a_long_csv_import_can_be_cancelled_while_its_rows_are_read(project, tmp_path, monkeypatch):
    from studio.flywheel import csv_reader
    monkeypatch.setattr(csv_reader, "TICK_EVERY", 500)
    data = tmp_path / "big.csv"
    interleaved_csv(data, 2000)
    progress = Progress(lambda d, t, m: None)
    progress.report = lambda *a: progress.cancel()
    with Library.open(project) as library:
        summary = import_files(library, [data], progress=progress)
    assert summary.cancelled and summary.added == 0


# -- Intercom's list response ------------------------------------------------------------

def intercom(conv_id: str, text: str = "My pizza came <b>crushed</b>") -> dict:
    return {"type": "conversation", "id": conv_id, "created_at": 1764496800,
            "source": {"type": "conversation", "body": f"<p>{text}</p>",
                       "author": {"type": "user", "id": "u1"}},
            "conversation_parts": {"type": "conversation_part.list", "conversation_parts": [
                {"part_type": "comment", "body": "<p>Sorry! Which order?</p>",
                 "created_at": 1764496810, "author": {"type": "bot", "id": "b1"}}]}}


PAGES = {"type": "pages", "page": 1, "per_page": 20, "total_pages": 1,
         "next": {"page": 2, "starting_after": "WzE3NjQ0OTY4MDAsMTIzXQ=="}}


@pytest.mark.parametrize("form", ["list-first", "list-last", "bare", "one-line"])
def test_intercom_list_response_is_read(form, project, tmp_path, capsys):
    convs = [intercom("123"), intercom("124", "where is my order")]
    wrapped = {"conversations": convs} if form == "bare" else (
        {"type": "conversation.list", "conversations": convs, "total_count": 2, "pages": PAGES}
        if form == "list-first" else
        {"type": "conversation.list", "pages": PAGES, "total_count": 2, "conversations": convs})
    data = tmp_path / "intercom.json"
    data.write_text(json.dumps(wrapped) if form == "one-line" else json.dumps(wrapped, indent=2))
    assert main(["conversations", "import", str(project), str(data), "--format", "intercom",
                 "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["read"], summary["added"], summary["rejected"]) == (2, 2, 0)
    with Library.open(project) as library:
        first, second = get(library, "123"), get(library, "124")
    assert [(m.role, m.text) for m in first.messages] == [
        ("customer", "My pizza came crushed"), ("agent", "Sorry! Which order?")]
    assert second.messages[0].text == "where is my order"


def test_intercom_list_is_recognised_without_format_flag(project, tmp_path, capsys):
    data = tmp_path / "export.json"
    data.write_text(json.dumps({"type": "conversation.list", "conversations": [intercom("9")]}))
    assert main(["conversations", "import", str(project), str(data)]) == 0
    assert ids_in_library(project) == ["9"]


def test_a_bad_element_of_the_list_is_named_by_line_and_the_rest_kept(project, tmp_path, capsys):
    convs = [intercom("1"), {"type": "conversation", "source": {}}, intercom("3")]
    text = json.dumps({"type": "conversation.list", "conversations": convs}, indent=2)
    cut = text[:text.rindex('"id": "3"')]                       # the file ends inside #3
    for name, body in (("bad.json", text), ("cut.json", cut)):
        (tmp_path / name).write_text(body)
    assert main(["conversations", "import", str(project), str(tmp_path / "bad.json"),
                 "--format", "intercom", "--json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    source_line = text[:text.index('"source": {}')].count("\n") + 1
    opens = source_line - 2                     # its "{" is two lines above, then "type"
    assert text.splitlines()[opens - 1].strip() == "{"
    assert summary["problems"] == [f"{tmp_path / 'bad.json'}:{opens}: "
                                   "an Intercom conversation needs an 'id'"]
    assert ids_in_library(project) == ["1", "3"]
    assert main(["conversations", "import", str(project), str(tmp_path / "cut.json"),
                 "--format", "intercom", "--json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    problem = summary["problems"][-1]                 # after the element without an id
    assert len(summary["problems"]) == 2 and "cut off" in problem and problem.startswith(f"{tmp_path / 'cut.json'}:")


def test_a_long_intercom_list_streams_with_flat_memory(project, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 100)
    peaks = []
    for count in (300, 3000):
        data = tmp_path / f"{count}.json"
        with open(data, "w", encoding="utf-8") as out:      # one line, as the API sends it
            out.write('{"type": "conversation.list", "pages": {"page": 1}, "conversations": [')
            out.write(",".join(json.dumps(intercom(f"i-{i}", f"order FD-{i:06d}"))
                               for i in range(count)))
            out.write('], "total_count": %d}' % count)
        with Library.open(project) as library:
            tracemalloc.start()
            summary = import_files(library, [data], fmt="intercom")
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        assert (summary.read, summary.rejected) == (count, 0)
    assert peaks[1] < peaks[0] * 1.5, peaks
