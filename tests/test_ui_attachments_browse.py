"""Browse… in the simulation editor copies a file from anywhere into the project's
attachments folder and selects it; a different file of the same name is replaced only
when the user says so, otherwise the copy is given a free name."""
from __future__ import annotations

import pytest

from studio.core.project import load_project

from test_ui_support import sample_window as window  # noqa: F401  (fixture)
from test_ui_support import studio_home  # noqa: F401
from test_ui_support import SAMPLE_SIMULATION, simulation_editor as editor  # noqa: F401  (fixture)

pytestmark = pytest.mark.gui
KEY = SAMPLE_SIMULATION


def _turn_files(editor) -> list[str]:
    return [a.file for a in editor.simulation().customer.turns()[2].attachments]


def test_browse_copies_a_new_file_and_selects_it(qtbot, window, editor, tmp_path):
    outside = tmp_path / "elsewhere" / "receipt.png"
    outside.parent.mkdir()
    outside.write_bytes(b"\x89PNG fake receipt")
    window.prompts.answers["open_file"] = str(outside)
    form = editor.customer
    form.turn_list.setCurrentRow(2)
    atts = form.attachments
    atts.list.setCurrentRow(0)
    atts.browse_button.click()
    folder = window.session.root / "attachments"
    assert (folder / "receipt.png").read_bytes() == outside.read_bytes()
    assert atts.file.currentData() == "receipt.png"
    assert _turn_files(editor) == ["receipt.png"]
    assert editor.customer.attachments.current().extracted == {"has_photo": True}   # kept
    assert editor.dirty
    assert editor.save(), editor.problems.text()
    turn = load_project(window.session.root).simulations[KEY].customer.turns()[2]
    assert [a.file for a in turn.attachments] == ["receipt.png"]


def test_same_name_asks_and_keeps_both_or_replaces(qtbot, window, editor, tmp_path):
    folder = window.session.root / "attachments"
    original = (folder / "crushed-pizza.png").read_bytes()
    other = tmp_path / "crushed-pizza.png"
    other.write_bytes(b"a different photo")
    prompts = window.prompts
    prompts.answers["open_file"] = str(other)
    form = editor.customer
    form.turn_list.setCurrentRow(2)
    atts = form.attachments
    atts.list.setCurrentRow(0)

    prompts.answers["yes_no_cancel"] = "cancel"
    atts.browse_button.click()
    assert prompts.asked[-1][0] == "yes_no_cancel" and "crushed-pizza.png" in prompts.asked[-1][1][1]
    assert (folder / "crushed-pizza.png").read_bytes() == original and not editor.dirty

    prompts.answers["yes_no_cancel"] = "no"                 # keep both: a free name
    atts.browse_button.click()
    assert (folder / "crushed-pizza-2.png").read_bytes() == b"a different photo"
    assert (folder / "crushed-pizza.png").read_bytes() == original
    assert _turn_files(editor) == ["crushed-pizza-2.png"]

    prompts.answers["yes_no_cancel"] = "yes"                # replace the folder's file
    atts.browse_button.click()
    assert (folder / "crushed-pizza.png").read_bytes() == b"a different photo"
    assert _turn_files(editor) == ["crushed-pizza.png"]

    asked = len(prompts.asked)                              # now identical: no question
    atts.browse_button.click()
    assert [name for name, _ in prompts.asked[asked:]] == ["open_file"]
    assert _turn_files(editor) == ["crushed-pizza.png"]


def test_browse_without_a_selected_attachment_adds_one(qtbot, window, editor, tmp_path):
    source = tmp_path / "note.txt"
    source.write_text("hello")
    window.prompts.answers["open_file"] = str(source)
    form = editor.customer
    form.turn_list.setCurrentRow(0)
    assert form.attachments.list.count() == 0
    form.attachments.browse()
    assert form.attachments.list.count() == 1
    assert editor.simulation().customer.turns()[0].attachments[0].file == "note.txt"
    window.prompts.answers["open_file"] = None              # the dialog was cancelled
    assert form.attachments.browse() is None and form.attachments.list.count() == 1
