"""A damaged library in the app (issue 11 item 5): the Library panel says what is wrong and
how to fix it, offers the fix as a button, and the rebuilt library is there at once; the
editor stays usable throughout."""
from __future__ import annotations

import os

import pytest

from studio.cli import main
from studio.core.project import LIBRARY_FILE
from studio.ui.panels.library.damaged_notice import DamagedLibraryNotice
from studio.ui.panels.library.library_view import LibraryView
from test_ui_support import close_window, open_window, studio_home  # noqa: F401

pytestmark = pytest.mark.gui


@pytest.fixture
def damaged(sample_copy):
    root = sample_copy("food-delivery")
    assert main(["run-all", str(root), "--quiet"]) == 0
    path = root / LIBRARY_FILE
    with open(path, "r+b") as handle:              # one page overwritten, as a disk or a sync tool might
        handle.seek(path.stat().st_size // 4096 // 2 * 4096)
        handle.write(os.urandom(4096))
    return root


def test_a_damaged_library_is_explained_in_the_panel_and_rebuilt_by_its_button(qtbot, studio_home, damaged):
    win = open_window(qtbot, damaged, confirm=True)
    try:
        win.panels_host.ensure_built()
        notice = win.panels_host.docks["library"].widget()
        assert isinstance(notice, DamagedLibraryNotice)
        assert "the simulation library is damaged" in notice.message.text()
        assert f"studio sim rebuild {damaged}" in notice.message.text()
        assert notice.message.wordWrap() and notice.button.isVisible()
        assert win.open_item("procedure", "damaged-order") is not None      # editing goes on
        notice.button.click()
        qtbot.waitUntil(lambda: isinstance(win.panels_host.docks["library"].widget(), LibraryView),
                        timeout=30000)
        assert list(damaged.glob(f"{LIBRARY_FILE}.broken-*"))              # the old file, kept aside
        assert "Rebuilt the library with 21 simulation(s)" in win.statusBar().currentMessage()
        view = win.panels_host.docks["library"].widget()
        qtbot.waitUntil(lambda: view.model.rowCount() == 21, timeout=30000)
    finally:
        close_window(win)


def test_a_failed_rebuild_says_why_and_can_be_tried_again(qtbot, tmp_path):
    def refuse(_root):
        raise RuntimeError("the disk is full")
    notice = DamagedLibraryNotice(tmp_path, "the simulation library is damaged", rebuild=refuse)
    qtbot.addWidget(notice)
    notice.show()
    with qtbot.waitSignal(notice.start_rebuild().failed, timeout=10000):
        pass
    qtbot.waitUntil(lambda: notice.button.isEnabled())
    assert "The rebuild failed" in notice.message.text() and "the disk is full" in notice.message.text()
