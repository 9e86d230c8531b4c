"""The Conversations screen: filters, replay with progress and cancel, side by side with
divergences marked, Save as simulation, charts exported as PNG and CSV; the main
window's dock."""
from __future__ import annotations

import copy
import json

import pytest

from conversation_kit import scenario, with_production
from studio.core.project import load_project
from studio.flywheel.importer import import_files
from studio.library import Library

pytestmark = pytest.mark.gui


def conversations(project, count=40):
    convs = [with_production(project, scenario(i)) for i in range(count)]
    # two that production handed off but today's procedures resolve
    for conv in convs:
        if conv["outcome"] == "resolved" and conv["procedure"] == "damaged-order":
            conv["outcome"] = "handoff"
            conv["messages"].append({"role": "human", "text": "Sam here."})
            conv["diverged"] = True
            if sum(1 for c in convs if c.get("diverged")) == 2:
                break
    return convs


@pytest.fixture
def screen(qtbot, sample_copy, tmp_path):
    from studio.ui.conversations.screen import ConversationsScreen
    root = sample_copy("food-delivery")
    project = load_project(root)
    convs = conversations(project)
    data = tmp_path / "prod.jsonl"
    data.write_text("".join(json.dumps({k: v for k, v in c.items() if k not in ("meta", "diverged")})
                            + "\n" for c in convs))
    library = Library.open(root)
    import_files(library, [data])
    saved = []
    view = ConversationsScreen(project, library,
                               save_simulation=lambda key, sim: (saved.append((key, sim)),
                                                                 project.save_simulation(key, sim)))
    view.saved, view.convs = saved, convs
    qtbot.addWidget(view)
    view.resize(1400, 800)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == len(convs), timeout=20000)
    yield view
    view.dispose()
    library.close()


def wait_idle(qtbot, view):
    qtbot.waitUntil(lambda: view.task is None, timeout=60000)
    view.pool.waitForDone(10000)
    qtbot.wait(50)


def test_replay_marks_the_diverged_and_the_filter_lists_only_them(qtbot, screen):
    assert screen.model.text(screen.model.rows[0], "kinds") == "not replayed"
    screen.replay_button.click()
    assert screen.cancel_button.isEnabled() and screen.progress.isVisible()
    wait_idle(qtbot, screen)
    assert "Replayed 40: 2 diverged" in screen.status.text()
    screen.diverged.setCurrentIndex(1)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=10000)
    expected = {c["id"] for c in screen.convs if c.get("diverged")}
    assert {r["id"] for r in screen.model.rows} == expected
    assert all(screen.model.text(r, "kinds") == "now resolved" for r in screen.model.rows)
    screen.table.selectRow(0)
    qtbot.waitUntil(lambda: "now resolved" in screen.pair.today.toPlainText(), timeout=10000)
    assert "now resolved" in screen.pair.production.toPlainText()
    assert "handoff" in screen.pair.production_title.text()
    assert "resolved" in screen.pair.today_title.text()


def test_filters_by_procedure_outcome_unmatched_and_date(qtbot, screen):
    index = screen.procedure.findData("late-delivery")
    screen.procedure.setCurrentIndex(index)
    late = sum(1 for c in screen.convs if c["procedure"] == "late-delivery")
    qtbot.waitUntil(lambda: screen.model.rowCount() == late, timeout=10000)
    screen.procedure.setCurrentIndex(0)
    screen.unmatched.setChecked(True)
    qtbot.waitUntil(lambda: screen.model.rowCount() == sum(1 for c in screen.convs if not c["procedure"]),
                    timeout=10000)
    screen.unmatched.setChecked(False)
    screen.outcome.setCurrentText("unresolved")
    qtbot.waitUntil(lambda: screen.model.rowCount() == sum(1 for c in screen.convs
                                                          if c["outcome"] == "unresolved"), timeout=10000)
    screen.outcome.setCurrentIndex(0)
    from PySide6.QtCore import QDate
    screen.since.setDate(QDate(2026, 11, 10))
    later = sum(1 for c in screen.convs if c["started_at"] >= "2026-11-10")
    qtbot.waitUntil(lambda: screen.model.rowCount() == later, timeout=10000)


def test_selecting_replays_on_demand_and_save_as_simulation_after_review(qtbot, screen, monkeypatch):
    from studio.ui.conversations import screen as screen_module
    reviewed = []
    monkeypatch.setattr(screen_module, "review_capture", lambda parent, cap: reviewed.append(cap) or True)
    screen.table.selectRow(0)
    qtbot.waitUntil(lambda: "turn 1" in screen.pair.today.toPlainText(), timeout=10000)
    screen.save_button.click()
    qtbot.waitUntil(lambda: bool(screen.saved), timeout=10000)
    key, sim = screen.saved[0]
    assert reviewed and sim.name == f"production {screen.model.rows[0]['id']}"
    assert (screen.project.root / "simulations" / f"{key}.yaml").is_file()
    assert "Saved simulation" in screen.status.text()


def test_cancel_stops_a_replay_and_keeps_what_was_done(qtbot, screen):
    screen.replay_button.click()
    screen.cancel()
    wait_idle(qtbot, screen)
    assert screen.replay_button.isEnabled() and not screen.progress.isVisible()
    assert "Replayed" in screen.status.text()


def test_charts_over_time_export_png_and_csv(qtbot, screen, tmp_path, monkeypatch):
    assert screen.charts.series and sum(r["triggered"] for r in screen.charts.series) == 40
    from PySide6.QtWidgets import QFileDialog
    for kind in ("png", "csv"):
        target = tmp_path / f"chart.{kind}"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, t=target: (str(t), ""))
        getattr(screen.charts, f"export_{kind}").click()
        assert target.is_file() and target.stat().st_size > 0
    lines = (tmp_path / "chart.csv").read_text().splitlines()
    assert lines[0] == "week,triggered,resolved,handoff,unresolved" and len(lines) > 1
    assert (tmp_path / "chart.png").read_bytes()[:4] == b"\x89PNG"


def test_import_from_the_screen_reports_redactions(qtbot, screen, tmp_path):
    data = tmp_path / "more.jsonl"
    data.write_text(json.dumps({"id": "new-1", "started_at": "2026-11-30T10:00:00Z", "messages": [
        {"role": "customer", "text": "mail me at jo@example.com"}]}) + "\n")
    screen.import_files([str(data)])
    wait_idle(qtbot, screen)
    assert "Imported 1 new" in screen.status.text() and "1 email" in screen.status.text()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 41, timeout=10000)


def test_import_from_the_screen_reads_intercom_lists_and_interleaved_csv(qtbot, screen, tmp_path):
    """What the Import… dialog offers (*.json, *.csv) in the forms exports come in."""
    listed = tmp_path / "intercom.json"
    listed.write_text(json.dumps({"type": "conversation.list", "pages": {"page": 1},
                                  "conversations": [{"type": "conversation", "id": "ic-1",
                                                     "created_at": 1764496800,
                                                     "source": {"body": "<p>where is my order</p>",
                                                                "author": {"type": "user"}}}]}))
    screen.import_files([str(listed)])
    wait_idle(qtbot, screen)
    assert "Imported 1 new" in screen.status.text()
    rows = tmp_path / "by-time.csv"
    rows.write_text("conversation_id,role,text,timestamp\n"
                    "x1,customer,my food is late,2026-11-30T10:00:00Z\n"
                    "x2,customer,I want to cancel,2026-11-30T10:00:10Z\n"
                    "x1,agent,Which order?,2026-11-30T10:00:20Z\n")
    screen.import_files([str(rows)])
    wait_idle(qtbot, screen)
    assert "Imported 2 new" in screen.status.text()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 43, timeout=10000)
    ids = [r["id"] for r in screen.model.rows]
    assert {"ic-1", "x1", "x2"} <= set(ids)


def test_main_window_has_a_conversations_dock(qtbot, sample_copy):
    from test_ui_support import open_window
    root = sample_copy("food-delivery")
    win = open_window(qtbot, root, confirm=True, save_discard_cancel="discard")
    try:
        assert "conversations" in win.docks
        win.conversations_host.show()
        qtbot.waitUntil(lambda: win.conversations_host.screen is not None, timeout=20000)
        assert win.docks["conversations"].widget() is win.conversations_host.screen
    finally:
        if win.conversations_host.screen is not None:
            win.conversations_host.screen.dispose()
        win.controller.close(ask=False)
