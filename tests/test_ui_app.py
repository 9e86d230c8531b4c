"""The app around the editor: crash recovery, outside changes, first start, smoke run."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from studio.ui import app_settings
from studio.ui.main_window import MainWindow

from test_ui_support import ScriptedPrompts, demo_project, studio_home  # noqa: F401

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parent.parent


def make_window(qtbot, **answers) -> MainWindow:
    win = MainWindow(ScriptedPrompts(**answers))
    qtbot.addWidget(win)
    return win


def test_recover_after_a_crash(qtbot, demo_project):
    first = make_window(qtbot)
    first.controller.open(demo_project)
    editor = first.open_item("procedure", "damaged-order")
    editor.select_step("ask-order")
    first.inspector.step_form.fields["text"].setPlainText("Ask for the order number first.")
    editor.insert_step("end")
    assert first.windowTitle().startswith("*")
    assert first.controller.autosave() == ["procedures/damaged-order.yaml"]
    # crash: the process dies without saving or closing (no controller.close)
    first.controller.autosave_timer.stop()
    before = (demo_project / "procedures/damaged-order.yaml").read_text()

    second = make_window(qtbot, offer_recovery=True)
    second.controller.open(demo_project)
    asked = [a for a in second.prompts.asked if a[0] == "offer_recovery"]
    assert asked and asked[0][1][0] == ["procedures/damaged-order.yaml"]
    procedure = second.session.project.procedures["damaged-order"]
    assert procedure.find_step("ask-order").text == "Ask for the order number first."
    assert procedure.steps[1].kind == "end"
    assert (demo_project / "procedures/damaged-order.yaml").read_text() == before  # not saved yet
    assert second.windowTitle().startswith("*")
    second.save_all()
    data = yaml.safe_load((demo_project / "procedures/damaged-order.yaml").read_text())
    assert data["steps"][0]["text"] == "Ask for the order number first."
    assert not second.controller.recovery.pending()
    second.controller.close(ask=False)

    third = make_window(qtbot, offer_recovery=True)     # nothing left to recover
    third.controller.open(demo_project)
    assert not [a for a in third.prompts.asked if a[0] == "offer_recovery"]
    third.controller.close(ask=False)


def test_declined_recovery_is_discarded(qtbot, demo_project):
    first = make_window(qtbot)
    first.controller.open(demo_project)
    first.open_item("procedure", "complaints").insert_step("code")
    first.controller.autosave()
    first.controller.autosave_timer.stop()
    second = make_window(qtbot, offer_recovery=False)
    second.controller.open(demo_project)
    assert "code" not in second.session.project.procedures["complaints"].step_ids()
    assert not second.controller.recovery.pending()
    second.controller.close(ask=False)


def test_outside_change_prompts_and_reloads_but_own_saves_do_not(qtbot, demo_project):
    win = make_window(qtbot, external_change=True)
    win.controller.open(demo_project)
    editor = win.open_item("procedure", "complaints")
    editor.insert_step("instruction")
    win.save_all()
    path = demo_project / "procedures/complaints.yaml"
    assert win.controller.check_external_changes([str(path)]) == []     # our own write
    assert not [a for a in win.prompts.asked if a[0] == "external_change"]
    data = yaml.safe_load(path.read_text())
    data["title"] = "Changed elsewhere"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert win.controller.check_external_changes([str(path)]) == ["procedures/complaints.yaml"]
    assert win.prompts.asked[-1] == ("external_change", ("procedures/complaints.yaml", False))
    assert win.session.project.procedures["complaints"].title == "Changed elsewhere"
    assert editor.title_label.text() == "Changed elsewhere"
    # declining keeps ours, and the same outside version is not asked about twice
    win.prompts.answers["external_change"] = False
    data["title"] = "Second outside edit"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert win.controller.check_external_changes([str(path)]) == []
    assert win.session.project.procedures["complaints"].title == "Changed elsewhere"
    count = len(win.prompts.asked)
    win.controller.check_external_changes([str(path)])
    assert len(win.prompts.asked) == count
    win.controller.close(ask=False)


def test_first_start_copies_the_sample_then_reopens_the_last_project(qtbot, studio_home, demo_project):
    if not (app_settings.samples_dir() / app_settings.SAMPLE / "studio.yaml").exists():
        pytest.skip("the bundled sample is not there yet")
    first = app_settings.startup_project()
    assert first.is_relative_to(studio_home) and (first / "studio.yaml").exists()
    win = make_window(qtbot)
    win.controller.open(demo_project)
    win.close()
    assert app_settings.startup_project() == demo_project.resolve()
    assert app_settings.recent_projects()[0] == str(demo_project.resolve())


def test_close_with_unsaved_changes_asks(qtbot, demo_project):
    win = make_window(qtbot, save_discard_cancel="cancel")
    win.controller.open(demo_project)
    win.open_item("procedure", "complaints").insert_step("end")
    assert not win.controller.close()                  # cancelled: still open
    win.prompts.answers["save_discard_cancel"] = "save"
    assert win.controller.close()
    data = yaml.safe_load((demo_project / "procedures/complaints.yaml").read_text())
    assert data["steps"][-1]["kind"] == "end"


def test_smoke_open_exit_codes(demo_project, studio_home, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", STUDIO_HOME=str(studio_home))
    ok = subprocess.run([sys.executable, "-m", "studio", "open", str(demo_project), "--smoke"],
                        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "first paint" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "studio", "open", str(tmp_path / "nope"), "--smoke"],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert bad.returncode != 0 and "not a project" in bad.stderr


def test_a_first_start_on_a_small_screen_opens_within_it(qtbot, studio_home):
    """The default size (1480x920) is larger than a 1366x768 laptop; the first window must
    not put its bottom docks and status bar off-screen (the offscreen screen is smaller still)."""
    win = make_window(qtbot)
    room = win.screen().availableGeometry()
    assert room.width() < 1480 or room.height() < 920, "the test needs a screen smaller than the default"
    assert win.width() <= room.width() and win.height() <= room.height()
    assert room.contains(win.geometry().topLeft())
