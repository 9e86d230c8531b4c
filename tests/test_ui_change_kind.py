"""Changing a step's kind from the inspector: the id, the condition and the fields both
kinds share survive, the change is one undo step, and a condition's nested steps are
dropped only after the user agrees."""
from __future__ import annotations

import pytest

from test_ui_support import demo_project, studio_home, window  # noqa: F401

pytestmark = pytest.mark.gui
PROC = "damaged-order"


def _step(window, step_id):
    return window.session.project.procedures[PROC].find_step(step_id)


def _pick(form, kind):
    """Choose `kind` in the inspector's kind combo as a user would."""
    combo = form.kind_combo
    index = combo.findData(kind)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_instruction_to_end_keeps_id_when_and_say_in_one_undo_step(qtbot, window):
    editor = window.open_item("procedure", PROC)
    editor.select_step("ask-order")
    form = window.inspector.step_form
    form.set("when", "True", merge=False)
    before = window.session.undo_stack.count()
    _pick(form, "end")
    step = _step(window, "ask-order")
    assert step.kind == "end" and step.when == "True"
    assert step.say == "I'm sorry about that! What's your order number? A photo helps too."
    assert window.session.undo_stack.count() == before + 1
    assert window.inspector.step_form.kind == "end"               # the form follows
    assert window.inspector.step_form.kind_combo.currentData() == "end"

    _pick(window.inspector.step_form, "knowledge")                 # end has no text: default kept
    assert _step(window, "ask-order").kind == "knowledge"
    window.session.undo_stack.undo()
    window.session.undo_stack.undo()
    step = _step(window, "ask-order")
    assert step.kind == "instruction" and step.collect == ["order_id"]
    assert step.text.startswith("Apologise")
    window.session.undo_stack.redo()
    assert _step(window, "ask-order").kind == "end"


def test_instruction_text_becomes_knowledge_text(qtbot, window):
    window.open_item("procedure", "complaints").select_step("take")
    _pick(window.inspector.step_form, "knowledge")
    step = window.session.project.procedures["complaints"].find_step("take")
    assert step.kind == "knowledge" and step.text == "Take down the complaint."


def test_condition_with_nested_steps_asks_before_dropping_them(qtbot, window):
    window.open_item("procedure", PROC).select_step("eligible")
    form = window.inspector.step_form
    window.prompts.answers["confirm"] = False
    _pick(form, "instruction")
    assert window.prompts.asked[-1][0] == "confirm" and "5 nested steps" in window.prompts.asked[-1][1][1]
    assert _step(window, "eligible").kind == "condition"
    assert form.kind_combo.currentData() == "condition"            # the combo goes back
    assert _step(window, "pay") is not None

    window.prompts.answers["confirm"] = True
    _pick(form, "instruction")
    assert _step(window, "eligible").kind == "instruction" and _step(window, "pay") is None
    window.session.undo_stack.undo()
    assert _step(window, "eligible").kind == "condition" and _step(window, "pay") is not None
