"""A procedure as YAML text beside its flowchart: typed text is saved as typed, problems
name line and column, and a recovered procedure whose text does not parse reopens here."""
from __future__ import annotations

import pytest

from studio.ui.main_window import MainWindow

from test_ui_support import ScriptedPrompts, demo_project, studio_home, window  # noqa: F401

pytestmark = pytest.mark.gui
REL = "procedures/complaints.yaml"


def _type(editor, text):
    editor.text.setPlainText(text)
    editor.flush()          # as the typing pause (or a save) would


def test_show_yaml_edits_the_procedure_as_typed(qtbot, window, demo_project):
    path = demo_project / REL
    original = path.read_text()
    flowchart = window.open_item("procedure", "complaints")
    window.project_tree.text_requested.emit("procedure", "complaints")   # "Show YAML"
    text = window.documents.currentWidget()
    assert text is not flowchart and text.text.toPlainText() == window.session.current_text(
        ("procedure", "complaints"))
    assert window.documents.tabText(window.documents.currentIndex()) == "complaints (YAML)"
    assert window.documents.find("procedure", "complaints") is flowchart

    typed = ("# formal complaints go to a person\n"
             + original.replace("Take down the complaint.", "Write the complaint down."))
    _type(text, typed)
    procedure = window.session.project.procedures["complaints"]
    assert procedure.find_step("take").text == "Write the complaint down."
    assert window.session.is_key_dirty(("procedure", "complaints"))
    assert "●" in window.documents.tabText(window.documents.indexOf(text))
    window.actions_["save"].trigger()
    assert path.read_text() == typed                       # the comment is kept

    flowchart.select_step("take")                          # an edit in the flowchart shows up
    window.inspector.step_form.fields["text"].setPlainText("Note it.")
    assert "text: Note it." in text.text.toPlainText()
    window.actions_["undo"].trigger()
    assert text.text.toPlainText() == typed


def test_broken_procedure_text_names_line_and_column_and_is_not_saved(qtbot, window, demo_project):
    path = demo_project / REL
    original = path.read_text()
    window.open_item("procedure", "complaints")
    window.actions_["procedure_text"].trigger()            # Project → Procedure as YAML
    text = window.documents.currentWidget()
    assert getattr(text, "kind", "") == "procedure:text"
    invalid = original.replace("kind: checkpoint", "kind: teleport")
    _type(text, invalid)
    assert "line" in text.status.text() and "column" in text.status.text()
    assert window.session.project.procedures["complaints"].find_step("escalate").kind == "checkpoint"
    window.actions_["save"].trigger()
    assert path.read_text() == original
    assert text.text.toPlainText() == invalid


def test_recovered_procedure_that_does_not_parse_opens_as_text(qtbot, demo_project):
    first = MainWindow(ScriptedPrompts())
    qtbot.addWidget(first)
    first.controller.open(demo_project)
    first.controller.autosave_timer.stop()
    text = first.show_text("procedure", "complaints")
    broken = "id: complaints\nsteps: [\n"
    _type(text, broken)
    assert first.controller.autosave() == [REL]
    # crash: no save, no close
    second = MainWindow(ScriptedPrompts(offer_recovery=True))
    qtbot.addWidget(second)
    second.controller.open(demo_project)
    reopened = second.documents.find("procedure:text", "complaints")
    assert reopened is not None and reopened.text.toPlainText() == broken
    assert second.documents.currentWidget() is reopened
    assert second.session.draft(("procedure", "complaints")) == broken
    assert second.windowTitle().startswith("*")
    second.controller.close(ask=False)
