"""The Review screen as a lead uses it: approval state per environment, the semantic diff
side by side (changed fields highlighted on the cards, added and removed steps coloured on
the flowchart), Approve… refused with the failing simulation named then granted after the
fix, Export… saying what goes out and what cannot, and a bundle verified off the GUI thread."""
from __future__ import annotations

import pytest

from studio.cli import main as studio
from studio.core.project import load_project
from studio.library import Library
from studio.ui.review.approve_dialog import ApproveDialog
from studio.ui.review.diff_cards import HIGHLIGHT_BG
from studio.ui.review.export_dialog import ExportDialog
from studio.ui.review.review_screen import ReviewScreen
from studio.ui.review.verify_dialog import VerifyDialog

from govern_kit import edit

pytestmark = pytest.mark.gui
FAILING = "With no approval fixture the checkpoint is approved by default"


@pytest.fixture
def food(sample_copy):
    root = sample_copy("food-delivery")
    assert studio(["run-all", str(root), "--quiet"]) == 0
    return root


def open_screen(qtbot, root, lib) -> ReviewScreen:
    screen = ReviewScreen(load_project(root), lambda: lib)
    qtbot.addWidget(screen)
    screen.resize(1400, 900)
    with qtbot.waitSignal(screen.loaded, timeout=20000):
        screen.refresh()
    return screen


def select(qtbot, screen, procedure_id):
    items = [screen.procedures.topLevelItem(i) for i in range(screen.procedures.topLevelItemCount())]
    item = next(i for i in items if i.text(0) == procedure_id)
    if screen.procedures.currentItem() is item:
        return item
    with qtbot.waitSignal(screen.loaded, timeout=20000):
        screen.procedures.setCurrentItem(item)
    return item


def test_the_screen_shows_states_and_the_diff_since_approval(qtbot, food):
    for proc in ("damaged-order", "complaints"):
        assert studio(["approve", str(food), proc]) == 0
    proc = food / "procedures" / "damaged-order.yaml"
    edit(proc, "when: refund > 50", "when: refund > 80")
    edit(proc, "  - id: lookup\n", "  - id: greet\n    kind: instruction\n    text: Greet.\n"
                                   "  - id: lookup\n")
    with Library.open(food) as lib:
        screen = open_screen(qtbot, food, lib)
        row = select(qtbot, screen, "damaged-order")
        headers = [screen.procedures.headerItem().text(c) for c in range(screen.procedures.columnCount())]
        assert headers[2:4] == ["Staging", "Production"]
        assert (row.text(2), row.text(3)) == ("changed since approval", "never approved")
        complaints = select(qtbot, screen, "complaints")
        assert complaints.text(2) == "approved"
        select(qtbot, screen, "damaged-order")

        new, old = screen.diff.new, screen.diff.old
        assert "approved for staging" in old.title.text() and "working files" in new.title.text()
        assert new.marks == {"greet": "added", "approve": "changed"}
        assert new.flowchart.nodes["greet"].mark == "added"
        assert new.flowchart.nodes["approve"].mark == "changed"
        assert old.flowchart.nodes["approve"].mark == "changed" and "greet" not in old.flowchart.nodes
        html = new.cards.toHtml()
        assert "refund &gt; 80" in html and HIGHLIGHT_BG.lower() in html.lower()
        assert "refund &gt; 50" in old.cards.toHtml()
        assert "1 step added" in screen.diff.summary.text()
        assert old.focused == new.focused == "approve"      # the changed step side by side
        old.flowchart.step_selected.emit(["lookup"])        # picked on one side, shown on both
        assert old.focused == new.focused == "lookup"
        rows = [screen.history.topLevelItem(i) for i in range(screen.history.topLevelItemCount())]
        assert [r.text(3) for r in rows] == ["working files", "staging"]   # newest first
        assert rows[1].text(2) == "run 1: passed"


def test_a_removed_step_is_coloured_on_the_older_flowchart(qtbot, food):
    assert studio(["approve", str(food), "cancel-order"]) == 0
    proc = food / "procedures" / "cancel-order.yaml"
    text = proc.read_text()
    block = text[text.index("  - id: policy\n"):text.index("  - id: status\n")]
    proc.write_text(text.replace(block, ""))
    with Library.open(food) as lib:
        screen = open_screen(qtbot, food, lib)
        select(qtbot, screen, "cancel-order")
        assert screen.diff.old.marks == {"policy": "removed"}
        assert screen.diff.old.flowchart.nodes["policy"].mark == "removed"
        assert "policy" not in screen.diff.new.flowchart.nodes


def test_approve_is_refused_naming_the_failing_simulation_then_granted(qtbot, food):
    proc = food / "procedures" / "damaged-order.yaml"
    assert studio(["approve", str(food), "damaged-order"]) == 0    # the revision before the edit
    edit(proc, "when: refund > 50", "when: refund > 80")
    assert studio(["run-all", str(food), "--quiet"]) == 1
    with Library.open(food) as lib:
        dialog = ApproveDialog(load_project(food), lib, "damaged-order")
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.check is not None, timeout=20000)
        assert not dialog.approve_button.isEnabled()
        assert FAILING in dialog.reasons.text()
        qtbot.waitUntil(lambda: "conversations" in dialog.shadow.text()
                        and "Replaying" not in dialog.shadow.text(), timeout=20000)
        assert dialog.shadow.text().startswith("No real conversations in the library")  # not "0 of 500"
        dialog.environment.setCurrentText("production")
        qtbot.waitUntil(lambda: dialog.check.environment == "production", timeout=20000)
        assert "not approved for staging yet" in dialog.reasons.text()
        dialog.done(0)

    edit(proc, "when: refund > 80", "when: refund > 50.0")          # the fix, a new revision
    assert studio(["run-all", str(food), "--quiet"]) == 0
    with Library.open(food) as lib:
        dialog = ApproveDialog(load_project(food), lib, "damaged-order")
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.check is not None, timeout=20000)
        assert dialog.approve_button.isEnabled() and dialog.evidence.topLevelItemCount() == 12
        dialog.comment.setPlainText("Threshold back to 50")
        dialog.by.setText("Dana Reviewer")
        dialog.approve_button.click()
        assert dialog.approval is not None
    text = (food / "approvals" / "staging" / "damaged-order.yaml").read_text()
    assert "comment: Threshold back to 50" in text and "approved_by: Dana Reviewer" in text
    with Library.open(food) as lib:                  # the name typed is the next default
        dialog = ApproveDialog(load_project(food), lib, "late-delivery")
        qtbot.addWidget(dialog)
        assert dialog.by.text() == "Dana Reviewer"
        dialog.done(0)


def test_export_says_what_goes_out_and_what_cannot_then_writes_a_bundle(qtbot, food, tmp_path):
    for proc in ("damaged-order",):
        assert studio(["approve", str(food), proc]) == 0
        assert studio(["approve", str(food), proc, "--environment", "production"]) == 0
    target = tmp_path / "out.studio-bundle.zip"
    with Library.open(food) as lib:
        dialog = ExportDialog(load_project(food), lib, ask_path=lambda _p, _d: str(target))
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20000)
        text = dialog.details.toPlainText()
        assert "The export is blocked" in text and "damaged-order uses complaints" in text
        assert not dialog.export_button.isEnabled()
        dialog.done(0)
    for env in ("staging", "production"):
        assert studio(["approve", str(food), "complaints", "--environment", env]) == 0
    with Library.open(food) as lib:
        dialog = ExportDialog(load_project(food), lib, ask_path=lambda _p, _d: str(target))
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20000)
        text = dialog.details.toPlainText()
        assert "Goes out:" in text and "Does not go out:" in text
        assert "late-delivery: never approved for production" in text
        dialog.export_button.click()
        qtbot.waitUntil(lambda: dialog.written is not None, timeout=30000)
        assert target.is_file() and "Exported" in dialog.result.text()
        dialog.done(0)

    verify = VerifyDialog(str(target))
    qtbot.addWidget(verify)
    qtbot.waitUntil(lambda: verify.check is not None, timeout=60000)
    assert verify.check.ok and "Verified" in verify.summary.text()
    assert verify.results.topLevelItemCount() == 13
    verify.done(0)


def test_the_main_window_has_a_review_dock_and_menu(qtbot, food):
    from test_ui_support import open_window
    win = open_window(qtbot, food, confirm=True, save_discard_cancel="discard")
    host = win.review_host
    assert {"show", "approve", "export", "verify"} <= set(host.actions)
    from PySide6.QtCore import Qt
    win.resize(1280, 800)
    host.dock.show()
    win.resizeDocks([host.dock], [120], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: host.dock.height() < 300, timeout=5000)
    host.actions["show"].trigger()                     # a small dock grows: room to compare
    qtbot.waitUntil(lambda: host.dock.height() >= win.height() * 0.45, timeout=5000)
    screen = host.ensure_built()
    qtbot.waitUntil(lambda: screen.procedures.topLevelItemCount() == 4, timeout=20000)
    qtbot.waitUntil(lambda: screen.diff.summary.text() != "" and not screen.is_busy(),
                    timeout=20000)
    assert screen.procedure_id == "cancel-order"               # never approved: no false "added"
    assert "nothing to compare with" in screen.diff.summary.text() and screen.diff.new.marks == {}

    screen.procedure_id = "cancel-order"
    host.approve()
    dialog = host.approve_dialog
    qtbot.waitUntil(lambda: dialog.check is not None, timeout=20000)
    assert dialog.approve_button.isEnabled()
    dialog.approve_button.click()
    assert (food / "approvals" / "staging" / "cancel-order.yaml").is_file()
    qtbot.waitUntil(lambda: not screen.is_busy(), timeout=20000)
    win.controller.close(ask=False)


def test_the_library_regression_view_names_the_edit(qtbot, food):
    from studio.library.diff import diff_runs
    from studio.govern.regression import regression_causes
    from studio.ui.panels.library.diff_view import DiffView
    edit(food / "procedures" / "damaged-order.yaml", "when: refund > 50", "when: refund > 80")
    assert studio(["run-all", str(food), "--quiet"]) == 1
    with Library.open(food) as lib:
        diff = diff_runs(lib)
        view = DiffView()
        qtbot.addWidget(view)
        view.set_diff(diff, regression_causes(lib, diff))
    section = next(view.topLevelItem(i) for i in range(view.topLevelItemCount())
                   if view.topLevelItem(i).data(0, 256) == "regressions")
    regression = section.child(0)
    assert regression.text(0) == FAILING
    cause = regression.child(0)
    assert cause.text(0) == "caused by the edit"
    assert cause.text(2) == "approve.when: 'refund > 50' -> 'refund > 80'"


def test_approve_shows_how_many_real_conversations_the_change_alters(qtbot, food, tmp_path):
    import json as _json

    from studio.flywheel.importer import import_files
    assert studio(["approve", str(food), "damaged-order"]) == 0
    lines = [{"id": f"c-{n}", "started_at": f"2026-11-30T09:1{n}:00Z", "messages": [
        {"role": "customer", "text": "My pizza arrived crushed"},
        {"role": "agent", "text": "Sorry! What's the order number?"},
        {"role": "customer", "text": f"FD-12345{n}"},
        {"role": "agent", "text": "Could you send a photo of the damage?"},
        {"role": "customer", "text": "yes, here it is"}], "outcome": "resolved"} for n in range(3)]
    log = tmp_path / "conversations.jsonl"
    log.write_text("\n".join(_json.dumps(line) for line in lines) + "\n")
    edit(food / "procedures" / "damaged-order.yaml", "order.hours_since_delivery <= 24",
         "order.hours_since_delivery <= 0")                # every damaged order now goes to a human
    with Library.open(food) as lib:
        import_files(lib, [log])
        dialog = ApproveDialog(load_project(food), lib, "damaged-order")
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: "would turn out differently" in dialog.shadow.text()
                        or "failed" in dialog.shadow.text(), timeout=60000)
        assert "would turn out differently in <b>3</b> of the last 3 real" in dialog.shadow.text()
        dialog.done(0)
