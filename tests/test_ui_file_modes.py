"""Files the app saves keep their permissions: a hand-written procedure the app re-saves
keeps its own mode (it used to come back 0600, mkstemp's), and a procedure the app
creates gets what the umask allows, like any other program's new file."""
from __future__ import annotations

import os
import stat

import pytest

from test_ui_support import close_window, demo_project, open_window, studio_home  # noqa: F401

pytestmark = pytest.mark.gui


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_app_re_saves_a_hand_written_file_with_its_mode_and_new_ones_with_the_umasks(
        qtbot, demo_project):
    hand_written = demo_project / "procedures" / "damaged-order.yaml"
    os.chmod(hand_written, 0o640)                      # group may read it, others not
    old = os.umask(0o022)
    win = open_window(qtbot, demo_project, confirm=True, new_procedure=("Lost parcel", None))
    try:
        editor = win.open_item("procedure", "damaged-order")
        editor.select_step("ask-order")
        editor.insert_step("instruction")
        win.actions_["new_procedure"].trigger()
        assert win.session.is_dirty
        win.actions_["save_all"].trigger()
        assert not win.session.is_dirty
    finally:
        os.umask(old)
        close_window(win)
    assert "kind: instruction" in hand_written.read_text()   # it was rewritten
    assert _mode(hand_written) == 0o640
    assert _mode(demo_project / "procedures" / "lost-parcel.yaml") == 0o644
